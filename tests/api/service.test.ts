import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.js';
import { connectServiceDeps } from '../../src/api/service-deps.js';
import { Engine } from '../../src/engine/engine.js';
import { loadServiceConfig } from '../../src/service/config.js';
import { deletePrefix, redisUrl, testPrefix } from '../integration/redis-helpers.js';
import { readSse } from './sse.js';
import { startServiceStack } from './service-stack.js';
import { bakery, bridgeA, bridgeB, ferry } from './stories.js';

const key = 'service-test-key';
let app: FastifyInstance;
let stop: () => Promise<void>;
let base: string;

beforeAll(async () => {
  ({ app, stop } = await startServiceStack(key));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await stop();
});

const submit = (article: object, query = '?wait=true') =>
  app.inject({ method: 'POST', url: `/v1/articles${query}`, payload: article, headers: { 'x-api-key': key } });

describe('API over the real queue, worker and Redis index', () => {
  it('assigns through the worker, publishes live events, and serves the result from Redis', async () => {
    const stream = readSse(`${base}/v1/events`);
    await stream.opened;
    const a = await submit(bridgeA);
    expect(a.statusCode).toBe(200);
    expect(a.json()).toMatchObject({ status: 'done', assignment: { articleId: bridgeA.id, decidedBy: 'new', clusterSize: 1 } });

    const batch = await app.inject({
      method: 'POST',
      url: '/v1/articles/batch',
      payload: [bridgeB, { id: 'broken' }, bakery],
      headers: { authorization: `Bearer ${key}` },
    });
    expect(batch.statusCode).toBe(202);
    expect(batch.json().rejected).toEqual([expect.objectContaining({ index: 1, field: 'text' })]);

    await stream.until((e) => e.filter((x) => x.event === 'assignment').length >= 3);
    await stream.close();
    const ids = stream.events.filter((e) => e.event === 'assignment').map((e) => JSON.parse(e.data).articleId);
    expect(ids).toEqual([bridgeA.id, bridgeB.id, bakery.id]);

    const b = (await app.inject({ url: `/v1/articles/${bridgeB.id}` })).json();
    expect(b.assignment.clusterId).toBe(a.json().assignment.clusterId);
    const cluster = (await app.inject({ url: `/v1/clusters/${b.assignment.clusterId}` })).json();
    expect(cluster.members.map((m: { id: string }) => m.id)).toEqual([bridgeA.id, bridgeB.id]);
    expect(cluster.evidence.sharedTerms.length).toBeGreaterThan(3);

    const list = (await app.inject({ url: '/v1/clusters?sort=size' })).json();
    expect(list.total).toBe(2);
    expect(list.items[0]).toMatchObject({ size: 2, sources: ['daily.example', 'wire.example'] });
    const near = (await app.inject({ url: `/v1/articles/${bridgeA.id}/neighbours` })).json();
    expect(near.neighbours[0].article.id).toBe(bridgeB.id);
  });

  it('answers a re-submitted unchanged article with its assignment as it stands now', async () => {
    const again = await submit(bridgeA);
    expect(again.statusCode).toBe(200);
    // Its job is not run again (same id and content), and its cluster has grown since: size 2, not 1.
    expect(again.json()).toMatchObject({ status: 'done', assignment: { articleId: bridgeA.id, decidedBy: 'new', clusterSize: 2 } });
    // Without ?wait=true as well: nothing is queued, so it does not answer "queued".
    const unwaited = await submit(bridgeA, '');
    expect(unwaited.statusCode).toBe(200);
    expect(unwaited.json()).toMatchObject({ status: 'done', assignment: { articleId: bridgeA.id, clusterSize: 2 } });
  });

  it('resumes events from the durable stream with Last-Event-ID', async () => {
    const all = readSse(`${base}/v1/events?after=0`);
    await all.until((e) => e.length >= 3);
    await all.close();
    const resumed = readSse(`${base}/v1/events`, { 'last-event-id': all.events[0]!.id! });
    await resumed.until((e) => e.length >= 2);
    await resumed.close();
    expect(resumed.events.map((e) => JSON.parse(e.data).articleId)).toEqual([bridgeB.id, bakery.id]);
  });

  it('reports health, queue counts and metrics from Redis', async () => {
    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', checks: { redis: { ok: true }, queue: { ok: true }, workers: { ok: true } } });
    const queue = (await app.inject({ url: '/v1/queue' })).json();
    expect(queue.workers).toBe(1);
    expect(queue.counts.completed).toBe(3);
    expect(queue.throughput.reduce((s: number, n: number) => s + n, 0)).toBe(3);
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/samestory_articles_submitted_total\{endpoint="batch"\} 2/);
  });

  it('publishes POST /v1/dedup decisions on the stream and live, as a worker publishes', async () => {
    const live = readSse(`${base}/v1/events`);
    await live.opened;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/dedup',
      payload: { items: [{ ...ferry, guid: ferry.id }, { guid: 'bridge-copy', title: bridgeB.title, content_text: bridgeB.text, pubDate: bridgeB.publishedAt }] },
      headers: { 'x-api-key': key },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items.map((d: { status: string }) => d.status)).toEqual(['first', 'repeat']);
    await live.until((e) => e.filter((x) => x.event === 'assignment').length >= 2);
    await live.close();
    const published = live.events.filter((e) => e.event === 'assignment').map((e) => JSON.parse(e.data));
    expect(published.map((a: { articleId: string }) => a.articleId)).toEqual([ferry.id, 'bridge-copy']);
    expect(published[1]).toMatchObject({ duplicateOf: bridgeB.id, clusterSize: 3 });

    const durable = readSse(`${base}/v1/events?after=0`);
    await durable.until((e) => e.length >= 5);
    await durable.close();
    expect(durable.events.map((e) => JSON.parse(e.data).articleId).slice(3)).toEqual([ferry.id, 'bridge-copy']);
  });

  it('/health is degraded (200) while no worker is connected, and names why', async () => {
    const prefix = testPrefix();
    const config = loadServiceConfig({ REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix, LOG_LEVEL: 'silent' });
    const { deps, shutdown } = await connectServiceDeps(config, new Engine({ windowMs: config.windowMs }), false);
    const alone = await buildApi({ ...deps, waitTimeoutMs: 300 });
    try {
      const health = await alone.inject({ url: '/health' });
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({
        status: 'degraded',
        checks: { redis: { ok: true }, queue: { ok: true }, workers: { ok: false, error: expect.stringMatching(/no worker connected/) } },
      });
      expect((await alone.inject({ url: '/v1/queue' })).json().workers).toBe(0);
      // A wait that runs out is a 504, but the article is queued, and counted as submitted.
      const waited = await alone.inject({ method: 'POST', url: '/v1/articles?wait=true', payload: bakery });
      expect(waited.statusCode).toBe(504);
      expect((await alone.inject({ url: '/v1/queue' })).json().counts.waiting).toBe(1);
      expect((await alone.inject({ url: '/metrics' })).body).toMatch(/samestory_articles_submitted_total\{endpoint="single"\} 1/);
      // A batch's wait that runs out answers article by article: queued, and the batch is accepted.
      const batch = await alone.inject({ method: 'POST', url: '/v1/articles/batch?wait=true', payload: [ferry, bridgeB] });
      expect(batch.statusCode, batch.body).toBe(202);
      expect(batch.json().accepted.map((r: { status: string }) => r.status)).toEqual(['queued', 'queued']);
      // So does the library's submitter, within the wait asked for.
      const started = Date.now();
      const waitedOut = await deps.submitter.submit({ ...bakery, id: 'bakery-later' }, { wait: true, timeoutMs: 200 });
      expect(waitedOut).toMatchObject({ articleId: 'bakery-later', status: 'queued' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect((await alone.inject({ url: '/v1/queue' })).json().counts.waiting).toBe(4);
    } finally {
      await alone.close();
      await shutdown();
      await deletePrefix(prefix);
    }
  });

  it('still requires the key', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/articles', payload: bakery });
    expect(res.statusCode).toBe(401);
  });

  it('re-submitting earlier content after an update is an update back to it', async () => {
    const first = { id: 'revert-me', source: 'desk.example', title: 'Harbour crane order', text: 'Pellmouth harbour ordered two electric cranes from Varnholt on Monday for 14 million.' };
    const second = { ...first, title: 'Choir tour announced', text: 'The Lowen Crest youth choir will tour four northern towns in May, its director said.' };
    for (const version of [first, second, first]) expect((await submit(version)).statusCode).toBe(200);
    const stored = (await app.inject({ url: '/v1/articles/revert-me' })).json();
    expect(stored.article.title).toBe(first.title);
  });
});
