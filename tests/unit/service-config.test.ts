import { describe, expect, it } from 'vitest';
import { loadServiceConfig, ServiceConfigError } from '../../src/service/config.js';
import { redactRedisUrl } from '../../src/storage/redis-url.js';

describe('service configuration from the environment', () => {
  it('has a default for everything', () => {
    const c = loadServiceConfig({});
    expect(c).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      prefix: 'samestory',
      concurrency: 4,
      apiKey: undefined,
      port: 8080,
      host: '0.0.0.0',
      windowMs: 168 * 3600_000,
      retentionMs: 2 * 168 * 3600_000,
      streamMaxLen: 1_000_000,
      bucketShards: 16_384,
      orderWaitMs: 5000,
      jobAttempts: 5,
      lockMs: 30_000,
      logLevel: 'info',
    });
  });

  it('reads every variable; retention follows the window unless set', () => {
    const c = loadServiceConfig({
      REDIS_URL: 'rediss://user:pw@cache:6380/2',
      SAMESTORY_PREFIX: 'news.eu',
      WORKER_CONCURRENCY: '8',
      SAMESTORY_API_KEY: 'k',
      PORT: '9000',
      HOST: '127.0.0.1',
      SAMESTORY_WINDOW_HOURS: '24',
      SAMESTORY_STREAM_MAXLEN: '5000',
      SAMESTORY_ORDER_WAIT_MS: '0',
      SAMESTORY_JOB_ATTEMPTS: '1',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({ prefix: 'news.eu', concurrency: 8, apiKey: 'k', port: 9000, windowMs: 24 * 3600_000, retentionMs: 48 * 3600_000, orderWaitMs: 0 });
    expect(loadServiceConfig({ SAMESTORY_WINDOW_HOURS: '24', SAMESTORY_RETENTION_HOURS: '100' }).retentionMs).toBe(100 * 3600_000);
    expect(loadServiceConfig({ SAMESTORY_API_KEY: '' }).apiKey).toBeUndefined();
  });

  it.each([
    ['WORKER_CONCURRENCY', '0'],
    ['WORKER_CONCURRENCY', '2.5'],
    ['PORT', '70000'],
    ['SAMESTORY_BUCKET_SHARDS', '0'],
    ['SAMESTORY_WINDOW_HOURS', 'week'],
    ['SAMESTORY_RETENTION_HOURS', '1'], // shorter than the window
    ['SAMESTORY_PREFIX', 'has{brace}'],
    ['SAMESTORY_PREFIX', 'has space'],
    ['REDIS_URL', 'localhost:6379'],
    ['REDIS_URL', 'redis://127.0.0.1:6379/six'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadServiceConfig({ [name]: value })).toThrow(ServiceConfigError);
    expect(() => loadServiceConfig({ [name]: value })).toThrow(new RegExp(`^${name}: "`));
  });

  it('takes an empty numeric variable as its default (docker-compose passes unset ones as empty)', () => {
    const empty = { SAMESTORY_RETENTION_HOURS: '', SAMESTORY_BUCKET_SHARDS: '', SAMESTORY_ORDER_WAIT_MS: '', SAMESTORY_JOB_ATTEMPTS: '', SAMESTORY_LOCK_MS: '' };
    const { redisUrl: _url, ...defaults } = loadServiceConfig({});
    expect(loadServiceConfig(empty)).toMatchObject(defaults);
  });

  it('never repeats a Redis password in a message', () => {
    expect(() => loadServiceConfig({ REDIS_URL: 'redis://default:Hunter2pass@cache:6379/x/y' })).toThrow('"redis://default:***@cache:6379/x/y"');
    expect(redactRedisUrl('rediss://user:p%40ss@cache:6380/2')).toBe('rediss://user:***@cache:6380/2');
    expect(redactRedisUrl('redis://cache:6379')).toBe('redis://cache:6379');
  });
});
