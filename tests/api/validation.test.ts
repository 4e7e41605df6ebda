import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedApi } from './embedded-app.js';
import { bakery } from './stories.js';

const key = 'test-key-0123';
let app: FastifyInstance;

beforeAll(async () => {
  ({ app } = await embeddedApi(key));
});
afterAll(async () => {
  await app.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = { 'x-api-key': key }) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('write endpoints and the API key', () => {
  it('refuses a missing or wrong key with 401 JSON', async () => {
    const attempts: Record<string, string>[] = [{}, { 'x-api-key': 'nope' }, { authorization: 'Bearer nope' }, { authorization: key }];
    for (const headers of attempts) {
      const res = await post('/v1/articles', bakery, headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: 'unauthorized' });
    }
  });

  it('accepts X-API-Key and Authorization: Bearer', async () => {
    expect((await post('/v1/articles', bakery, { 'x-api-key': key })).statusCode).toBe(202);
    expect((await post('/v1/articles', { ...bakery, id: 'bakery-bearer' }, { authorization: `Bearer ${key}` })).statusCode).toBe(202);
  });

  it('keeps read endpoints open', async () => {
    expect((await app.inject({ url: '/v1/clusters' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('guards POST /v1/dedup too', async () => {
    const res = await post('/v1/dedup', { items: [bakery] }, {});
    expect(res.statusCode).toBe(401);
  });
});

describe('bad input is a 4xx JSON naming the field', () => {
  it.each([
    ['empty text', { id: 'x', text: '   ' }, 'text'],
    ['wrong type', { id: 7, text: 'words' }, 'id'],
    ['unknown field', { id: 'x', text: 'words', colour: 'red' }, 'colour'],
    ['absurd date', { id: 'x', text: 'words', publishedAt: '1066-10-14' }, 'publishedAt'],
    ['unparseable date', { id: 'x', text: 'words', publishedAt: 'yesterday' }, 'publishedAt'],
    ['day/month-ambiguous date', { id: 'x', text: 'words', publishedAt: '05/11/2026' }, 'publishedAt'],
    ['missing id', { text: 'words' }, 'id'],
    ['NUL in id', { id: 'a\u0000b', text: 'words' }, 'id'],
    ['not an object', ['x'], 'body'],
  ])('%s', async (_name, body, field) => {
    const res = await post('/v1/articles', body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toMatchObject({ error: 'validation', field });
  });

  it('malformed JSON is 400 JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      payload: '{"id": "x", "text": ',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'malformed_json' });
  });

  it('a body over the limit is 413 JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/articles',
      payload: JSON.stringify({ id: 'big', text: 'word '.repeat(1_000_000) }),
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: 'payload_too_large' });
  });

  it('an oversized body over a real socket still gets its 413 JSON, not a broken pipe', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const body = JSON.stringify({ id: 'big', text: 'x'.repeat(10_000_000) });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${base}/v1/articles`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': key } });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
    }
  });

  it('bad query parameters are 400 naming the parameter', async () => {
    for (const [url, field] of [
      ['/v1/clusters?limit=abc', 'limit'],
      ['/v1/clusters?limit=1000', 'limit'],
      ['/v1/clusters?sort=random', 'sort'],
      ['/v1/clusters?colour=red', 'colour'],
      ['/v1/articles/x/neighbours?limit=0', 'limit'],
      ['/v1/clusters?limit=1.5', 'limit'],
      ['/v1/clusters?offset=2e1', 'offset'],
      // Routes without parameters refuse them too.
      ['/v1/clusters/c-1?foo=1', 'foo'],
      ['/v1/articles/x?x=1', 'x'],
      ['/v1/queue?x=1', 'x'],
    ] as const) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ error: 'validation', field });
    }
  });

  it('unknown ids and routes are 404 JSON', async () => {
    for (const url of ['/v1/articles/nobody', '/v1/articles/nobody/neighbours', '/v1/clusters/none', '/v2/what']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ error: 'not_found' });
    }
  });

  it('an id too long for the router is 414 JSON naming it, like every other error', async () => {
    const res = await app.inject({ url: `/v1/articles/${'x'.repeat(1100)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: 'uri_too_long', field: 'id', message: expect.stringMatching(/at most 512/) });
  });
});

describe('batch', () => {
  it('accepts the valid items and reports each invalid one by index and field', async () => {
    const res = await post('/v1/articles/batch', [
      { id: 'b1', text: 'first article text' },
      { id: 'b2' },
      { id: 'b3', text: 'third', extra: true },
      { id: 'b4', text: 'fourth article text' },
    ]);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted.map((a: { index: number }) => a.index)).toEqual([0, 3]);
    expect(body.rejected).toEqual([
      expect.objectContaining({ index: 1, field: 'text' }),
      expect.objectContaining({ index: 2, field: 'extra' }),
    ]);
  });

  it('is 400 when no item is valid, and when it is empty or too large', async () => {
    const none = await post('/v1/articles/batch', [{ id: 'z' }]);
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ error: 'validation', field: '0.text' });
    expect((await post('/v1/articles/batch', [])).statusCode).toBe(400);
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ id: `t${i}`, text: 'x' }));
    expect((await post('/v1/articles/batch', tooMany)).statusCode).toBe(400);
  });
});

describe('documents', () => {
  it('serves an OpenAPI document naming every endpoint', async () => {
    const res = await app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/articles',
        '/v1/articles/batch',
        '/v1/articles/{id}',
        '/v1/articles/{id}/neighbours',
        '/v1/clusters',
        '/v1/clusters/{id}',
        '/v1/events',
        '/v1/dedup',
        '/health',
        '/metrics',
      ]),
    );
    expect(doc.paths['/v1/articles'].post.requestBody.content['application/json'].schema.properties.text).toBeDefined();
    // Write endpoints declare the key; read endpoints are open.
    for (const path of ['/v1/articles', '/v1/articles/batch', '/v1/dedup']) {
      expect(doc.paths[path].post.security, path).toEqual([{ apiKey: [] }, { bearer: [] }]);
    }
    expect(doc.paths['/v1/clusters'].get.security).toBeUndefined();
    // Query parameters with a default are optional to the caller, on every endpoint.
    type Parameter = { name: string; in: string; required: boolean; schema: { default?: unknown } };
    const withDefault = Object.entries(doc.paths as Record<string, Record<string, { parameters?: Parameter[] }>>).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, op]) =>
        (op.parameters ?? []).filter((p) => p.schema?.default !== undefined).map((p) => ({ at: `${method} ${path} ${p.name}`, required: p.required })),
      ),
    );
    expect(withDefault.map((p) => p.at)).toEqual(
      expect.arrayContaining(['get /v1/clusters sort', 'get /v1/clusters limit', 'post /v1/articles wait', 'get /v1/articles/{id}/neighbours limit']),
    );
    for (const p of withDefault) expect(p.required, p.at).toBe(false);
  });

  it('serves the dashboard shell with a strict content security policy', async () => {
    for (const url of ['/', '/clusters/c-1', '/articles/a%2Fb']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    expect((await app.inject({ url: '/static/app.js' })).statusCode).toBe(200);
  });
});
