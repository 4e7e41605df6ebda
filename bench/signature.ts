import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { defaultEngineConfig, Engine, MinHasher, Vectorizer, words } from '../src/engine/index.js';
import { tokenise, type Tokens } from '../src/engine/text.js';
import { termCounts } from '../src/engine/tfidf.js';
import { formatTable } from '../src/cli/table.js';
import type { SectionResult } from './run.js';
import { seededRandom, syntheticArticle } from './synthetic.js';

/**
 * Signature cost per article through the engine's own functions, for synthetic 200/800/3,000-word
 * articles (fixed seed): `engine.text()` (normalise, sentences, generic boilerplate) and
 * `engine.features()` (tokens -> shingles -> MinHash signature and band keys; term counts with name
 * terms -> TF-IDF vector), the latter also in its parts. features() is timed twice: on articles the
 * process has seen before (its token memos know their words, as in a long-running stream) and on
 * the same number of articles it has not (their new words are stemmed and memoised on the way).
 * In the same run, on the same input, two obvious alternatives:
 * - npm `minhash` (128 permutations) fed the same word shingles, as strings (built outside the timed
 *   loop, which favours it);
 * - natural's `TfIdf` used the obvious way on a growing corpus: addDocument(text), then
 *   listTerms(i) for the new document's weights.
 * The engine's TF-IDF also sees a growing corpus: its stream document frequencies are updated after
 * each article, as the index does.
 */
const require = createRequire(import.meta.url);
const { Minhash } = require('minhash') as {
  Minhash: new (config: { numPerm: number; seed: number }) => { update(shingle: string): void };
};
const { TfIdf } = require('natural/lib/natural/tfidf/index.js') as {
  TfIdf: new () => { addDocument(text: string): void; listTerms(d: number): { term: string; tfidf: number }[] };
};

/**
 * A full garbage collection before each timed loop, so that none falls in it for garbage an earlier
 * measurement left (natural's corpus, npm minhash's objects): each loop pays only for its own.
 * The flag set at run time exposes gc() to a new context.
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const sizes = [200, 800, 3000];
const articlesPerSize = 200;
const warmup = 30;
/** Timed passes of the measures that can repeat (the median is reported). */
const passes = 5;

interface SizeResult {
  words: number;
  articles: number;
  shinglesPerArticle: number;
  /** Mean milliseconds per article. */
  ms: {
    /** text() + features(). */
    engineTotal: number;
    engineText: number;
    /** The signature: MinHash + TF-IDF from the sentences, article seen before (the 0.2 ms target). */
    engineFeatures: number;
    /** The same on articles not seen before. */
    engineFeaturesFirstSight: number;
    /** Parts of features(): tokenising (words, their hashes and content terms) ... */
    engineTokenise: number;
    /** ... shingles + MinHash signature from the words' hashes ... */
    engineMinhash: number;
    /** ... and term counts (with name terms) + TF-IDF vector from the content terms. */
    engineTfidf: number;
    npmMinhash: number;
    naturalTfidf: number;
  };
  ratios: { npmMinhashVsEngineMinhash: number; naturalTfidfVsEngineTfidf: number };
}

export async function run(): Promise<SectionResult> {
  // One discarded pass first, so the JIT has compiled every path before anything is timed.
  await measureSize(200, 50);
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await measureSize(size, articlesPerSize));
  const { numPerm, shingleSize } = defaultEngineConfig;
  return { table: table(results), results: { articlesPerSize, warmup, passes, numPerm, shingleSize, sizes: results } };
}

