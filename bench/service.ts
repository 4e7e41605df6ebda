import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { formatTable } from '../src/cli/table.js';
import type { Article } from '../src/engine/types.js';
import { connectService, type ServiceClient } from '../src/queue/service.js';
import { loadServiceConfig } from '../src/service/config.js';
import { benchPrefix, benchRedisUrl, deletePrefix, envCount, quantile } from './redis-bench.js';
import type { SectionResult } from './run.js';
import { newsStream } from './stream.js';

/**
 * End to end through BullMQ and Redis, with 1 and then 2 worker processes (workers/worker.ts,
 * spawned; WORKER_CONCURRENCY from the environment, else the default; LOG_LEVEL=warn) on a fresh
 * key prefix each:
 * 1. warm-up: 300 articles submitted and awaited (JIT, connections);
 * 2. throughput: BENCH_SERVICE_ARTICLES (default 4,000) articles submitted as fast as the submitter
 *    goes (batches of 100, as `samestory submit`); articles/s = count / (first submit -> last
 *    assignment read from the Stream);
 * 3. latency: BENCH_LATENCY_ARTICLES (default 2,000) articles offered open-loop at a steady
 *    BENCH_RATE (default 200) per second, one `submit` call each; latency = from just before that
 *    call to the assignment being read from the Stream (a blocking XREAD in this process).
 * Articles are the synthetic news stream (bench/stream.ts). Keys are deleted afterwards.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const warmupArticles = 300;
const batchSize = 100;

interface Run {
  workers: number;
  throughput: { articles: number; seconds: number; perSecond: number };
  latency: { offeredPerSecond: number; articles: number; lost: number; ms: { p50: number; p95: number; p99: number; max: number } };
  streamBytesPerEvent: number;
}

export async function run(): Promise<SectionResult> {
  const options = {
    articles: envCount('BENCH_SERVICE_ARTICLES', 4_000),
    latencyArticles: envCount('BENCH_LATENCY_ARTICLES', 2_000),
    rate: envCount('BENCH_RATE', 200),
  };
  const runs: Run[] = [];
  for (const workers of [1, 2]) runs.push(await measure(workers, options));
  // The workers inherit this process's environment (WORKER_CONCURRENCY included).
  const concurrency = loadServiceConfig(process.env).concurrency;
  return { table: table(runs, concurrency), results: { ...options, warmupArticles, concurrencyPerWorker: concurrency, runs } };
}

async function measure(workers: number, o: { articles: number; latencyArticles: number; rate: number }): Promise<Run> {
  const prefix = benchPrefix(`service${workers}`);
  const env = { ...process.env, REDIS_URL: benchRedisUrl, SAMESTORY_PREFIX: prefix, LOG_LEVEL: 'warn' };
  const config = loadServiceConfig(env);
  const admin = new Redis(benchRedisUrl);
  const service = await connectService(config);
  const reader = new StreamReader(benchRedisUrl, service.index.keys.stream);
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < workers; i++) children.push(startWorker(env));
    await waitForWorkers(service, workers, children);
    const articles = newsStream({ seed: 7, intervalMs: 1000, start: Date.now() - 86_400_000 });
    const take = (n: number) => Array.from({ length: n }, () => articles.next().value as Article);

    const warmup = take(warmupArticles);
    await submitBatches(service, warmup);
    await reader.waitFor(warmup.map((a) => a.id), 60_000);

    const burst = take(o.articles);
    const started = performance.now();
    await submitBatches(service, burst);
    const seen = await reader.waitFor(burst.map((a) => a.id), 300_000);
    const seconds = (Math.max(...seen.filter((t) => t !== undefined)) - started) / 1000;

    const steady = take(o.latencyArticles);
    const submittedAt = new Float64Array(steady.length);
    const submits: Promise<unknown>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < steady.length; i++) {
      const due = t0 + (i * 1000) / o.rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      submittedAt[i] = performance.now();
      submits.push(service.submitter.submit(steady[i] as Article));
    }
    await Promise.all(submits);
    const received = await reader.waitFor(steady.map((a) => a.id), 60_000);
    const latencies = received.flatMap((t, i) => (t === undefined ? [] : [t - (submittedAt[i] as number)]));
    const streamBytes = Number(await admin.memory('USAGE', service.index.keys.stream, 'SAMPLES', '0'));
    const events = await admin.xlen(service.index.keys.stream);
    return {
      workers,
      throughput: { articles: burst.length, seconds, perSecond: burst.length / seconds },
      latency: {
        offeredPerSecond: o.rate,
        articles: steady.length,
        lost: steady.length - latencies.length,
        ms: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99), max: quantile(latencies, 1) },
      },
      streamBytesPerEvent: streamBytes / events,
    };
  } finally {
    await Promise.all(children.map(stop));
    await reader.close();
    await service.close();
    await deletePrefix(admin, prefix);
    await admin.quit();
  }
}

function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/worker.ts'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`service bench: worker exited with ${code}\n${stderr}\n`);
  });
  return child;
}

/** Waits until every worker process has connected to the queue (BullMQ lists its clients). */
async function waitForWorkers(service: ServiceClient, count: number, children: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await service.queue.getWorkersCount()) < count) {
    if (children.some((c) => c.exitCode !== null)) throw new Error('a worker process exited during start-up');
    if (Date.now() > deadline) throw new Error(`${count} worker(s) not ready within 60 s`);
    await sleep(100);
  }
}

async function submitBatches(service: ServiceClient, articles: Article[]): Promise<void> {
  for (let i = 0; i < articles.length; i += batchSize) await service.submitter.submitMany(articles.slice(i, i + batchSize));
}

/** SIGTERM (the worker finishes active jobs), SIGKILL if it has not exited 10 s later. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Follows the assignments stream (blocking XREAD) and notes when each article's assignment arrived. */
class StreamReader {
  private readonly redis: Redis;
  private readonly arrived = new Map<string, number>();
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(url: string, private readonly stream: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: null });
    this.loop = this.follow();
  }

  private async follow(): Promise<void> {
    let last = '0-0';
    while (!this.closed) {
      const reply = await this.redis.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', this.stream, last);
      const now = performance.now();
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const event = JSON.parse(fields[fields.indexOf('event') + 1] ?? '{}') as { type?: string; assignment?: { articleId: string } };
          if (event.type === 'assignment' && event.assignment) this.arrived.set(event.assignment.articleId, now);
        }
      }
    }
  }

  /** Arrival times of `ids` (undefined: not within `timeoutMs`). */
  async waitFor(ids: string[], timeoutMs: number): Promise<(number | undefined)[]> {
    const deadline = Date.now() + timeoutMs;
    while (ids.some((id) => !this.arrived.has(id)) && Date.now() < deadline) await sleep(20);
    return ids.map((id) => this.arrived.get(id));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    await this.redis.quit();
  }
}

function table(runs: Run[], concurrency: number): string {
  const header = ['worker processes', 'articles/s', 'offered/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'lost'];
  const rows = runs.map((r) => [
    String(r.workers), r.throughput.perSecond.toFixed(0), String(r.latency.offeredPerSecond),
    r.latency.ms.p50.toFixed(1), r.latency.ms.p95.toFixed(1), r.latency.ms.p99.toFixed(1), r.latency.ms.max.toFixed(1),
    String(r.latency.lost),
  ]);
  const first = runs[0] as Run;
  return [
    `submit -> assignment on the Stream; ${first.throughput.articles} articles for throughput, ${first.latency.articles} at a steady rate for latency; concurrency ${concurrency} per worker`,
    formatTable(header, rows, header.map(() => true)),
  ].join('\n');
}
