import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { QueueCounts } from '../../src/service/ports.js';
import { deletePrefix, redisUrl, testPrefix } from '../integration/redis-helpers.js';
import { inventedStories, withoutLabels } from './articles.js';
import { cpuSecondsOf, rssOf, sleep, startApi, startWorker, type CliProcess } from './harness.js';

/**
 * Load: the real `samestory api` and one `samestory worker` (loopback only). First the worker's
 * sustainable rate is measured on a warm-up batch; then single-article POSTs arrive at twice that
 * rate for LOAD_SECONDS (the issue says 60 s; 15 s in CI, see docs/reliability.md). The queue must
 * back up and drain, nothing accepted may be dropped, the API and worker RSS must stay bounded,
 * and GET /health must answer with p99 under 100 ms while the system is loaded.
 */
const LOAD_SECONDS = 15;
const WARMUP = 150;

const counts = async (base: string) => ((await (await fetch(`${base}/v1/queue`)).json()) as { counts: QueueCounts }).counts;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * GET `url` every 100 ms from a process of its own, so the load generator's event loop does not
 * delay the measurement. `stop()` returns each probe's latency in ms (-1: not a 200).
 */
function healthProbe(url: string): { stop(): Promise<number[]> } {
  const script = `
    let on = true;
    const out = [];
    process.on('SIGTERM', () => (on = false));
    (async () => {
      while (on) {
        const t = performance.now();
        try {
          const res = await fetch(process.argv[1]);
          await res.arrayBuffer();
          out.push(res.status === 200 ? performance.now() - t : -1);
        } catch {
          out.push(-1);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const child = spawn(process.execPath, ['-e', script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(stdout) as number[];
    },
  };
}

describe('reliability: load at 2x the sustainable rate', () => {
  const prefix = testPrefix();
  const processes: CliProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await deletePrefix(prefix);
  });

  it(`backs up, drains, drops nothing, stays bounded, /health p99 < 100 ms`, { timeout: 150_000 }, async () => {
    const [api, worker] = await Promise.all([startApi(redisUrl, prefix), startWorker(redisUrl, prefix, 4)]);
    processes.push(api, worker);
    const all = withoutLabels(inventedStories(1500, 2, 9));
    const post = (body: unknown, path = '/v1/articles') =>
      fetch(`${api.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    // Sustainable rate: how fast one worker assigns a warm-up batch.
    const warm = all.slice(0, WARMUP);
    const t0 = Date.now();
    expect((await post(warm, '/v1/articles/batch')).status).toBe(202);
    while ((await counts(api.base)).completed < WARMUP) await sleep(100);
    const sustainable = WARMUP / ((Date.now() - t0) / 1000);
    const rate = Math.min(2 * sustainable, 200);
    const baseline = { api: await rssOf(api.child.pid!), worker: await rssOf(worker.child.pid!) };

    // Offered load: `rate` POSTs per second, each on its own (no client-side queueing).
    const offered = all.slice(WARMUP, WARMUP + Math.ceil(rate * LOAD_SECONDS));
    const accepted: string[] = [];
    let rejected = 0;
    const inflight: Promise<void>[] = [];
    const health: number[] = [];
    const rss = { api: [] as number[], worker: [] as number[] };
    let maxWaiting = 0;
    const loadStart = Date.now();
    const probes = healthProbe(`${api.base}/health`);
    const cpuBefore = { api: await cpuSecondsOf(api.child.pid!), worker: await cpuSecondsOf(worker.child.pid!) };
    const sampler = setInterval(() => {
      void rssOf(api.child.pid!).then((v) => rss.api.push(v), () => undefined);
      void rssOf(worker.child.pid!).then((v) => rss.worker.push(v), () => undefined);
      void counts(api.base).then((c) => (maxWaiting = Math.max(maxWaiting, c.waiting)), () => undefined);
    }, 500);
    for (const [i, article] of offered.entries()) {
      const due = loadStart + (i * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
      inflight.push(
        post(article).then(
          (res) => (res.status === 202 ? void accepted.push(article.id) : void rejected++),
          () => void rejected++,
        ),
      );
    }
    await Promise.all(inflight);
    const offeredFor = (Date.now() - loadStart) / 1000;
    const cpu = {
      api: ((await cpuSecondsOf(api.child.pid!)) - cpuBefore.api) / offeredFor,
      worker: ((await cpuSecondsOf(worker.child.pid!)) - cpuBefore.worker) / offeredFor,
    };
    health.push(...(await probes.stop()));

    // Drain: everything accepted gets assigned.
    const drainStart = Date.now();
    for (;;) {
      const c = await counts(api.base);
      if (c.waiting + c.active + c.delayed === 0 && c.completed + c.failed >= WARMUP + accepted.length) break;
      if (Date.now() - drainStart > 90_000) throw new Error(`not drained in 90 s: ${JSON.stringify(c)}`);
      await sleep(250);
    }
    const drainedIn = (Date.now() - drainStart) / 1000;
    clearInterval(sampler);
    const final = await counts(api.base);
    const missing: string[] = [];
    for (let i = 0; i < accepted.length; i += 50) {
      const batch = accepted.slice(i, i + 50);
      const statuses = await Promise.all(batch.map((id) => fetch(`${api.base}/v1/articles/${id}`).then((r) => r.status)));
      batch.forEach((id, j) => statuses[j] !== 200 && missing.push(id));
    }

    const mb = (b: number) => Math.round(b / 2 ** 20);
    const peak = { api: Math.max(...rss.api), worker: Math.max(...rss.worker) };
    process.stderr.write(
      `[reliability] load: sustainable ${sustainable.toFixed(1)}/s, offered ${rate.toFixed(1)}/s for ${offeredFor.toFixed(1)} s ` +
        `(${offered.length} POSTs, ${accepted.length} accepted, ${rejected} rejected), max waiting ${maxWaiting}, drained ${drainedIn.toFixed(1)} s after; ` +
        `/health p50 ${percentile(health, 50).toFixed(1)} ms p99 ${percentile(health, 99).toFixed(1)} ms (${health.length} probes); ` +
        `RSS api ${mb(baseline.api)}→${mb(peak.api)} MB, worker ${mb(baseline.worker)}→${mb(peak.worker)} MB; ` +
        `CPU while loaded: api ${Math.round(cpu.api * 100)}%, worker ${Math.round(cpu.worker * 100)}% of a core\n`,
    );

    expect(rejected).toBe(0);
    expect(missing).toEqual([]);
    expect(final.failed).toBe(0);
    expect(maxWaiting, 'the queue backed up').toBeGreaterThan(rate); // more than a second of work queued
    expect(health.filter((ms) => ms < 0), 'every /health probe answered 200').toEqual([]);
    expect(percentile(health, 99)).toBeLessThan(100);
    // Bounded: neither process grows by more than 150 MB over its warm size under sustained overload.
    expect(peak.api - baseline.api).toBeLessThan(150 * 2 ** 20);
    expect(peak.worker - baseline.worker).toBeLessThan(150 * 2 ** 20);
  });
});
