import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Assignment } from '../engine/types.js';
import type { ServiceConfig } from '../service/config.js';
import { serviceKeys } from '../storage/keys.js';
import { connectRedisIndex, type RedisIndex } from '../storage/redis-index.js';
import { Engine } from '../engine/engine.js';
import { RedisAssigner } from './assigner.js';
import { RedisEventFeed } from './event-feed.js';
import { RedisQueueHealth } from './health.js';
import { bullConnection, jobOptions, type ArticleJobData } from './jobs.js';
import { QueueSubmitter } from './submitter.js';

/** Everything the API (and the `submit` command) needs from a running service. */
export interface ServiceClient {
  submitter: QueueSubmitter;
  events: RedisEventFeed;
  health: RedisQueueHealth;
  /** Read views (articles, clusters) over the index the workers write. */
  index: RedisIndex;
  /** Direct decisions (POST /v1/dedup) over `index`, published like a worker's. */
  assigner: RedisAssigner;
  queue: Queue<ArticleJobData, Assignment>;
  close(): Promise<void>;
}

/**
 * The service's index as every writer opens it: decisions append their events to the stream in
 * their own transaction, and indexed articles leave the candidate index after the retention time.
 */
export function connectServiceIndex(config: ServiceConfig): Promise<RedisIndex> {
  return connectRedisIndex(config.redisUrl, {
    prefix: config.prefix,
    publish: { streamMaxLen: config.streamMaxLen },
    retentionMs: config.retentionMs,
    bucketShards: config.bucketShards,
  });
}

/** Connects the service's client side (queue, events, health, index, direct decisions) to Redis. */
export async function connectService(config: ServiceConfig, engine = new Engine({ windowMs: config.windowMs })): Promise<ServiceClient> {
  const keys = serviceKeys(config.prefix);
  const index = await connectServiceIndex(config);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  // Its failing commands reject (and /health reports Redis): no multi-line trace per reconnection.
  redis.on('error', () => undefined);
  const queue = new Queue<ArticleJobData, Assignment>(keys.queueName, {
    connection: bullConnection(config.redisUrl),
    prefix: keys.queuePrefix,
    defaultJobOptions: jobOptions(config),
  });
  const makeEvents = () =>
    new QueueEvents(keys.queueName, { connection: bullConnection(config.redisUrl), prefix: keys.queuePrefix });
  const submitter = new QueueSubmitter(queue, redis, keys, makeEvents, index);
  const events = new RedisEventFeed(redis, keys);
  const health = new RedisQueueHealth(queue, redis, keys);
  return {
    submitter,
    events,
    health,
    index,
    assigner: new RedisAssigner(engine, index, redis, keys),
    queue,
    async close() {
      await submitter.close();
      await events.close();
      await queue.close();
      await index.close();
      await redis.quit();
    },
  };
}
