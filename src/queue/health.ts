import type { Queue } from 'bullmq';
import type { ChainableCommander, Redis } from 'ioredis';
import type { JobFailure, QueueCounts, QueueHealth } from '../service/ports.js';
import type { ServiceKeys } from '../storage/keys.js';
import type { ArticleJobData } from './jobs.js';

const minuteMs = 60_000;

/** Queue health from BullMQ's counters plus the per-minute completion counters workers keep. */
export class RedisQueueHealth implements QueueHealth {
  constructor(
    private readonly queue: Queue<ArticleJobData>,
    private readonly redis: Redis,
    private readonly keys: ServiceKeys,
  ) {}

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
    return {
      waiting: c.waiting ?? 0,
      active: c.active ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
      delayed: c.delayed ?? 0,
    };
  }

  async recentFailures(limit: number): Promise<JobFailure[]> {
    if (limit <= 0) return [];
    const jobs = await this.queue.getFailed(0, limit - 1);
    return jobs.map((job) => ({
      jobId: String(job.id),
      articleId: String((job.data as Partial<ArticleJobData> | undefined)?.article?.id ?? ''),
      reason: job.failedReason ?? 'unknown',
      at: new Date(job.finishedOn ?? job.timestamp).toISOString(),
    }));
  }

  async workers(): Promise<number> {
    // BullMQ names each worker's connections; CLIENT LIST finds them.
    return this.queue.getWorkersCount();
  }

  async throughput(minutes: number): Promise<number[]> {
    if (minutes <= 0) return [];
    const now = Math.floor(Date.now() / minuteMs);
    const keys = Array.from({ length: minutes }, (_, i) => `${this.keys.throughput}${now - minutes + 1 + i}`);
    return (await this.redis.mget(...keys)).map((v) => Number(v ?? 0));
  }
}

/** Queues the count of one completed job in the current minute (kept two hours) on `commands`. */
export function countCompleted(commands: ChainableCommander, keys: ServiceKeys): void {
  const key = `${keys.throughput}${Math.floor(Date.now() / minuteMs)}`;
  commands.incr(key).expire(key, 2 * 3600);
}
