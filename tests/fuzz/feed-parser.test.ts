import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';
import { dedupFeed, type DedupSummary } from '../../src/feeds/dedup.js';
import { FeedError } from '../../src/feeds/detect.js';

/**
 * Fuzz: the feed reader behind `samestory dedup`. Arbitrary bytes, arbitrary strings and mangled
 * RSS/Atom/JSON Lines either give a summary (items decided or skipped with a report) or a
 * FeedError (the input as a whole is unusable). Never any other exception, never a hang: each case
 * must settle within a few seconds. Input is split into chunks at arbitrary points, as a pipe would.
 */
const engine = new Engine();

class Sink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.bytes += chunk.length;
    callback();
  }
}

async function* chunked(data: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(data.length, cut);
    if (end > at) yield data.subarray(at, end);
    at = Math.max(at, end);
  }
  if (at < data.length) yield data.subarray(at);
}

/** Runs dedup on `data`; resolves 'ok' or 'feed-error', rejects on anything else or after 5 s. */
async function dedup(data: Buffer, cuts: number[], mode: 'drop' | 'annotate' = 'drop'): Promise<'decided' | 'ok' | 'feed-error'> {
  const reports: string[] = [];
  const run = dedupFeed(chunked(data, cuts), new Sink(), { engine, index: new MemoryIndex(), mode, report: (m) => reports.push(m), now: () => Date.UTC(2026, 10, 23) });
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`dedup did not settle in 5 s on ${JSON.stringify(data.toString('latin1').slice(0, 200))}`)), 5_000);
  });
  try {
    const summary: DedupSummary = await Promise.race([run, hang]);
    expect(summary.emitted).toBeLessThanOrEqual(summary.items);
    return summary.items > summary.skipped ? 'decided' : 'ok';
  } catch (error) {
    if (error instanceof FeedError) {
      expect(error.message.length).toBeGreaterThan(0);
      return 'feed-error';
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const cuts = fc.array(fc.nat({ max: 3000 }), { maxLength: 6 });

const piece = fc.oneof(
  fc.constantFrom(
    '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.0" encoding="no-such"?>',
    '<rss version="2.0">', '</rss>', '<channel>', '</channel>', '<item>', '</item>', '<title>', '</title>', '<description>', '</description>',
    '<guid>', '</guid>', '<link>', '</link>', '<pubDate>', '</pubDate>', 'Tue, 10 Jun 2003 04:00:00 GMT', '0000-00-00', '9999-12-31T23:59:59Z',
    '<feed xmlns="http://www.w3.org/2005/Atom">', '</feed>', '<entry>', '</entry>', '<content type="xhtml">', '</content>', '<summary>', '</summary>',
    '<![CDATA[', ']]>', '&amp;', '&lol;', '&#0;', '&#x110000;', '<!DOCTYPE rss [<!ENTITY lol "lol">]>', '<!--', '-->', '<', '>', '/>',
    '<script>alert(1)</script>', '\u0000', '\uFEFF', '\uFFFD',
    '{"id":"a","text":"Harbour crane collapsed"}', '{"title":1}', '{', '}', '[]', 'null', '\n',
  ),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('Harbour crane collapsed on Tuesday.', 'The mayor said forty-two workers were evacuated.', 'Storm closes the ferry port.'),
);
const feedish = fc.array(piece, { maxLength: 60 }).map((parts) => Buffer.from(parts.join(''), 'utf8'));
const bytes = fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a));
const prefixed = fc.tuple(fc.constantFrom('<rss version="2.0"><channel><item><title>', '{"id":"x","text":"', '\uFEFF<feed xmlns="http://www.w3.org/2005/Atom"><entry>'), fc.uint8Array({ maxLength: 1500 })).map(([head, tail]) => Buffer.concat([Buffer.from(head), Buffer.from(tail)]));

/** A well-formed RSS, Atom or JSON Lines feed of 1-5 items, then mangled: junk spliced in, cut short. */
const sentence = fc.constantFrom('Harbour crane collapsed on Tuesday in Ashford.', 'The mayor said forty-two workers were evacuated.', 'Storm closes the ferry port at Kesmere.', 'Caf\u00e9 owners <b>protest</b> the tariff & the curfew.');
const item = fc.tuple(fc.nat({ max: 50 }), fc.array(sentence, { minLength: 1, maxLength: 4 }), fc.string({ maxLength: 20 }));
const wellFormed = fc.tuple(fc.constantFrom('rss', 'atom', 'jsonl'), fc.array(item, { minLength: 1, maxLength: 5 })).map(([format, items]) => {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  if (format === 'jsonl') return items.map(([n, text, title]) => JSON.stringify({ id: `i${n}`, title, text: text.join(' ') })).join('\n');
  if (format === 'rss') {
    return `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items.map(([n, text, title]) => `<item><guid>i${n}</guid><title>${esc(title)}</title><description>${esc(text.join(' '))}</description></item>`).join('')}</channel></rss>`;
  }
  return `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>${items.map(([n, text, title]) => `<entry><id>i${n}</id><title>${esc(title)}</title><content>${esc(text.join(' '))}</content></entry>`).join('')}</feed>`;
});
const mangled = fc.tuple(wellFormed, fc.array(fc.tuple(fc.nat(), piece), { maxLength: 3 }), fc.option(fc.nat(), { nil: undefined })).map(([feed, splices, cut]) => {
  let text = feed;
  for (const [at, junk] of splices) text = text.slice(0, at % (text.length + 1)) + junk + text.slice(at % (text.length + 1));
  if (cut !== undefined) text = text.slice(0, text.length - (cut % Math.max(1, text.length)));
  return Buffer.from(text, 'utf8');
});

describe('fuzz: feed parser', () => {
  it('arbitrary bytes: a summary or a FeedError, never a crash or a hang', async () => {
    await fc.assert(fc.asyncProperty(bytes, cuts, async (data, at) => void (await dedup(data, at))), { numRuns: 1000, interruptAfterTimeLimit: 10_000, seed: 7 });
  });

  it('feed-shaped input (mangled RSS, Atom, JSON Lines, entities, encodings): never a crash or a hang', async () => {
    const outcomes = { decided: 0, ok: 0, 'feed-error': 0 };
    await fc.assert(
      fc.asyncProperty(fc.oneof(feedish, prefixed, mangled, mangled), cuts, fc.constantFrom('drop' as const, 'annotate' as const), async (data, at, mode) => {
        outcomes[await dedup(data, at, mode)]++;
      }),
      { numRuns: 1500, interruptAfterTimeLimit: 15_000, seed: 11 },
    );
    // The generator reaches every outcome (items decided, nothing usable, unusable input).
    process.stderr.write(`[fuzz] feed-shaped outcomes: ${JSON.stringify(outcomes)}\n`);
    expect(outcomes.decided).toBeGreaterThan(0);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes['feed-error']).toBeGreaterThan(0);
  });
});
