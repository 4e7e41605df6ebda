import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';

/**
 * Fuzz: the text pipeline (extract → normalise → sentences → shingles → MinHash → TF-IDF vector)
 * on arbitrary strings and HTML-ish markup. It must never throw, must be deterministic (a second
 * engine with the same config gives identical output), the signature always has numPerm values,
 * and vectors are finite and unit length (or empty). Bounded by runs and an interrupt time.
 */
const engine = new Engine();
const twin = new Engine();
const numPerm = engine.config.numPerm;

/** A fixed stream state: what the index would answer for document frequencies. */
const dfs = async (terms: string[]) => ({ docCount: 50, df: terms.map((t) => t.length % 7) });

const words = fc.constantFrom('Harbour', 'crane', 'collapsed', 'on', 'Tuesday', 'the', 'mayor', 'said', '42', '3.5%', '"quote"', '—', 'naïve', 'ﬁnance', 'İstanbul', '東京', '🙂', 'e\u0301', '\u200b', '\u0000', '\uFFFD', '.', '!', '?', '\n', '\t');
const prose = fc.array(words, { maxLength: 120 }).map((ws) => ws.join(' '));
const tag = fc.constantFrom('p', 'div', 'script', 'style', 'h1', 'br', 'img', 'a', 'article', 'svg', 'iframe', 'template', 'table', 'td');
const markup = fc
  .array(fc.oneof(prose, tag.map((t) => `<${t}>`), tag.map((t) => `</${t}>`), fc.constantFrom('<img src=x onerror=alert(1)>', '<!--', '-->', '&amp;', '&#0;', '&#xD800;', '<![CDATA[', ']]>', '<<<', '>')), { maxLength: 40 })
  .map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }), prose);

async function run(e: Engine, article: { title?: string; text?: string; html?: string }) {
  const text = e.text(article);
  const features = await e.features(text.sentences, dfs);
  return { text, features };
}

function check(result: Awaited<ReturnType<typeof run>>) {
  const { signature, vector, bandKeys } = result.features;
  expect(signature).toBeInstanceOf(Uint32Array);
  expect(signature.length).toBe(numPerm);
  expect(vector.terms.length).toBe(vector.weights.length);
  let norm = 0;
  for (const w of vector.weights) {
    expect(Number.isFinite(w)).toBe(true);
    norm += w * w;
  }
  if (vector.terms.length > 0) expect(Math.abs(Math.sqrt(norm) - 1)).toBeLessThan(1e-6);
  expect(bandKeys.every((k) => typeof k === 'string')).toBe(true);
}

describe('fuzz: text pipeline', () => {
  it('plain text: never throws, fixed signature length, deterministic', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(anyText, { nil: undefined }), anyText, async (title, text) => {
        const a = await run(engine, { title, text });
        check(a);
        const b = await run(twin, { title, text });
        expect(Array.from(b.features.signature)).toEqual(Array.from(a.features.signature));
        expect(b.features.vector).toEqual(a.features.vector);
        expect(b.text.contentHash).toBe(a.text.contentHash);
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 8_000, seed: 20261123 },
    );
  });

  it('HTML: never throws, fixed signature length, deterministic', async () => {
    await fc.assert(
      fc.asyncProperty(markup, async (html) => {
        const a = await run(engine, { html });
        check(a);
        const b = await run(twin, { html });
        expect(Array.from(b.features.signature)).toEqual(Array.from(a.features.signature));
        expect(b.features.bandKeys).toEqual(a.features.bandKeys);
      }),
      { numRuns: 400, interruptAfterTimeLimit: 8_000, seed: 20261124 },
    );
  });

  it('the same text twice gives the same signature; an empty text gives no band keys', async () => {
    await fc.assert(
      fc.asyncProperty(prose, async (text) => {
        const a = await run(engine, { text });
        const b = await run(engine, { text });
        expect(Array.from(b.features.signature)).toEqual(Array.from(a.features.signature));
      }),
      { numRuns: 100, interruptAfterTimeLimit: 4_000 },
    );
    expect((await run(engine, { text: '   \n\t ' })).features.bandKeys).toEqual([]);
  });
});
