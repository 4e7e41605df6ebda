import { PassThrough, Readable } from 'node:stream';
import { XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';
import type { FeedFormat } from '../../src/feeds/detect.js';
import { dedupFeed, type DedupMode } from '../../src/feeds/dedup.js';
import { XmlFeedReader } from '../../src/feeds/xml-reader.js';
import { atomFeed, items, jsonLines, rssFeed } from './fixtures.js';

async function run(input: string | Buffer, mode: DedupMode, format?: FeedFormat, index = new MemoryIndex(), minSimilarity?: number, feedLink?: string) {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const messages: string[] = [];
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  // Small chunks: items straddle chunk boundaries as they do on a real stream.
  const source = Readable.from(Array.from({ length: Math.ceil(bytes.length / 500) }, (_, i) => bytes.subarray(i * 500, i * 500 + 500)));
  const summary = await dedupFeed(source, output, { engine: new Engine(), index, mode, format, minSimilarity, feedLink, report: (m) => messages.push(m) });
  output.end();
  return { summary, out: Buffer.concat(chunks), text: Buffer.concat(chunks).toString('utf8'), messages };
}

function xmlItems(xml: string) {
  const reader = new XmlFeedReader();
  const events = [...reader.write(xml), ...reader.end()];
  expect(events.filter((e) => e.kind === 'warning')).toEqual([]);
  return events.flatMap((e) => (e.kind === 'item' ? [e] : []));
}

const ids = {
  first: ['avelin-post-1', 'tidal-a', 'library-1', 'football-1'],
  repeats: ['coast-times-7', 'tidal-b', 'herald-99'],
};

describe('dedupFeed', () => {
  it('RSS drop: one item per story (the wire story from three outlets, the two-outlet rewrite), the rest as read', async () => {
    const feed = rssFeed(items);
    const { text, summary, messages } = await run(feed, 'drop');
    expect(messages).toEqual([]);
    expect(summary).toMatchObject({ inputFormat: 'rss', outputFormat: 'rss', items: 7, emitted: 4, skipped: 0 });
    expect(XMLValidator.validate(text)).toBe(true);
    expect(xmlItems(text).map((i) => i.fields.id)).toEqual(ids.first);
    // Kept items and the channel are byte-for-byte what was read.
    expect(text.startsWith(feed.slice(0, feed.indexOf('<item>')))).toBe(true);
    for (const item of xmlItems(text)) expect(feed).toContain(item.raw);
    expect(text).not.toContain('samestory');
  });

  it('RSS annotate: keeps all items and marks the repeats with namespaced elements', async () => {
    const { text, summary } = await run(rssFeed(items), 'annotate');
    expect(summary.emitted).toBe(7);
    expect(XMLValidator.validate(text)).toBe(true);
    expect(text).toContain('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:samestory="https://samestory.dev/ns/1.0">');
    const found = xmlItems(text);
    const status = (raw: string) => /<samestory:status>(\w+)</.exec(raw)?.[1];
    const cluster = (raw: string) => /<samestory:cluster>([^<]+)</.exec(raw)?.[1];
    expect(found.filter((i) => status(i.raw) === 'first').map((i) => i.fields.id)).toEqual(ids.first);
    expect(found.filter((i) => status(i.raw) === 'repeat').map((i) => i.fields.id)).toEqual(ids.repeats);
    const byId = new Map(found.map((i) => [i.fields.id, i.raw]));
    expect(cluster(byId.get('coast-times-7')!)).toBe(cluster(byId.get('avelin-post-1')!));
    expect(cluster(byId.get('herald-99')!)).toBe(cluster(byId.get('avelin-post-1')!));
    expect(cluster(byId.get('tidal-b')!)).toBe(cluster(byId.get('tidal-a')!));
    expect(cluster(byId.get('tidal-a')!)).not.toBe(cluster(byId.get('avelin-post-1')!));
    // The wire copies are near-duplicates of the first one; the rewrite only the same story.
    expect(byId.get('herald-99')).toMatch(/<samestory:duplicateOf>(avelin-post-1|coast-times-7)</);
    expect(byId.get('tidal-b')).not.toContain('<samestory:duplicateOf>');
    expect(byId.get('herald-99')).toMatch(/<samestory:similarity>0\.\d+<\/samestory:similarity>\s*<samestory:decidedBy>(minhash|exact)</);
  });

  it('Atom (xhtml content) drop and annotate re-parse as valid Atom', async () => {
    const drop = await run(atomFeed(items), 'drop');
    expect(drop.summary.inputFormat).toBe('atom');
    expect(XMLValidator.validate(drop.text)).toBe(true);
    expect(xmlItems(drop.text)).toHaveLength(4);
    const annotate = await run(atomFeed(items), 'annotate');
    expect(XMLValidator.validate(annotate.text)).toBe(true);
    expect(annotate.text).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xmlns:samestory="https://samestory.dev/ns/1.0">');
    expect(annotate.text.match(/<samestory:status>repeat</g)).toHaveLength(3);
  });

  it('JSON Lines: drop writes the kept lines as read; annotate adds a samestory field', async () => {
    const input = jsonLines(items);
    const drop = await run(input, 'drop');
    const lines = input.trim().split('\n');
    expect(drop.text).toBe(
      lines
        .filter((l) => ids.first.includes(JSON.parse(l).guid))
        .map((l) => `${l}\n`)
        .join(''),
    );
    const annotate = await run(input, 'annotate');
    const out = annotate.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(7);
    expect(out[0]).toMatchObject({ guid: 'avelin-post-1', tags: ['x'], samestory: { status: 'first', decidedBy: 'new', duplicateOf: null } });
    expect(out.filter((o) => o.samestory.status === 'repeat').map((o) => o.guid)).toEqual(ids.repeats);
  });

  it('converts between formats with --format', async () => {
    const toJson = await run(rssFeed(items), 'annotate', 'jsonl');
    const objects = toJson.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(objects[0]).toMatchObject({ id: 'avelin-post-1', url: 'https://avelinpost.example/news/bridge', source: 'avelinpost.example', publishedAt: '2026-11-19T08:00:00.000Z' });
    expect(objects[0].html).toContain('<p>The Halvard');
    const toRss = await run(jsonLines(items), 'drop', 'rss');
    expect(XMLValidator.validate(toRss.text)).toBe(true);
    expect(xmlItems(toRss.text).map((i) => i.fields.id)).toEqual(ids.first);
    const toAtom = await run(jsonLines(items), 'annotate', 'atom');
    expect(XMLValidator.validate(toAtom.text)).toBe(true);
    expect(xmlItems(toAtom.text).map((i) => i.fields.id)).toContain('urn:samestory:library-1');
    // Atom requires an author for every entry: the feed-level one covers them.
    expect(toAtom.text).toMatch(/<author><name>[^<]+<\/name><\/author>/);
    // A relative item link is resolved against the feed's link, since the output cannot carry the base.
    const relative = rssFeed([{ ...(items[2] as (typeof items)[number]), link: '/library' }]);
    const toJsonRelative = await run(relative, 'drop', 'jsonl');
    expect(JSON.parse(toJsonRelative.text.trim())).toMatchObject({ url: 'https://feeds.example/library', source: 'feeds.example' });
  });

  it("gives a converted RSS channel a true <link>: --feed-link, else the input feed's own as read, else the items' shared origin", async () => {
    const channelLinks = (xml: string) => [...xml.replace(/<item>[\s\S]*?<\/item>/g, '').matchAll(/<link>([^<]*)<\/link>/g)].map((m) => m[1]);
    // JSON Lines names no feed link: the origin of the items' links, known after them.
    const oneSite = items.map((i) => ({ ...i, link: i.link.replace(/^https:\/\/[^/]+/, 'https://desk.example') }));
    const shared = await run(jsonLines(oneSite), 'annotate', 'rss');
    expect(shared.messages).toEqual([]);
    expect(XMLValidator.validate(shared.text)).toBe(true);
    expect(shared.text.endsWith('</item>\n<link>https://desk.example/</link>\n</channel>\n</rss>\n')).toBe(true);
    // Several sites share no origin: no link is true, so none, and a warning says so.
    const mixed = await run(jsonLines(items), 'drop', 'rss');
    expect(channelLinks(mixed.text)).toEqual([]);
    expect(mixed.messages).toEqual([expect.stringMatching(/^the RSS channel has no <link> \(RSS 2\.0 requires one\).*--feed-link URL$/)]);
    const given = await run(jsonLines(items), 'drop', 'rss', new MemoryIndex(), undefined, 'https://desk.example/?edition=north&lang=en');
    expect(given.messages).toEqual([]);
    expect(channelLinks(given.text)).toEqual(['https://desk.example/?edition=north&amp;lang=en']);
    expect(given.text.indexOf('<link>https://desk.example/')).toBeLessThan(given.text.indexOf('<item>'));
    // Atom -> RSS: the feed's own alternate link, as written.
    const atom = atomFeed(items).replace('<link href="https://atom.example/"/>', '<link href="https://atom.example/?edition=north&amp;lang=en"/>');
    expect(channelLinks((await run(atom, 'drop', 'rss')).text)).toEqual(['https://atom.example/?edition=north&amp;lang=en']);
    // RSS -> RSS keeps its channel as read, with or without the option.
    const kept = await run(rssFeed(items), 'drop');
    expect(channelLinks(kept.text)).toEqual(['https://feeds.example/']);
    const ignored = await run(rssFeed(items), 'drop', undefined, new MemoryIndex(), undefined, 'https://desk.example/');
    expect(ignored.text).toBe(kept.text);
    expect(ignored.messages).toEqual(["--feed-link not used: the output keeps the input's own feed elements as read"]);
  });

  it('with a minimum similarity, keeps a later report joined below it (doubtful) and drops one joined at it', async () => {
    const tidal = rssFeed(items.filter((i) => i.id.startsWith('tidal')));
    const annotated = await run(tidal, 'annotate', 'jsonl');
    const [, b] = annotated.text.trim().split('\n').map((l) => JSON.parse(l).samestory as { status: string; decidedBy: string; similarity: number });
    expect(b).toMatchObject({ status: 'repeat', decidedBy: 'tfidf' });
    const strict = await run(tidal, 'drop', 'jsonl', new MemoryIndex(), b!.similarity + 0.01);
    expect(strict.text.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['tidal-a', 'tidal-b']);
    expect((await run(tidal, 'drop', 'jsonl', new MemoryIndex(), b!.similarity)).text.trim().split('\n')).toHaveLength(1);
  });

  it('a second run over an overlapping feed with the same index emits only new stories', async () => {
    const index = new MemoryIndex();
    const first = await run(rssFeed(items.slice(0, 4)), 'drop', undefined, index);
    expect(xmlItems(first.text).map((i) => i.fields.id)).toEqual(['avelin-post-1', 'tidal-a', 'library-1']);
    const second = await run(rssFeed(items.slice(2)), 'drop', undefined, index);
    expect(xmlItems(second.text).map((i) => i.fields.id)).toEqual(['football-1']);
    const annotated = await run(rssFeed(items.slice(2, 3)), 'annotate', undefined, index);
    expect(annotated.text).toContain('<samestory:status>seen</samestory:status>');
  });

  it('skips bad items with a message naming them, warns on bad dates and repeated guids', async () => {
    const lines = [
      JSON.stringify({ guid: 'a', text: items[0]!.text, pubDate: 'not a date' }),
      '{"guid": "broken"',
      JSON.stringify({ guid: 'empty', title: 'Title only' }),
      JSON.stringify({ guid: 'typed', text: 5 }),
      JSON.stringify({ guid: 'a', text: items[0]!.text }),
      JSON.stringify({ guid: 'lib', text: items[2]!.text }),
    ];
    const { summary, messages, text } = await run(`${lines.join('\n')}\n`, 'drop');
    expect(summary).toMatchObject({ items: 6, emitted: 2, skipped: 3 });
    expect(text.trim().split('\n').map((l) => JSON.parse(l).guid)).toEqual(['a', 'lib']);
    expect(messages).toEqual([
      'line 1 ("a"): date "not a date" ignored: publishedAt: is not an ISO 8601 date',
      expect.stringMatching(/^skipped line 2: invalid JSON: /),
      'skipped line 3 ("empty"): no text (no content, description or summary)',
      expect.stringMatching(/^skipped line 4: text: /),
      'line 5 ("a"): id already used by an earlier item of this feed; treated as the same article',
    ]);
  });

  it('skips an item with a closing tag that matches no element as it skips one with an unknown entity: the rest decided and written as read', async () => {
    const feed = rssFeed(items);
    /** Item 3 ("library-1") spoilt by `fault`, and the line of the fault. */
    const spoilt = (from: string, fault: string, rest = '') => {
      expect(feed).toContain(from);
      const doc = feed.replace(from, fault + rest);
      return { doc, line: doc.slice(0, doc.indexOf(fault)).split('\n').length };
    };
    const bad = {
      entity: spoilt('<description>Greyhaven library reopens</description>', '<description>&bogus;', '</description>'),
      stray: spoilt('</title>\n      <link>https://greyhaven', '</titel>', '\n      <link>https://greyhaven'),
      ownEnd: spoilt('</item>\n    <item>\n      <title>Bridge closure', '</itme>', '\n    <item>\n      <title>Bridge closure'),
    };
    const entity = await run(bad.entity.doc, 'drop');
    const stray = await run(bad.stray.doc, 'drop');
    const ownEnd = await run(bad.ownEnd.doc, 'drop');
    for (const { summary } of [entity, stray, ownEnd]) expect(summary).toMatchObject({ items: 7, emitted: 3, skipped: 1 });
    expect(entity.messages).toEqual([expect.stringMatching(new RegExp(`^skipped item 3 \\("library-1"\\): malformed XML: ${bad.entity.line}:\\d+: undefined entity`))]);
    // The guid comes after the unclosed <title>, so it is not read: the item is named by position and line.
    expect(stray.messages).toEqual([expect.stringMatching(new RegExp(`^skipped item 3: malformed XML: ${bad.stray.line}:\\d+: unmatched closing tag: titel \\(`))]);
    expect(ownEnd.messages).toEqual([expect.stringMatching(new RegExp(`^skipped item 3 \\("library-1"\\): malformed XML: ${bad.ownEnd.line}:\\d+: unmatched closing tag: itme \\(`))]);
    // Written exactly as when the entity made the item unusable: everything but that item, as read.
    expect(stray.text).toBe(entity.text);
    expect(ownEnd.text).toBe(entity.text);
    expect(XMLValidator.validate(stray.text)).toBe(true);
    expect(xmlItems(stray.text).map((i) => i.fields.id)).toEqual(ids.first.filter((id) => id !== 'library-1'));
  });

  it('decodes a declared ISO-8859-1 feed and writes it back in the same encoding', async () => {
    const feed = rssFeed(items.slice(2, 3)).replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('Greyhaven', 'Grèyhaven');
    const { out, summary } = await run(iconv.encode(feed, 'latin1'), 'drop');
    expect(summary.emitted).toBe(1);
    expect(out.includes(Buffer.from([0xe8]))).toBe(true); // è as one Latin-1 byte
    expect(iconv.decode(out, 'latin1')).toBe(feed);
  });

  it('keeps a UTF-16 feed with its byte order mark', async () => {
    const feed = rssFeed(items.slice(2, 3)).replace('encoding="UTF-8"', 'encoding="UTF-16"');
    const input = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(feed, 'utf-16le')]);
    const { out } = await run(input, 'drop');
    expect(out.equals(input)).toBe(true);
  });
});
