import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deletePrefix, redisUrl, testPrefix } from './redis-helpers.js';
import { projectRoot, startWorkerProcess, stopWorker } from './service-harness.js';
import { generateStories } from './story-generator.js';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('samestory submit / worker commands', () => {
  it('submits a JSON Lines file, waits for the assignments, and names a bad line', async () => {
    const prefix = testPrefix();
    const env = { REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix };
    const dir = mkdtempSync(join(tmpdir(), 'samestory-submit-'));
    const worker = await startWorkerProcess(prefix, 2);
    try {
      const articles = generateStories(1, 3, 3).map(({ label: _label, ...a }) => a);
      const lines = articles.map((a) => JSON.stringify(a));
      lines.splice(1, 0, JSON.stringify({ id: 'empty', text: ' ' }));
      writeFileSync(join(dir, 'in.jsonl'), lines.join('\n') + '\n');

      const run = await cli(['submit', '--wait', join(dir, 'in.jsonl')], env);
      expect(run.stderr).toMatch(/in\.jsonl:2: invalid article: text/);
      expect(run.code).toBe(2);
      const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { articleId: string; status: string; assignment: { clusterId: string } });
      expect(results.map((r) => [r.articleId, r.status])).toEqual(articles.map((a) => [a.id, 'done']));
      expect(new Set(results.map((r) => r.assignment.clusterId)).size).toBe(1);

      // Files go in publication order, as `cluster` decides them, whatever they are called.
      const pages = generateStories(2, 2, 11).map(({ label: _label, ...a }, i) => ({ ...a, publishedAt: new Date(Date.UTC(2026, 4, 10 - i)).toISOString() }));
      pages.forEach((a, i) => writeFileSync(join(dir, `${String.fromCharCode(97 + i)}.txt`), `Published: ${a.publishedAt}\n\n${a.text}\n`));
      const txt = pages.map((_, i) => join(dir, `${String.fromCharCode(97 + i)}.txt`));
      const files = await cli(['submit', '--wait', ...txt], env);
      expect(files.code, files.stderr).toBe(0);
      const submitted = files.stdout.trim().split('\n').map((l) => JSON.parse(l) as { articleId: string; assignment: { clusterId: string } });
      expect(submitted.map((r) => r.articleId)).toEqual(['d', 'c', 'b', 'a']);
      const embedded = await cli(['cluster', '--format', 'jsonl', ...txt], {});
      const together = (rows: { id: string; cluster: string }[]) => rows.map((r) => rows.filter((o) => o.cluster === r.cluster).map((o) => o.id).sort().join());
      const service = submitted.map((r) => ({ id: r.articleId, cluster: r.assignment.clusterId }));
      const local = embedded.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; clusterId: string }).map((r) => ({ id: r.id, cluster: r.clusterId }));
      expect(together(service).sort()).toEqual(together(local).sort());
    } finally {
      await stopWorker(worker);
      rmSync(dir, { recursive: true, force: true });
      await deletePrefix(prefix);
    }
  });

  it('with --wait and no worker, prints the articles as queued when the wait runs out, and exits 0', async () => {
    const prefix = testPrefix();
    const dir = mkdtempSync(join(tmpdir(), 'samestory-submit-'));
    try {
      const articles = generateStories(1, 2, 2).map(({ label: _label, ...a }) => a);
      writeFileSync(join(dir, 'in.jsonl'), articles.map((a) => JSON.stringify(a)).join('\n') + '\n');
      const run = await cli(['submit', '--wait', '--timeout', '300', join(dir, 'in.jsonl')], { REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix });
      expect(run.code, run.stderr).toBe(0);
      const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { articleId: string; status: string });
      expect(results.map((r) => [r.articleId, r.status])).toEqual(articles.map((a) => [a.id, 'queued']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await deletePrefix(prefix);
    }
  });

  it('refuses bad settings with a message naming them', async () => {
    const bad = await cli(['worker', '--concurrency', '0'], { REDIS_URL: redisUrl });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--concurrency: "0"/);
    const env = await cli(['worker'], { REDIS_URL: redisUrl, WORKER_CONCURRENCY: 'many' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/WORKER_CONCURRENCY: "many"/);
  });
});
