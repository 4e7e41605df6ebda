import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareStreamIds } from '../../src/api/routes/events.js';
import { embeddedApi } from './embedded-app.js';
import { readSse } from './sse.js';
import { bakery, bridgeA, bridgeB, ferry } from './stories.js';

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  ({ app } = await embeddedApi());
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
});

const submit = (article: object) => app.inject({ method: 'POST', url: '/v1/articles?wait=true', payload: article });

describe('GET /v1/events', () => {
  it('streams assignments live as they are decided', async () => {
    const stream = readSse(`${base}/v1/events`);
    expect(await stream.opened).toEqual({ status: 200, contentType: 'text/event-stream; charset=utf-8' });
    await submit(bridgeA);
    await submit(bridgeB);
    await stream.until((e) => e.length >= 2);
    await stream.close();
    expect(stream.events.map((e) => e.event)).toEqual(['assignment', 'assignment']);
    expect(stream.events.map((e) => JSON.parse(e.data).articleId)).toEqual([bridgeA.id, bridgeB.id]);
    expect(compareStreamIds(stream.events[1]!.id!, stream.events[0]!.id!)).toBeGreaterThan(0);
  });

  it('resumes after Last-Event-ID: replays what was missed, then continues live, without repeats', async () => {
    const first = readSse(`${base}/v1/events?after=0`);
    await first.until((e) => e.length >= 2);
    await first.close();
    const lastSeen = first.events[0]!.id!; // as if the client had only seen bridgeA's event

    await submit(bakery); // published while the client is away
    const resumed = readSse(`${base}/v1/events`, { 'last-event-id': lastSeen });
    await resumed.until((e) => e.length >= 2);
    await submit(ferry);
    await resumed.until((e) => e.length >= 3);
    await resumed.close();
    expect(resumed.events.map((e) => JSON.parse(e.data).articleId)).toEqual([bridgeB.id, bakery.id, ferry.id]);
  });

  it('rejects a malformed resume id', async () => {
    const res = await app.inject({ url: '/v1/events?after=abc' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'after' });
    const header = await app.inject({ url: '/v1/events', headers: { 'last-event-id': 'banana' } });
    expect(header.statusCode).toBe(400);
    expect(header.json()).toMatchObject({ error: 'validation', field: 'last-event-id' });
  });
});

describe('compareStreamIds', () => {
  it('orders Redis stream ids numerically, not as text', () => {
    expect(compareStreamIds('10-0', '9-5')).toBeGreaterThan(0);
    expect(compareStreamIds('5-10', '5-9')).toBeGreaterThan(0);
    expect(compareStreamIds('5-1', '5-1')).toBe(0);
    expect(compareStreamIds('5', '5-0')).toBe(0);
  });
});
