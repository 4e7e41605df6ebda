/**
 * Environment configuration shared by the worker and the API. Every setting has a default so a
 * bare `samestory worker` / `samestory api` works against a local Redis; a bad value is a clear
 * ServiceConfigError naming the variable, never a silent fallback.
 *
 * | variable                    | default                  | meaning                                            |
 * |-----------------------------|--------------------------|----------------------------------------------------|
 * | REDIS_URL                   | redis://127.0.0.1:6379   | Redis holding the queue, the index and the stream  |
 * | SAMESTORY_PREFIX            | samestory                | namespace of every Redis key (no braces, no spaces) |
 * | WORKER_CONCURRENCY          | 4                        | jobs one worker process runs at once               |
 * | SAMESTORY_API_KEY           | (none)                   | when set, write endpoints require it               |
 * | PORT                        | 8080                     | API port                                           |
 * | HOST                        | 0.0.0.0                  | API listen address                                 |
 * | SAMESTORY_WINDOW_HOURS      | 168                      | engine time window: further apart never cluster    |
 * | SAMESTORY_RETENTION_HOURS   | 2 x window               | how long articles stay LSH candidates (records stay)|
 * | SAMESTORY_STREAM_MAXLEN     | 1000000                  | approximate length cap of the assignments stream   |
 * | SAMESTORY_BUCKET_SHARDS     | 16384                    | LSH bucket shards, fixed when the index is created |
 * | SAMESTORY_ORDER_WAIT_MS     | 5000                     | longest a job waits for its predecessors to commit |
 * | SAMESTORY_JOB_ATTEMPTS      | 5                        | BullMQ attempts per job (exponential backoff)      |
 * | SAMESTORY_LOCK_MS           | 30000                    | job lock; a crashed worker's jobs rerun within ~2x |
 * | LOG_LEVEL                   | info                     | pino level                                         |
 */
import { redactRedisUrl } from '../storage/redis-url.js';
export interface ServiceConfig {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  apiKey: string | undefined;
  port: number;
  host: string;
  windowMs: number;
  retentionMs: number;
  streamMaxLen: number;
  bucketShards: number;
  orderWaitMs: number;
  jobAttempts: number;
  /** BullMQ lock duration and stalled-job check interval (how soon a crashed worker's jobs rerun). */
  lockMs: number;
  logLevel: string;
}

export class ServiceConfigError extends Error {
  override name = 'ServiceConfigError';
}

const hour = 3600 * 1000;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads the service configuration from `env` (process.env by default). */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  // The engine's own range for its window (see src/engine/config.ts): 1 minute to 10 years.
  const windowHours = number(env, 'SAMESTORY_WINDOW_HOURS', 168, { min: 1 / 60, max: 87_840 });
  const prefix = env.SAMESTORY_PREFIX ?? 'samestory';
  // The index adds its own hash tag after the prefix (see src/storage/keys.ts); a second one, or
  // whitespace, would scatter keys across Redis Cluster slots or break key parsing.
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) {
    throw new ServiceConfigError(`SAMESTORY_PREFIX: "${prefix}" must be 1-64 of A-Z a-z 0-9 _ . : -`);
  }
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!logLevels.includes(logLevel)) {
    throw new ServiceConfigError(`LOG_LEVEL: "${logLevel}" is not one of ${logLevels.join(', ')}`);
  }
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new ServiceConfigError(`REDIS_URL: "${redactRedisUrl(redisUrl)}" must start with redis:// or rediss://`);
  }
  if (!URL.canParse(redisUrl) || !/^\/?\d*$/.test(new URL(redisUrl).pathname)) {
    throw new ServiceConfigError(`REDIS_URL: "${redactRedisUrl(redisUrl)}" is not a Redis URL (redis://[user:password@]host[:port][/database number])`);
  }
  return {
    redisUrl,
    prefix,
    concurrency: number(env, 'WORKER_CONCURRENCY', 4, { min: 1, max: 256, integer: true }),
    apiKey: env.SAMESTORY_API_KEY || undefined,
    port: number(env, 'PORT', 8080, { min: 0, max: 65535, integer: true }),
    host: env.HOST ?? '0.0.0.0',
    windowMs: windowHours * hour,
    retentionMs: number(env, 'SAMESTORY_RETENTION_HOURS', 2 * windowHours, { min: windowHours }) * hour,
    streamMaxLen: number(env, 'SAMESTORY_STREAM_MAXLEN', 1_000_000, { min: 1, integer: true }),
    bucketShards: number(env, 'SAMESTORY_BUCKET_SHARDS', 16_384, { min: 1, max: 2 ** 24, integer: true }),
    orderWaitMs: number(env, 'SAMESTORY_ORDER_WAIT_MS', 5000, { min: 0, max: 600_000, integer: true }),
    jobAttempts: number(env, 'SAMESTORY_JOB_ATTEMPTS', 5, { min: 1, max: 100, integer: true }),
    lockMs: number(env, 'SAMESTORY_LOCK_MS', 30_000, { min: 1000, max: 600_000, integer: true }),
    logLevel,
  };
}

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number; integer?: boolean },
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  const { min = -Infinity, max = Infinity, integer = false } = bounds;
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = `${min === -Infinity ? '' : `>= ${min}`}${max === Infinity ? '' : ` and <= ${max}`}`;
    throw new ServiceConfigError(`${name}: "${raw}" must be ${integer ? 'an integer' : 'a number'} ${range}`.trim());
  }
  return value;
}
