import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Shared by the Redis benchmarks: which Redis (a database index of their own, so nothing they
 * write mixes with the tests' or a running service's keys), a fresh key prefix per run, and
 * cleanup of exactly that prefix.
 */
export const benchRedisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/9';

export function benchPrefix(name: string): string {
  return `bench-${name}-${randomBytes(4).toString('hex')}`;
}

export { deletePrefix } from '../tests/shared/redis-keys.js';

/** INFO memory `used_memory`: bytes the server has allocated (for every database). */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  const match = /^used_memory:(\d+)/m.exec(info);
  if (!match) throw new Error('INFO memory has no used_memory');
  return Number(match[1]);
}

/** A positive integer from the environment, else `fallback`; anything else is an error. */
export function envCount(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${raw}" must be a positive integer`);
  return n;
}

/** The q-quantile (0..1) of some values, nearest rank. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}
