import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { embeddedApi } from '../api/embedded-app.js';
import { projectRoot } from '../cli/run-cli.js';

/**
 * Access control. The write endpoints are enumerated from the served OpenAPI document, so a new
 * one cannot be added without this suite checking it. Documented policy (docs/api.md, OpenAPI
 * description): every non-GET operation needs the key; reads, events and the dashboard are open.
 */
const KEY = 'reliability-key-0123456789';
const writeMethods = ['post', 'put', 'patch', 'delete'];

interface Operation {
  method: string;
  path: string;
}

/** A concrete URL for an OpenAPI path template (`{id}` → a made-up id). */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'no-such-id');

/** A body each write endpoint would accept: the point is that only the key decides. */
function bodyFor(path: string): unknown {
  const article = { id: 'access-1', title: 'Harbour crane inspection', text: 'Inspectors visited the harbour crane on Tuesday and found it safe.' };
  if (path.endsWith('/batch')) return [article];
  if (path.includes('dedup')) return { items: [{ id: 'access-2', title: article.title, text: article.text }] };
  return article;
}

describe('reliability: access', () => {
  let app: FastifyInstance;
  let operations: Operation[];

  beforeAll(async () => {
    ({ app } = await embeddedApi(KEY));
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', ...writeMethods].includes(m))
        .map((method) => ({ method, path })),
    );
  });

  afterAll(async () => {
    await app?.close();
  });

  it('the OpenAPI document lists the write endpoints', () => {
    const writes = operations.filter((o) => writeMethods.includes(o.method)).map((o) => `${o.method} ${o.path}`);
    // The known ones must be there; any further write endpoint is covered by the next test too.
    expect(writes).toEqual(expect.arrayContaining(['post /v1/articles', 'post /v1/articles/batch', 'post /v1/dedup']));
  });

  it('every write endpoint refuses a missing or wrong key with 401 JSON, and takes the right one', async () => {
    const writes = operations.filter((o) => writeMethods.includes(o.method));
    const tried: string[] = [];
    for (const { method, path } of writes) {
      const url = concrete(path);
      const payload = bodyFor(path);
      const attempts: Record<string, string>[] = [
        {},
        { 'x-api-key': 'wrong' },
        { 'x-api-key': `${KEY}x` },
        { 'x-api-key': KEY.slice(0, -1) },
        { 'x-api-key': '' },
        { authorization: 'Bearer wrong' },
        { authorization: KEY }, // not "Bearer <key>"
        { authorization: `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}` },
      ];
      for (const headers of attempts) {
        const res = await app.inject({ method: method.toUpperCase() as 'POST', url, payload: payload as object, headers });
        expect(res.statusCode, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.json()).toMatchObject({ error: 'unauthorized' });
        tried.push(`${method} ${path}`);
      }
      for (const headers of [{ 'x-api-key': KEY }, { authorization: `Bearer ${KEY}` }]) {
        const res = await app.inject({ method: method.toUpperCase() as 'POST', url, payload: payload as object, headers });
        expect(res.statusCode, `${method} ${path} with the key: ${res.body}`).not.toBe(401);
        expect(res.statusCode, `${method} ${path} with the key: ${res.body}`).toBeLessThan(500);
      }
    }
    expect(tried.length).toBe(writes.length * 8);
  });

  it('read endpoints and the dashboard are open (no key needed), as documented', async () => {
    const reads = operations.filter((o) => o.method === 'get' && !o.path.includes('events'));
    expect(reads.length).toBeGreaterThan(0);
    for (const { path } of reads) {
      const res = await app.inject({ method: 'GET', url: concrete(path) });
      expect(res.statusCode, `GET ${path}`).not.toBe(401);
      expect(res.statusCode, `GET ${path}`).toBeLessThan(500);
    }
    for (const url of ['/', '/openapi.json']) expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });

  it('the event stream is open too (headers checked, stream then dropped)', async () => {
    const events = operations.filter((o) => o.method === 'get' && o.path.includes('events'));
    expect(events.length).toBeGreaterThan(0);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const { path } of events) {
      const controller = new AbortController();
      const res = await fetch(address + concrete(path), { signal: controller.signal });
      expect(res.status, `GET ${path}`).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      controller.abort();
    }
  });

  it('compares keys in constant time (crypto.timingSafeEqual) and only in src/api/auth.ts', () => {
    const auth = readFileSync(join(projectRoot, 'src', 'api', 'auth.ts'), 'utf8');
    expect(auth).toMatch(/import\s*\{[^}]*\btimingSafeEqual\b[^}]*\}\s*from\s*'node:crypto'/);
    expect(auth).toMatch(/timingSafeEqual\(/);
    // The presented key is compared only through its digest, never with === or a string method.
    expect(auth.replace(/presented\s*===\s*null/g, '')).not.toMatch(/presented\s*[!=]=|[!=]=\s*presented|presented\.(startsWith|localeCompare|includes)/);
    // Nowhere else in the API reads the key header (so no second, plain comparison can exist).
    const apiDir = join(projectRoot, 'src', 'api');
    const files = readdirSync(apiDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && f !== 'auth.ts');
    for (const file of files) expect(readFileSync(join(apiDir, file), 'utf8'), file).not.toMatch(/x-api-key['"]\]/i);
  });

  it('docker-compose.yml publishes no Redis port', () => {
    const file = join(projectRoot, 'docker-compose.yml');
    expect(existsSync(file), 'docker-compose.yml exists').toBe(true);
    const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as { services?: Record<string, Record<string, unknown>> };
    const services = compose.services ?? {};
    const redisServices = Object.entries(services).filter(([name, s]) => /redis/i.test(name) || /redis/i.test(String(s.image ?? '')));
    expect(redisServices.length, 'a redis service is defined').toBeGreaterThan(0);
    for (const [name, service] of redisServices) {
      expect(service.ports, `${name} must not publish ports`).toBeUndefined();
      expect(service.network_mode, `${name} must not share the host network`).not.toBe('host');
    }
    // Nothing else publishes 6379 either.
    for (const [name, service] of Object.entries(services)) {
      const ports = (service.ports as unknown[] | undefined) ?? [];
      for (const p of ports) expect(JSON.stringify(p), `${name} publishes ${JSON.stringify(p)}`).not.toMatch(/6379/);
    }
  });
});
