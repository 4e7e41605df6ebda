import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../../src/engine/types.js';
import { deletePrefix, redisUrl, testPrefix } from './redis-helpers.js';
import { decision, embeddedRun, projectRoot, startWorkerProcess, stopWorker, testConfig, type WorkerProcess } from './service-harness.js';
import { generateStories } from './story-generator.js';
import { freePort } from '../reliability/harness.js';

/** End to end: `samestory api` and two `samestory worker` processes, articles submitted over HTTP. */
describe('end to end through the HTTP API', () => {
  it('decides articles submitted over HTTP as one engine would, and serves them back', async () => {
    const prefix = testPrefix();
    const port = await freePort();
    const key = 'e2e-secret';
    const env = { REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix, SAMESTORY_API_KEY: key, LOG_LEVEL: 'info' };
    const api = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'api', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let apiOutput = '';
    api.stdout.on('data', (c: Buffer) => (apiOutput += c.toString()));
    api.stderr.on('data', (c: Buffer) => (apiOutput += c.toString()));
    const apiExited = new Promise<number | null>((resolve) => api.on('exit', resolve));
    const workers: WorkerProcess[] = [];
    const base = `http://127.0.0.1:${port}`;
    try {
      workers.push(...(await Promise.all([startWorkerProcess(prefix, 2), startWorkerProcess(prefix, 2)])));
      await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.status === 200, 30_000, () => apiOutput);

      const articles = generateStories(4, 3, 23).map(({ label: _label, ...a }) => a);
      const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': key }) =>
        fetch(`${base}/v1/articles/batch?wait=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      expect((await post(articles, {})).status).toBe(401);

      const response = await post(articles);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { accepted: { articleId: string; assignment: Assignment }[]; rejected: unknown[] };
      expect(body.rejected).toEqual([]);
      const reference = await embeddedRun(articles, testConfig(prefix));
      expect(body.accepted.map((r) => decision(r.assignment))).toEqual(reference.assignments.map(decision));

      const one = (await (await fetch(`${base}/v1/articles/${articles[1]!.id}`)).json()) as { assignment: Assignment };
      const { clusterSize: _sizeThen, ...decided } = body.accepted[1]!.assignment;
      expect(one.assignment).toMatchObject(decided); // clusterSize is the size now
      const clusters = (await (await fetch(`${base}/v1/clusters?sort=size&limit=100`)).json()) as { total: number };
      const referenceClusters = await reference.index.listClusters({ sort: 'size', limit: 100, offset: 0 });
      expect(clusters.total).toBe(referenceClusters.total);
      await reference.index.close();
    } finally {
      await Promise.all(workers.map((w) => stopWorker(w)));
      api.kill('SIGTERM');
      const timer = setTimeout(() => api.kill('SIGKILL'), 10_000);
      await apiExited;
      clearTimeout(timer);
      await deletePrefix(prefix);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out; output:\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

