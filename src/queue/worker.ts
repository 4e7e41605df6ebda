import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { parseArticle } from '../contracts/article.js';
import { Engine, type ArticleText } from '../engine/engine.js';
import { MemoryIndex } from '../engine/memory-index.js';
import type { Article, Assignment } from '../engine/types.js';
import type { ServiceConfig } from '../service/config.js';
import { serviceKeys } from '../storage/keys.js';
import { assignPublishing } from './assigner.js';
import { countCompleted } from './health.js';
import { connectServiceIndex } from './service.js';
import { bullConnection, type ArticleJobData } from './jobs.js';
import { Turnstile } from './turnstile.js';

export interface RunningWorker {
  worker: Worker<ArticleJobData, Assignment>;
  /** Stops taking jobs, lets active ones finish, then disconnects. */
  close(): Promise<void>;
}

/**
 * A BullMQ worker assigning articles. Per job: validate (an invalid article fails for good, no
 * retry), wait for the job's predecessors in submission order (bounded), let the engine decide and
 * write under the index lock (the same transaction appends to the stream and advances the
 * turnstile), then publish the new events live and return the assignment as the job's result.
 * Re-processing an indexed article changes nothing and publishes nothing (changed=false).
 */
export async function startWorker(config: ServiceConfig, logger: Logger = pino({ level: config.logLevel })): Promise<RunningWorker> {
  const keys = serviceKeys(config.prefix);
  const engine = new Engine({ windowMs: config.windowMs });
  // One throwaway decision loads the background model and warms the code: a slow first job would
  // make its successors' order-wait run out and commit out of order.
  await engine.assign({ id: 'warm-up', text: 'Workers start by deciding one short article in memory.' }, new MemoryIndex());
  const index = await connectServiceIndex(config);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  // One JSON log line per connection error: without a listener ioredis prints a multi-line trace
  // for every reconnection attempt (the commands that fail meanwhile are retried by BullMQ).
  const onRedisError = (error: Error) => logger.warn({ err: error.message }, 'redis connection error');
  redis.on('error', onRedisError);
  const turnstile = new Turnstile(redis, keys, onRedisError);

  // Reads late predecessors' jobs (see decideLatePredecessors).
  const queue = new Queue<ArticleJobData, Assignment>(keys.queueName, { connection: bullConnection(config.redisUrl), prefix: keys.queuePrefix });

  /** Decides `article` as submission `seq`; the returned pipeline publishes what changed (caller runs it). */
  const decide = async (article: Article, text: ArticleText, seq: number | undefined) => {
    const { outcome, after, committed } = await assignPublishing(engine, index, redis, keys, article, text, seq);
    if (seq !== undefined && !committed) await index.markCommitted(seq, true);
    if (seq !== undefined) after.hdel(keys.seqJobs, String(seq));
    return { outcome, after };
  };

  /**
   * After the order wait, a predecessor is still uncommitted: its worker died and its lock has not
   * run out yet, or it sits in the queue behind busy slots. Rather than commit ahead of it (which
   * can change clusters), decide it here in its turn; deciding is idempotent by article id, so its
   * own job later changes nothing. false when a missing number has no job to decide (e.g. its
   * submission failed half-way): the caller then commits out of order, as before.
   */
  const decideLatePredecessors = async (seq: number): Promise<boolean> => {
    for (let t = await turnstile.current(); t < seq - 1; ) {
      const late = t + 1;
      const jobId = await redis.hget(keys.seqJobs, String(late));
      const job = jobId ? await queue.getJob(jobId) : undefined;
      if (!job || job.data?.seq !== late) return false;
      let article: Article | undefined;
      try {
        article = parseArticle(job.data.article);
      } catch {
        await index.markCommitted(late, false); // its own job fails for good
      }
      if (article) await (await decide(article, engine.text(article), late)).after.exec();
      logger.info({ jobId: job.id, seq: late, waiting: seq }, 'decided a late predecessor in its turn');
      const advanced = await turnstile.current();
      if (advanced <= t) return false;
      t = advanced;
    }
    return true;
  };

  const processJob = async (job: Job<ArticleJobData, Assignment>): Promise<Assignment> => {
    let article: Article;
    try {
      article = parseArticle(job.data?.article);
    } catch (error) {
      throw new UnrecoverableError(`invalid article: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Extraction and normalisation need no index: done before waiting, off the serial commit path.
    const text = engine.text(article);
    const seq = job.data.seq;
    if (seq !== undefined && !(await turnstile.waitFor(seq, config.orderWaitMs)) && !(await decideLatePredecessors(seq))) {
      logger.warn({ jobId: job.id, seq }, 'predecessors not committed in time: committing out of order');
    }
    const { outcome, after } = await decide(article, text, seq);
    // Live events and the throughput count in one round trip.
    countCompleted(after, keys);
    await after.exec();
    const a = outcome.assignment;
    logger.info(
      { jobId: job.id, seq, articleId: a.articleId, clusterId: a.clusterId, decidedBy: a.decidedBy, changed: outcome.changed },
      'assigned',
    );
    return a;
  };

  const worker = new Worker<ArticleJobData, Assignment>(keys.queueName, processJob, {
    connection: bullConnection(config.redisUrl),
    prefix: keys.queuePrefix,
    concurrency: config.concurrency,
    lockDuration: config.lockMs,
    stalledInterval: config.lockMs,
    // BullMQ's default (1) fails a job for good the second time a crash catches it mid-run.
    maxStalledCount: config.jobAttempts,
  });
  worker.on('failed', (job, error) => {
    if (!job) return;
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    logger.warn({ jobId: job.id, seq: job.data?.seq, attempt: job.attemptsMade, final, reason: error.message }, 'job failed');
    // A job that will not run again must not hold up its successors.
    const seq = job.data?.seq;
    if (final && seq !== undefined) {
      index
        .markCommitted(seq, false)
        .then(() => redis.hdel(keys.seqJobs, String(seq)))
        .catch((e: unknown) => logger.error({ err: e, seq }, 'cannot mark failed job done'));
    }
  });
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  await worker.waitUntilReady();
  logger.info({ concurrency: config.concurrency, queue: keys.queueName, prefix: config.prefix }, 'worker started');

  return {
    worker,
    async close() {
      await worker.close();
      await queue.close();
      await turnstile.close();
      await index.close();
      await redis.quit();
      logger.info('worker stopped');
    },
  };
}

/**
 * Runs a worker until SIGTERM/SIGINT: the first signal lets active jobs finish (BullMQ's
 * `worker.close()`), a second one exits at once (unfinished jobs are retried by another worker).
 */
export async function runWorker(config: ServiceConfig): Promise<void> {
  const logger = pino({ level: config.logLevel });
  const running = await startWorker(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing active jobs');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
