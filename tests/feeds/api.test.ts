import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxDedupBatch } from '../../src/api/routes/dedup.js';
import type { EmbeddedService } from '../../src/api/embedded.js';
import { embeddedApi } from '../api/embedded-app.js';
import { items } from './fixtures.js';

let app: FastifyInstance;
let service: EmbeddedService;
beforeAll(async () => {
  ({ app, service } = await embeddedApi());
});
afterAll(async () => {
  await app.close();
});

const feedItems = items.map((i) => ({ guid: i.id, link: i.link, title: i.title, content_text: i.text, pubDate: i.date }));

describe('POST /v1/dedup', () => {
  it("answers each item's decision in order: first reports emitted, repeats not, known items seen", async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/dedup', payload: { items: feedItems } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ emitted: 4, skipped: 0 });
    expect(body.items.map((d: { id: string; status: string }) => `${d.id}:${d.status}`)).toEqual([
      'avelin-post-1:first',
      'tidal-a:first',
      'library-1:first',
      'coast-times-7:repeat',
      'tidal-b:repeat',
      'herald-99:repeat',
      'football-1:first',
    ]);
    expect(body.items[3]).toMatchObject({ index: 3, emit: false, duplicateOf: 'avelin-post-1', decidedBy: 'minhash', clusterId: body.items[0].clusterId });

    const again = await app.inject({ method: 'POST', url: '/v1/dedup', payload: { items: feedItems.slice(0, 2) } });
    expect(again.json().items.map((d: { status: string }) => d.status)).toEqual(['seen', 'seen']);

    // Every change was published like a submitted article's (the seen items changed nothing).
    const published = (await service.read('0', 100)).flatMap((e) => (e.type === 'assignment' ? [e.assignment.articleId] : []));
    expect(published).toEqual(body.items.map((d: { id: string }) => d.id));
  });

  it('takes a minimum similarity for TF-IDF repeats (0 to 1); copies stay repeats whatever it is', async () => {
    const bad = await app.inject({ method: 'POST', url: '/v1/dedup', payload: { items: feedItems.slice(0, 1), minSimilarity: 2 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'minSimilarity' });
    const fresh = [
      { guid: 'tidal-x', content_text: feedItems[1]!.content_text, pubDate: feedItems[1]!.pubDate, link: 'https://x.example/1' },
      { guid: 'tidal-y', content_text: feedItems[4]!.content_text, pubDate: feedItems[4]!.pubDate, link: 'https://y.example/1' },
    ];
    // Copies of the tidal reports the first test indexed: near-duplicates, dropped even at 1.
    const res = await app.inject({ method: 'POST', url: '/v1/dedup', payload: { items: fresh, minSimilarity: 1 } });
    expect(res.json().items.map((d: { status: string; decidedBy: string }) => `${d.status}:${d.decidedBy}`)).toEqual(['repeat:minhash', 'repeat:minhash']);
  });

  it('answers an unusable item as skipped, with a reason, and decides the rest', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/dedup',
      payload: { items: [{ guid: 'no-text', title: 'Only a title' }, { guid: 'dated', text: 'Fresh words about a new harbour crane.', pubDate: 'soon' }] },
    });
    expect(res.statusCode).toBe(200);
    const [skipped, dated] = res.json().items;
    expect(skipped).toMatchObject({ status: 'skipped', emit: false, error: 'items[0] ("no-text"): no text (no content, description or summary)' });
    expect(dated).toMatchObject({ status: 'first', emit: true, warnings: [expect.stringMatching(/date "soon" ignored/)] });
  });

  it('refuses a wrongly typed body or an oversized batch with a 400 naming the field', async () => {
    const typed = await app.inject({ method: 'POST', url: '/v1/dedup', payload: { items: [{ guid: 'a', text: 5 }] } });
    expect(typed.statusCode).toBe(400);
    expect(typed.json()).toMatchObject({ field: 'items.0.text' });
    const big = await app.inject({ method: 'POST', url: '/v1/dedup', payload: { items: Array.from({ length: maxDedupBatch + 1 }, (_, i) => ({ guid: `g${i}`, text: 'x' })) } });
    expect(big.statusCode).toBe(400);
    expect(big.json()).toMatchObject({ field: 'items' });
    const empty = await app.inject({ method: 'POST', url: '/v1/dedup', payload: { items: [] } });
    expect(empty.statusCode).toBe(400);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/dedup'].post.summary).toBe('Deduplicate a batch of feed items');
  });
});
