import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deletePrefix as deleteKeysUnder } from '../shared/redis-keys.js';

/** The Redis the tests use (CI starts one on the default port). */
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run shares. */
export function testPrefix(): string {
  return `test:${randomBytes(5).toString('hex')}`;
}

/** Deletes every key under `prefix` (index, stream, queue). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    await redis.quit();
  }
}
