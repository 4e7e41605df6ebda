import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ArticleValidationError, parseArticle } from '../contracts/article.js';
import { currentAssignment, type Index } from '../engine/index-store.js';
import type { Article, Assignment } from '../engine/types.js';
import { settledWithin, type SubmitOptions, type SubmitResult, type Submitter } from '../service/ports.js';
import type { ServiceKeys } from '../storage/keys.js';
import { jobIdFor, type ArticleJobData } from './jobs.js';

type ArticleJob = Job<ArticleJobData, Assignment>;

/**
 * Submits articles to the queue. Each new job gets a submission number (one INCRBY per batch, in
 * queue order) so workers commit in submission order. An article whose job already exists (same id
 * and content) is not re-added and takes no number, so duplicates leave no gap to wait for; if that
 * job had failed for good it is retried, and if the article's id has since been updated to other
 * content (A, then B, then A again) it runs again: that is an update back. When that job is done,
 * the answer (with or without `wait`) is the article's assignment as it stands now, read from the
 * index: the job's own return value is as of its decision (the cluster may have grown or merged).
 * A wait that runs out answers "queued" for that article, and the rest of the batch still answers.
 */
export class QueueSubmitter implements Submitter {
  private events: QueueEvents | undefined;

  constructor(
    private readonly queue: Queue<ArticleJobData, Assignment>,
    private readonly redis: Redis,
    private readonly keys: ServiceKeys,
    private readonly makeEvents: () => QueueEvents,
    /** Where workers write: for the current assignment of an article submitted again. */
    private readonly index: Pick<Index, 'getArticle' | 'getClusters'>,
    private readonly defaultTimeoutMs = 30_000,
  ) {}

  async submit(article: Article, options: SubmitOptions = {}): Promise<SubmitResult> {
    const [result] = await this.enqueue([article], options, false);
    return result as SubmitResult;
  }

  /** Validates every article first: one invalid article queues nothing (the error names its index). */
  submitMany(articles: Article[], options: SubmitOptions = {}): Promise<SubmitResult[]> {
    return this.enqueue(articles, options, true);
  }

  private async enqueue(articles: Article[], options: SubmitOptions, batch: boolean): Promise<SubmitResult[]> {
    const valid = articles.map((article, i) => {
      try {
        return parseArticle(article);
      } catch (error) {
        if (batch && error instanceof ArticleValidationError) {
          throw new ArticleValidationError(`${i}.${error.field}`, error.message.slice(error.field.length + 2));
        }
        throw error;
      }
    });
    const jobIds = valid.map(jobIdFor);
    const existing = await Promise.all(
      jobIds.map(async (id, i) => {
        const job = (await this.queue.getJob(id)) as ArticleJob | undefined;
        if (!job || !(await this.superseded(job, (valid[i] as Article).id))) return job;
        await job.remove();
        return undefined;
      }),
    );
    // Submitting again what failed for good (e.g. Redis trouble outlasting the retries) runs it again;
    // its submission number was released when it failed, so it waits for no one.
    await Promise.all(existing.map(async (job) => ((await job?.isFailed()) ? job?.retry('failed') : undefined)));
    const fresh = new Map<string, Article>();
    valid.forEach((article, i) => {
      const id = jobIds[i] as string;
      if (!existing[i] && !fresh.has(id)) fresh.set(id, article);
    });
    const events = options.wait ? await this.queueEvents() : undefined;
    // Each waiting job listens for the queue closing: a large batch is not a listener leak.
    if (events) this.queue.setMaxListeners(Math.max(this.queue.getMaxListeners(), valid.length + 10));
    const added = new Map<string, ArticleJob>();
    if (fresh.size > 0) {
      const last = await this.redis.incrby(this.keys.submitted, fresh.size);
      const first = last - fresh.size + 1;
      const numbered = [...fresh].map(([jobId, article], i) => ({ jobId, article, seq: first + i }));
      // Recorded before the jobs exist: a successor that waits too long can then find a late one.
      await this.redis.hset(this.keys.seqJobs, Object.fromEntries(numbered.map((n) => [n.seq, n.jobId])));
      const jobs = await this.queue.addBulk(
        numbered.map(({ jobId, article, seq }) => ({ name: 'article', data: { article, seq }, opts: { jobId } })),
      );
      for (const job of jobs) added.set(job.id as string, job);
    }
    return Promise.all(
      valid.map(async (article, i): Promise<SubmitResult> => {
        const jobId = jobIds[i] as string;
        const job = existing[i] ?? added.get(jobId);
        // Already decided as it is: nothing is queued, so the answer is the assignment, wait or not.
        if (existing[i] && (await existing[i].isCompleted())) {
          const assignment = await currentAssignment(this.index, article.id);
          if (assignment) return { articleId: article.id, jobId, status: 'done', assignment };
        }
        const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
        // BullMQ's own limit, a little later than ours, only frees its listener.
        const finished = events && job ? await settledWithin(job.waitUntilFinished(events, timeoutMs + 1_000), timeoutMs) : undefined;
        if (finished === undefined) return { articleId: article.id, jobId, status: 'queued' };
        const decided = parseReturn(finished);
        const assignment = existing[i] ? ((await currentAssignment(this.index, article.id)) ?? decided) : decided;
        return { articleId: article.id, jobId, status: 'done', assignment };
      }),
    );
  }

  /**
   * Whether a completed job's decision is no longer what the index holds for the article: the id
   * was decided again since (an update to other content) or has left the index.
   */
  private async superseded(job: ArticleJob, articleId: string): Promise<boolean> {
    if (!(await job.isCompleted())) return false;
    const stored = await this.index.getArticle(articleId);
    return stored?.at !== parseReturn(job.returnvalue)?.at;
  }

  private async queueEvents(): Promise<QueueEvents> {
    if (!this.events) {
      this.events = this.makeEvents();
      await this.events.waitUntilReady();
    }
    return this.events;
  }

  async close(): Promise<void> {
    await this.events?.close();
  }
}

/** A return value may arrive serialised, depending on whether the job finished before we listened. */
function parseReturn(value: unknown): Assignment {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Assignment;
}
