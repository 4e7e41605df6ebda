import { XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { FeedError, sniff } from '../../src/feeds/detect.js';
import { itemToArticle, jsonItemFields } from '../../src/feeds/item.js';
import { maxItemChars, XmlFeedReader, type XmlEvent } from '../../src/feeds/xml-reader.js';
import { atomFeed, items, rssFeed } from './fixtures.js';

function read(doc: string, chunkSize = doc.length): XmlEvent[] {
  const reader = new XmlFeedReader();
  const events: XmlEvent[] = [];
  for (let i = 0; i < doc.length; i += chunkSize) events.push(...reader.write(doc.slice(i, i + chunkSize)));
  events.push(...reader.end());
  return events;
}

function itemsOf(events: XmlEvent[]) {
  return events.flatMap((e) => (e.kind === 'item' ? [e] : []));
}

/** The document the events describe, re-joined as read (root tag included). */
function rejoin(events: XmlEvent[]): string {
  return events.map((e) => (e.kind === 'text' ? e.text : e.kind === 'root' ? e.prolog + e.tag : e.kind === 'item' ? e.raw : '')).join('');
}

describe('XmlFeedReader', () => {
  it('reads RSS items with content:encoded CDATA HTML, guid, link and pubDate', () => {
    const events = read(rssFeed(items.slice(0, 2)));
    expect(events[0]).toMatchObject({ kind: 'root', format: 'rss', prolog: '<?xml version="1.0" encoding="UTF-8"?>\n' });
    const [first] = itemsOf(events);
    expect(first?.fields).toMatchObject({ id: 'avelin-post-1', link: 'https://avelinpost.example/news/bridge' });
    expect(first?.fields.html).toContain('<p>The Halvard Street bridge in Port Avelin');
    const conversion = itemToArticle(first!.fields);
    expect(conversion).toMatchObject({
      article: { id: 'avelin-post-1', source: 'avelinpost.example', publishedAt: '2026-11-19T08:00:00.000Z' },
    });
  });

  it('reads Atom xhtml content as markup and gives the same result for any chunking', () => {
    const doc = atomFeed(items.slice(0, 3));
    const whole = read(doc);
    const [entry] = itemsOf(whole);
    expect(entry?.fields.html).toMatch(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml"><p>The Halvard/);
    expect(entry?.fields.html).toMatch(/<\/p><\/div>$/);
    expect(entry?.fields.date).toBe('2026-11-19T08:00:00Z');
    for (const size of [1, 7, 64]) {
      const chunked = read(doc, size);
      expect(itemsOf(chunked)).toEqual(itemsOf(whole));
      expect(rejoin(chunked)).toBe(doc);
    }
  });

  it('keeps every byte of the document outside and inside items', () => {
    const doc = rssFeed(items, { extra: '    <!-- a comment -->\n    <image><url>https://x.example/i.png</url><link>https://x.example/</link></image>\n' });
    expect(rejoin(read(doc, 13))).toBe(doc);
  });

  it('reads Atom html and text content and summaries', () => {
    const doc = `<feed xmlns="http://www.w3.org/2005/Atom"><link rel="alternate" href="https://f.example/"/>
<entry><id>urn:1</id><content type="html">&lt;p&gt;Tom &amp;amp; Jerry&lt;/p&gt;</content></entry>
<entry><id>urn:2</id><summary>Only a summary.</summary></entry>
<entry><id>urn:3</id><content src="https://f.example/3"/><summary type="html">&lt;b&gt;s&lt;/b&gt;</summary></entry></feed>`;
    const fields = itemsOf(read(doc)).map((e) => e.fields);
    expect(fields[0]).toMatchObject({ html: '<p>Tom &amp; Jerry</p>' });
    expect(fields[1]).toMatchObject({ text: 'Only a summary.' });
    expect(fields[2]).toMatchObject({ html: '<b>s</b>' });
    expect(itemToArticle(fields[1]!, 'https://f.example/')).toMatchObject({ article: { source: 'f.example', text: 'Only a summary.' } });
  });

  it("names an item without a guid by its resolved link: two outlets' /news/1 are two items", () => {
    const item = { link: '/news/1', text: 'The ferry to Skarre was cancelled on Monday.' };
    expect(itemToArticle(item, 'https://alpha.example/')).toMatchObject({ article: { id: 'https://alpha.example/news/1', url: 'https://alpha.example/news/1' } });
    expect(itemToArticle(item, 'https://beta.example/')).toMatchObject({ article: { id: 'https://beta.example/news/1' } });
  });

  it('never expands DOCTYPE entities: the item using one is refused, the DOCTYPE dropped, the rest kept', () => {
    const laughs = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const doc = `<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY lol0 "lol">${laughs}]>\n<rss version="2.0"><channel>
<item><guid>bomb</guid><description>&lol9;</description></item>
<item><guid>fine</guid><description>Tom &amp; Jerry &#169; &lt;3</description></item></channel></rss>`;
    const events = read(doc);
    const [bomb, fine] = itemsOf(events);
    expect(bomb?.problems[0]).toMatch(/undefined entity.*not expanded/);
    expect(bomb?.fields.html ?? '').not.toContain('lollol');
    expect(fine?.problems).toEqual([]);
    expect(fine?.fields.html).toBe('Tom & Jerry © <3');
    expect(events.some((e) => e.kind === 'warning' && /DOCTYPE declares entities/.test(e.message))).toBe(true);
    expect(rejoin(events)).not.toContain('ENTITY');
  });

  it("reads HTML's named entities, which XML lacks but feeds print, and still refuses unknown ones", () => {
    const doc = `<rss version="2.0"><channel>
<item><guid>quote</guid><title>Harbour&rsquo;s new pier&nbsp;opens</title><description>Caf&eacute; &amp; bar &mdash; open</description></item>
<item><guid>unknown</guid><description>&notanentity; &constructor;</description></item></channel></rss>`;
    const [quote, unknown] = itemsOf(read(doc));
    expect(quote?.problems).toEqual([]);
    expect(quote?.fields).toMatchObject({ title: 'Harbour\u2019s new pier\u00a0opens', html: 'Caf\u00e9 & bar \u2014 open' });
    expect(unknown?.problems[0]).toMatch(/undefined entity/);
  });

  it('closes a truncated feed after the last complete item and reports the cut item', () => {
    const doc = rssFeed(items.slice(0, 3));
    const cut = doc.slice(0, doc.indexOf('<item>', doc.indexOf('library-1') - 400) + 60);
    const events = read(cut, 50);
    const found = itemsOf(events);
    expect(found.map((e) => e.problems.length === 0)).toEqual([true, true, false]);
    expect(found[2]?.problems[0]).toMatch(/truncated/);
    const out = rejoin(events);
    expect(XMLValidator.validate(out)).toBe(true);
    expect(out.endsWith('</channel></rss>')).toBe(true);
  });

  it('skips an item too large to hold without buffering it, and reads on', () => {
    const huge = 'word '.repeat(Math.ceil(maxItemChars / 5) + 100_000);
    const doc = `<rss version="2.0"><channel><item><guid>huge</guid><description>${huge}</description></item><item><guid>next</guid><description>ok</description></item></channel></rss>`;
    const reader = new XmlFeedReader();
    const events: XmlEvent[] = [];
    let largestBuffer = 0;
    for (let i = 0; i < doc.length; i += 65_536) {
      events.push(...reader.write(doc.slice(i, i + 65_536)));
      largestBuffer = Math.max(largestBuffer, (reader as unknown as { buf: string }).buf.length);
    }
    events.push(...reader.end());
    const [big, next] = itemsOf(events);
    expect(big).toMatchObject({ fields: { id: 'huge' }, problems: ['larger than 8 MiB of XML'] });
    expect(next).toMatchObject({ fields: { id: 'next', html: 'ok' }, problems: [] });
    expect(largestBuffer).toBeLessThanOrEqual(maxItemChars + 65_536);
  });

  it('refuses a document that is not a feed', () => {
    expect(() => read('<html><body>hi</body></html>')).toThrow(/unsupported XML root element <html>/);
  });

  it('marks an item with a malformed element and keeps reading', () => {
    const doc = `<rss version="2.0"><channel><item><guid>a</guid><description>x <b>y</description></item><item><guid>b</guid><description>ok</description></item></channel></rss>`;
    const [a, b] = itemsOf(read(doc));
    expect(a?.problems.length).toBeGreaterThan(0);
    expect(b).toMatchObject({ problems: [], fields: { id: 'b' } });
  });

  it('skips an item holding a closing tag that matches no element and reads on from its end, for any chunking', () => {
    const ok = (id: string) => `<item><guid>${id}</guid><description>ok</description></item>\n`;
    const docs = [
      // A child's end tag misspelt: the item ends at its own </item>.
      `<rss version="2.0"><channel>\n${ok('a')}<item><guid>b</guid><title>Ferry</titel><description>x</description></item>\n${ok('c')}</channel></rss>`,
      // The item's own end tag misspelt: the next item's start ends it, or the channel's end.
      `<rss version="2.0"><channel>\n${ok('a')}<item><guid>b</guid><description>x</description></itme>\n${ok('c')}</channel></rss>`,
      `<rss version="2.0"><channel>\n${ok('a')}${ok('c')}<item><guid>b</guid><description>x</description></itme>\n</channel></rss>`,
      `<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><id>a</id><summary>ok</summary></entry>\n<entry><id>b</id><title>Ferry</titel><summary>x</summary></entry>\n<entry><id>c</id><summary>ok</summary></entry>\n</feed>`,
    ];
    for (const doc of docs) {
      const whole = read(doc);
      const found = itemsOf(whole);
      expect(found.filter((i) => i.problems.length === 0).map((i) => i.fields.id)).toEqual(['a', 'c']);
      const stray = found.find((i) => i.fields.id === 'b');
      expect(stray?.problems[0]).toMatch(/^malformed XML: 1?\d:\d+: unmatched closing tag: (titel|itme) \(a closing tag that matches no open element/);
      expect(stray?.raw).toMatch(/^<(item|entry)><(guid|id)>b</);
      expect(whole.filter((e) => e.kind === 'warning')).toEqual([]);
      for (const size of [1, 7, 64]) {
        const chunked = read(doc, size);
        expect(itemsOf(chunked)).toEqual(found);
        expect(rejoin(chunked)).toBe(doc);
      }
    }
  });

  it('still stops the feed at a closing tag that matches no element outside the items, saying where', () => {
    const item = '<item><guid>a</guid><description>ok</description></item>';
    expect(() => read(`<rss version="2.0"><channel>${item}</titel>${item}</channel></rss>`)).toThrow(
      /^malformed XML after item 1: 1:\d+: unmatched closing tag: titel \(a closing tag that matches no open element, like <title>…<\/titel>\); the feed cannot be read past it$/,
    );
    expect(() => read(`<rss version="2.0"><channel><title>Desk</titel>${item}</channel></rss>`)).toThrow(/^malformed XML: 1:\d+: unmatched closing tag: titel /);
  });
});

describe('sniff', () => {
  it('tells JSON Lines from XML and reads the declared encoding', () => {
    expect(sniff(Buffer.from('\n {"id":"a"}\n'))).toMatchObject({ syntax: 'jsonl', encoding: 'utf-8' });
    const jsonFeed = '{\n  "version": "https://jsonfeed.org/version/1.1",\n  "title": "Desk",\n  "items": []\n}';
    expect(() => sniff(Buffer.from(jsonFeed))).toThrow(/JSON Feed \(jsonfeed\.org\) is not read: give its items as JSON Lines/);
    expect(sniff(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss/>'))).toMatchObject({ syntax: 'xml', encoding: 'iso-8859-1' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('<?xml version="1.0" encoding="UTF-16"?><rss/>', 'utf-16le')]);
    expect(sniff(utf16)).toMatchObject({ syntax: 'xml', encoding: 'utf-16le' });
  });

  it('refuses unknown encodings, empty and unrecognised input with a clear message', () => {
    expect(() => sniff(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><rss/>'))).toThrow(FeedError);
    expect(() => sniff(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><rss/>'))).toThrow(/unknown encoding "x-klingon"/);
    expect(() => sniff(Buffer.from('   \n'))).toThrow(/empty/);
    expect(() => sniff(Buffer.from('hello'))).toThrow(/unrecognised input/);
  });
});

describe('items to articles', () => {
  it('drops an unreadable date with a warning and refuses an item without text', () => {
    expect(itemToArticle({ id: 'a', text: 'Some words.', date: 'yesterday-ish' })).toEqual({
      article: { id: 'a', text: 'Some words.' },
      warnings: [expect.stringMatching(/date "yesterday-ish" ignored/)],
    });
    expect(itemToArticle({ id: 'a', title: 'Only a title', html: '  ' })).toEqual({ error: expect.stringMatching(/no text/) });
  });

  it('falls back to the link, then a content hash, for the id', () => {
    expect(itemToArticle({ link: 'https://x.example/1', text: 'Words.' })).toMatchObject({ article: { id: 'https://x.example/1' } });
    const a = itemToArticle({ text: 'Same words.' });
    expect(a).toMatchObject({ article: { id: expect.stringMatching(/^sha256:[0-9a-f]{32}$/) } });
    expect(itemToArticle({ text: 'Same words.' })).toEqual(a);
  });

  it('reads JSON items by Article, RSS or JSON Feed names and names a wrongly typed field', () => {
    expect(jsonItemFields({ guid: 'g', link: 'https://x.example/', content_html: '<p>x</p>', date_published: '2026-01-01' })).toEqual({
      id: 'g',
      link: 'https://x.example/',
      html: '<p>x</p>',
      date: '2026-01-01',
    });
    expect(() => jsonItemFields({ id: 'a', title: 7 })).toThrow(/^title: /);
    expect(() => jsonItemFields([1])).toThrow(/JSON object/);
  });
});
