import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApi } from '../../src/api/app.js';
import { embeddedPorts, type EmbeddedService } from '../../src/api/embedded.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';
import { embeddedApi } from './embedded-app.js';
import { bakery, bridgeA, bridgeB, ferry } from './stories.js';

let app: FastifyInstance;
let service: EmbeddedService;
/** bridgeB's assignment as answered by POST ?wait=true. */
let submitted: { articleId: string; clusterId: string; clusterSize: number; duplicateOf: string | null; similarity: number; decidedBy: string };

beforeAll(async () => {
  ({ app, service } = await embeddedApi());
  for (const article of [bakery, bridgeA]) {
    const res = await app.inject({ method: 'POST', url: '/v1/articles?wait=true', payload: article });
    expect(res.statusCode).toBe(200);
  }
});
afterAll(async () => {
  await app.close();
});

describe('assignments', () => {
  it('?wait=true answers 200 with the assignment; without it, 202 with a job id', async () => {
    const waited = await app.inject({ method: 'POST', url: '/v1/articles?wait=true', payload: bridgeB });
    expect(waited.statusCode).toBe(200);
    const body = waited.json();
    expect(body).toMatchObject({ articleId: bridgeB.id, status: 'done' });
    // The republication joins the wire story (as a duplicate or by TF-IDF: the engine's call).
    const first = (await app.inject({ url: `/v1/articles/${bridgeA.id}` })).json();
    expect(body.assignment).toMatchObject({ clusterId: first.assignment.clusterId, clusterSize: 2 });
    expect(body.assignment.decidedBy).not.toBe('new');
    submitted = body.assignment;

    const queued = await app.inject({ method: 'POST', url: '/v1/articles', payload: ferry });
    expect(queued.statusCode).toBe(202);
    expect(queued.json()).toMatchObject({ articleId: ferry.id, status: 'queued', jobId: expect.any(String) });
    await service.idle();
    // Sent again unchanged: answered with its assignment (nothing queued), as the queue service does.
    const again = await app.inject({ method: 'POST', url: '/v1/articles', payload: ferry });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ articleId: ferry.id, status: 'done', assignment: { articleId: ferry.id } });
  });

  it('GET /v1/articles/:id gives the assignment and stored information, no engine internals', async () => {
    const res = await app.inject({ url: `/v1/articles/${bridgeB.id}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.assignment).toMatchObject({ ...submitted, clusterSize: 2 });
    expect(body.article).toMatchObject({ id: bridgeB.id, source: 'daily.example', title: bridgeB.title, url: bridgeB.url, publishedAt: '2026-03-03T10:30:00.000Z' });
    expect(body.article.signature).toBeUndefined();
    expect(body.cluster).toMatchObject({ id: body.assignment.clusterId, size: 2 });
  });

  it('neighbours are ranked by cosine, the story partner first', async () => {
    const res = await app.inject({ url: `/v1/articles/${bridgeA.id}/neighbours?limit=5` });
    expect(res.statusCode).toBe(200);
    const { neighbours } = res.json();
    expect(neighbours[0].article.id).toBe(bridgeB.id);
    expect(neighbours[0].similarity).toBeGreaterThan(0.8);
    expect(neighbours[0].similarity).toBeLessThanOrEqual(1 + 1e-9);
    for (const n of neighbours) expect(n.article.id).not.toBe(bridgeA.id);
    const sims = neighbours.map((n: { similarity: number }) => n.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
  });
});

describe('clusters', () => {
  it('lists by size or by update, with total and paging', async () => {
    const bySize = (await app.inject({ url: '/v1/clusters?sort=size' })).json();
    expect(bySize.total).toBe(3);
    expect(bySize.items[0]).toMatchObject({ size: 2, sources: ['daily.example', 'wire.example'] });
    expect(bySize.items[0].timeline).toHaveLength(2);
    const page2 = (await app.inject({ url: '/v1/clusters?sort=size&limit=1&offset=1' })).json();
    expect(page2).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page2.items).toHaveLength(1);
    expect(page2.items[0].id).not.toBe(bySize.items[0].id);
  });

  it('filters by title text and by source', async () => {
    const q = (await app.inject({ url: '/v1/clusters?q=QUILLMOOR' })).json();
    expect(q.total).toBe(1);
    expect(q.items[0].title).toMatch(/Quillmoor/);
    const src = (await app.inject({ url: '/v1/clusters?source=local.example' })).json();
    expect(src.items.map((c: { sources: string[] }) => c.sources)).toEqual([['local.example']]);
    expect((await app.inject({ url: '/v1/clusters?source=nowhere.example' })).json().total).toBe(0);
    expect((await app.inject({ url: '/v1/clusters?source=Local.Example' })).json().total).toBe(1);
  });

  it('a cluster shows members in order, their decisions, and shared rare terms as evidence', async () => {
    const { clusterId } = (await app.inject({ url: `/v1/articles/${bridgeA.id}` })).json().assignment;
    const res = await app.inject({ url: `/v1/clusters/${clusterId}` });
    expect(res.statusCode).toBe(200);
    const c = res.json();
    expect(c.members.map((m: { id: string }) => m.id)).toEqual([bridgeA.id, bridgeB.id]);
    expect(c.members[0]).toMatchObject({ decidedBy: 'new', duplicateOf: null });
    const { clusterId: _c, articleId: _a, clusterSize: _s, ...decision } = submitted;
    expect(c.members[1]).toMatchObject(decision);
    for (const m of c.members) {
      expect(m.centroidSimilarity).toBeGreaterThan(0.9);
      expect(m.centroidSimilarity).toBeLessThanOrEqual(1 + 1e-9);
    }
    const terms = c.evidence.sharedTerms;
    expect(terms.length).toBeGreaterThan(3);
    expect(terms.every((t: { members: number }) => t.members === 2)).toBe(true);
    const weights = terms.map((t: { weight: number }) => t.weight);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
    // A name only this story uses outranks an everyday word both articles also share.
    const rank = (prefix: string) => terms.findIndex((t: { term: string }) => t.term.startsWith(prefix));
    expect(rank('quillmoor')).toBeGreaterThanOrEqual(0);
    expect(rank('tuesdai') === -1 || rank('quillmoor') < rank('tuesdai')).toBe(true);
  });
});

describe('operations', () => {
  it('keeps probes out of the info log: /health and /metrics log nothing, other requests do', async () => {
    const lines: { url?: string; req?: { url?: string } }[] = [];
    const { deps } = embeddedPorts(new Engine(), new MemoryIndex());
    const logged = await buildApi({ ...deps, logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } } });
    try {
      for (const url of ['/health', '/metrics', '/v1/clusters']) expect((await logged.inject({ url })).statusCode).toBe(200);
      const urls = lines.map((l) => l.req?.url).filter((u) => u !== undefined);
      expect(urls).toEqual(['/v1/clusters']);
    } finally {
      await logged.close();
    }
  });

  it('/health is 503 naming the check that fails', async () => {
    // A Redis that is not there: nothing listens on port 1.
    const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    const { deps } = embeddedPorts(new Engine(), new MemoryIndex());
    const down = await buildApi({ ...deps, checks: { redis: () => redis.ping() } });
    try {
      const res = await down.inject({ url: '/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', checks: { queue: { ok: true }, redis: { ok: false, error: expect.any(String) } } });
    } finally {
      await down.close();
      redis.disconnect();
    }
  });

  it('reports queue counts and throughput, health and Prometheus metrics', async () => {
    const q = (await app.inject({ url: '/v1/queue' })).json();
    expect(q.counts).toMatchObject({ waiting: 0, active: 0, failed: 0 });
    expect(q.counts.completed).toBeGreaterThanOrEqual(4);
    expect(q.throughput).toHaveLength(30);
    expect(q.throughput.at(-1)).toBeGreaterThanOrEqual(4);

    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', checks: { queue: { ok: true }, workers: { ok: true } } });

    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.body).toMatch(/samestory_articles_submitted_total\{endpoint="single"\} 5/);
    expect(metrics.body).toMatch(/samestory_queue_jobs\{state="completed"\} [4-9]/);
    expect(metrics.body).toMatch(/samestory_http_request_duration_seconds_count\{method="GET",route="\/v1\/clusters\/:id",status_code="200"\}/);
  });
});
