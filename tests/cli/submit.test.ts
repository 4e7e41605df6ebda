import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePrefix } from '../shared/redis-keys.js';
import { runCli } from './run-cli.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samestory-submit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('samestory submit: paths that cannot be used', () => {
  it('skips a missing path and an unsupported file, submits the rest and exits 2', async () => {
    const prefix = `test:${randomBytes(5).toString('hex')}`;
    const good = join(dir, 'good.jsonl');
    await writeFile(
      good,
      [
        JSON.stringify({ id: 'ferry-1', text: 'The night ferry to Skerry Island was cancelled because of fog.' }),
        JSON.stringify({ id: 'ferry-2', text: 'Fog closed the harbour at Skerry Island on Tuesday night.' }),
      ].join('\n'),
    );
    await writeFile(join(dir, 'slides.pdf'), '%PDF-1.4\n');
    const redis = new Redis(redisUrl);
    try {
      const run = await runCli(['submit', join(dir, 'nope.txt'), join(dir, 'slides.pdf'), good], {
        env: { REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix },
      });
      expect(run.code).toBe(2);
      const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { articleId: string });
      expect(lines.map((l) => l.articleId)).toEqual(['ferry-1', 'ferry-2']);
      expect(run.stderr).toContain(`samestory: skipped ${join(dir, 'nope.txt')}: no such file or directory\n`);
      expect(run.stderr).toContain(`samestory: skipped ${join(dir, 'slides.pdf')}: unsupported file type`);
      expect(run.stderr).toContain('samestory: 2 inputs skipped\n');
    } finally {
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  });

  it('exits 1 before connecting to Redis when none of the paths can be used', async () => {
    // An address where nothing listens: a connection attempt would fail differently (or hang).
    const run = await runCli(['submit', join(dir, 'nope.txt')], { env: { REDIS_URL: 'redis://127.0.0.1:9' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`samestory: ${join(dir, 'nope.txt')}: no such file or directory\n`);
  });
});