async function measureSize(size: number, count: number): Promise<SizeResult> {
  const engine = new Engine();
  const { numPerm, seed, shingleSize, backgroundWeight } = engine.config;
  const hasher = new MinHasher(numPerm, seed);
  const vectorizer = new Vectorizer(backgroundWeight);
  const random = seededRandom(1000 + size);
  const texts = Array.from({ length: warmup + count }, () => syntheticArticle(random, size));
  // More articles of the same stream, for features() on first sight (text() leaves the token memos alone).
  const unseen = Array.from({ length: warmup + count }, () => engine.text({ text: syntheticArticle(random, size) }).sentences);
  const sentences = texts.map((text) => engine.text({ text }).sentences);
  const shingleStrings = sentences.map((s) => [...new Set(windows(words(s.join('\n')), shingleSize))]);

  // Each measure runs `warmup` articles untimed, then times the rest: once for what changes state as
  // it goes (first sight, a growing corpus), else `repeat` times, giving the median pass (the machine
  // is shared; one pass can catch a neighbour's burst).
  const measure = async (step: (i: number) => unknown, repeat = 1): Promise<number> => {
    for (let i = 0; i < warmup; i++) await step(i);
    const means: number[] = [];
    for (let pass = 0; pass < repeat; pass++) {
      collectGarbage();
      const start = performance.now();
      for (let i = warmup; i < texts.length; i++) await step(i);
      means.push((performance.now() - start) / count);
    }
    return means.sort((a, b) => a - b)[Math.floor(repeat / 2)] as number;
  };

  const df = new Map<string, number>();
  let docCount = 0;
  const documentFrequencies = async (terms: string[]) => ({ docCount, df: terms.map((t) => df.get(t) ?? 0) });
  // First sight of `texts`, as an index would see them.
  const engineTotal = await measure(async (i) => {
    const features = await engine.features(engine.text({ text: texts[i] as string }).sentences, documentFrequencies);
    for (const t of features.terms) df.set(t, (df.get(t) ?? 0) + 1);
    docCount++;
  });
  // From here on the growing-corpus df is read-only: only the engine's own cost is timed.
  const engineFeaturesFirstSight = await measure((i) => engine.features(unseen[i] as string[], documentFrequencies));
  const engineText = await measure((i) => engine.text({ text: texts[i] as string }), passes);
  const engineFeatures = await measure((i) => engine.features(sentences[i] as string[], documentFrequencies), passes);
  const engineTokenise = await measure((i) => tokenise((sentences[i] as string[]).join('\n')), passes);
  const tokens = sentences.map((s) => tokenise(s.join('\n')));
  const engineMinhash = await measure((i) => hasher.wordSignature((tokens[i] as Tokens).hashes, shingleSize), passes);
  const engineTfidf = await measure((i) => {
    const counted = termCounts((tokens[i] as Tokens).terms, sentences[i] as string[]);
    return vectorizer.vector(counted, counted.terms.map((t) => df.get(t.text) ?? 0), docCount, engine.config.nameBoost);
  }, passes);
  const npmMinhash = await measure((i) => {
    const m = new Minhash({ numPerm, seed });
    for (const s of shingleStrings[i] as string[]) m.update(s);
  }, passes);
  const corpus = new TfIdf();
  const naturalTfidf = await measure((i) => {
    corpus.addDocument(texts[i] as string);
    return corpus.listTerms(i);
  });

  return {
    words: size,
    articles: count,
    shinglesPerArticle: Math.round(mean(shingleStrings.map((s) => s.length))),
    ms: { engineTotal, engineText, engineFeatures, engineFeaturesFirstSight, engineTokenise, engineMinhash, engineTfidf, npmMinhash, naturalTfidf },
    ratios: {
      npmMinhashVsEngineMinhash: npmMinhash / engineMinhash,
      naturalTfidfVsEngineTfidf: naturalTfidf / engineTfidf,
    },
  };
}

function windows(tokens: readonly string[], k: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + k <= tokens.length; i++) out.push(tokens.slice(i, i + k).join(' '));
  return out;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function table(rows: readonly SizeResult[]): string {
  const ms = (x: number) => x.toFixed(3);
  const x = (r: number) => `${r.toFixed(1)}x`;
  const header = [
    'words', 'shingles', 'engine total', 'text', 'features', 'first sight', 'tokenise', 'minhash', 'tf-idf',
    'npm minhash', 'vs engine', 'natural TfIdf', 'vs engine',
  ];
  const lines = rows.map((r) => [
    String(r.words), String(r.shinglesPerArticle), ms(r.ms.engineTotal), ms(r.ms.engineText), ms(r.ms.engineFeatures),
    ms(r.ms.engineFeaturesFirstSight), ms(r.ms.engineTokenise), ms(r.ms.engineMinhash), ms(r.ms.engineTfidf),
    ms(r.ms.npmMinhash), x(r.ratios.npmMinhashVsEngineMinhash), ms(r.ms.naturalTfidf), x(r.ratios.naturalTfidfVsEngineTfidf),
  ]);
  const note =
    `ms per article (mean of ${articlesPerSize} after ${warmup} warm-up; median of ${passes} passes where a pass can repeat), ` +
    '128 permutations, same shingles and text; ' +
    'engine total and "first sight": articles new to the process; features and its parts: articles seen before';
  return `${note}\n${formatTable(header, lines, header.map((_, i) => i > 0))}`;
}
