import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backgroundShare } from '../../../src/engine/background.js';
import { internTerm, tokenise } from '../../../src/engine/text.js';
import { cosine, overlap, termCounts, Vectorizer } from '../../../src/engine/tfidf.js';

describe('term counts', () => {
  it('counts content terms and name pairs in first-seen order, boosts names, and leaves out boilerplate terms', () => {
    const sentences = ['Harbour crane collapsed near Kelmore Point.', 'The crane fell on Tuesday at Kelmore Point, crews said.', 'Subscribe to the Coast Post'];
    const { terms, counts, boosted } = termCounts(tokenise(sentences.slice(0, 2).join('\n')).terms, sentences.slice(0, 2), sentences.slice(2));
    expect(terms.map((t) => t.text)).toEqual(['harbour', 'crane', 'collaps', 'near', 'kelmor', 'point', 'fell', 'tuesdai', 'crew', 'kelmor_point']);
    expect(counts).toEqual([1, 2, 1, 1, 2, 2, 1, 1, 1, 2]);
    expect(terms.filter((_, i) => boosted[i]).map((t) => t.text)).toEqual(['kelmor', 'point', 'tuesdai', 'kelmor_point']);
    // A term of the boilerplate is dropped even where the article repeats it.
    const withBoilerplate = termCounts(tokenise('Crane down').terms, ['Crane down'], ['The crane desk']);
    expect(withBoilerplate.terms.map((t) => t.text)).toEqual(['down']);
  });
});

describe('TF-IDF vectors', () => {
  const vectorizer = new Vectorizer(50);

  it('weighs (1 + ln tf) * idf * boost over the blended idf, unit length', () => {
    const texts = ['crane', 'kelmor', 'kelmore_point', 'the'];
    const counts = [3, 1, 2, 1];
    const df = [4, 0, 1, 9];
    const boosted = [false, true, true, false];
    const v = vectorizer.vector({ terms: texts.map(internTerm), counts, boosted }, df, 10, 3.5);
    const raw = texts.map(
      (t, i) => (1 + Math.log(counts[i] as number)) * Math.log((50 + 10 + 1) / (50 * backgroundShare(t) + (df[i] as number) + 1)) * (boosted[i] ? 3.5 : 1),
    );
    const kept = texts.map((t, i) => [t, raw[i] as number] as const).filter(([, w]) => w > 0);
    const norm = Math.sqrt(kept.reduce((s, [, w]) => s + w * w, 0));
    expect(v.terms).toEqual(kept.map(([t]) => t).sort());
    for (const [t, w] of kept) expect(v.weights[v.terms.indexOf(t)]).toBeCloseTo(w / norm, 12);
  });

  it('sorts any terms in code-unit order, like Array.prototype.sort', () => {
    // Shared long prefixes, prefixes of each other and characters outside [0-9_a-z] exercise the
    // order keys' ties and early stops.
    const char = fc.constantFrom('a', 'b', 'z', '0', '9', '_', '-', '!', 'A', '~', 'é', 'ж', '\u00a0', '\uffff');
    const term = fc.oneof(
      fc.array(char, { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')),
      fc.array(char, { minLength: 0, maxLength: 4 }).map((cs) => `internation${cs.join('')}`),
      fc.string({ minLength: 1, maxLength: 10 }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(term, { maxLength: 300 }), (texts) => {
        const v = vectorizer.vector({ terms: texts.map(internTerm), counts: texts.map(() => 1), boosted: texts.map(() => false) }, texts.map(() => 0), 100);
        expect(v.terms).toEqual([...texts].sort());
      }),
      { numRuns: 300, seed: 3 },
    );
  });
});

describe('overlap', () => {
  it('counts shared terms, the share of the dot product the heaviest one carries, and the cosine', () => {
    const a = { terms: ['ferry', 'port', 'road'], weights: [0.6, 0.2, 0.5] };
    const b = { terms: ['council', 'port', 'road'], weights: [0.3, 0.5, 0.8] };
    // Shared: port 0.2 * 0.5 = 0.1 and road 0.5 * 0.8 = 0.4.
    expect(overlap(a, b)).toEqual({ shared: 2, topShare: 0.8, cosine: cosine(a, b) });
    expect(cosine(a, b)).toBeCloseTo(0.5 / Math.sqrt(0.65 * 0.98), 12);
    expect(overlap(a, { terms: ['zebra'], weights: [1] })).toEqual({ shared: 0, topShare: 0, cosine: 0 });
  });
});
