import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { contentTerms, defaultEngineConfig, Engine, MinHasher, shingles, Vectorizer, words } from '../src/engine/index.js';
import { formatTable } from '../src/cli/table.js';
import type { SectionResult } from './run.js';
import { seededRandom, syntheticArticle } from './synthetic.js';

/**
 * Signature cost per article: normalise + shingles + MinHash + TF-IDF vector, through the engine's
 * own functions, for synthetic 200/800/3,000-word articles (fixed seed). In the same run, on the
 * same input, two obvious alternatives:
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

const sizes = [200, 800, 3000];
const articlesPerSize = 200;
const warmup = 30;

interface SizeResult {
  words: number;
  articles: number;
  shinglesPerArticle: number;
  /** Mean milliseconds per article. */
  ms: {
    engineTotal: number;
    engineNormalise: number;
    engineMinhash: number;
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
  return { table: table(results), results: { articlesPerSize, warmup, numPerm, shingleSize, sizes: results } };
}

async function measureSize(size: number, count: number): Promise<SizeResult> {
  const engine = new Engine();
  const { numPerm, seed, shingleSize, backgroundWeight } = engine.config;
  const hasher = new MinHasher(numPerm, seed);
  const vectorizer = new Vectorizer(backgroundWeight);
  const random = seededRandom(1000 + size);
  const texts = Array.from({ length: warmup + count }, () => syntheticArticle(random, size));
  const tokens = texts.map((text) => engine.text({ text }).sentences.flatMap(words));
  const shingleStrings = tokens.map((t) => [...new Set(windows(t, shingleSize))]);

  // Each measure runs `warmup` articles untimed, then times the rest.
  const measure = async (step: (i: number) => unknown): Promise<number> => {
    for (let i = 0; i < warmup; i++) await step(i);
    const start = performance.now();
    for (let i = warmup; i < texts.length; i++) await step(i);
    return (performance.now() - start) / count;
  };

  const df = new Map<string, number>();
  let docCount = 0;
  const engineTotal = await measure(async (i) => {
    const { sentences } = engine.text({ text: texts[i] as string });
    const features = await engine.features(sentences, async (terms) => ({
      docCount,
      df: terms.map((t) => df.get(t) ?? 0),
    }));
    for (const t of features.terms) df.set(t, (df.get(t) ?? 0) + 1);
    docCount++;
  });
  const engineNormalise = await measure((i) => engine.text({ text: texts[i] as string }));
  const engineMinhash = await measure((i) => hasher.signature(shingles(tokens[i] as string[], shingleSize)));
  // Same growing-corpus df as above, now read-only: only the vector's own cost is timed.
  const engineTfidf = await measure((i) => {
    const counts = Vectorizer.counts(contentTerms(tokens[i] as string[]));
    return vectorizer.vector(counts, [...counts.keys()].map((t) => df.get(t) ?? 0), docCount);
  });
  const npmMinhash = await measure((i) => {
    const m = new Minhash({ numPerm, seed });
    for (const s of shingleStrings[i] as string[]) m.update(s);
  });
  const corpus = new TfIdf();
  const naturalTfidf = await measure((i) => {
    corpus.addDocument(texts[i] as string);
    return corpus.listTerms(i);
  });

  return {
    words: size,
    articles: count,
    shinglesPerArticle: Math.round(mean(shingleStrings.map((s) => s.length))),
    ms: { engineTotal, engineNormalise, engineMinhash, engineTfidf, npmMinhash, naturalTfidf },
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
    'words', 'shingles', 'engine total', 'normalise', 'minhash', 'tf-idf',
    'npm minhash', 'vs engine', 'natural TfIdf', 'vs engine',
  ];
  const lines = rows.map((r) => [
    String(r.words), String(r.shinglesPerArticle), ms(r.ms.engineTotal), ms(r.ms.engineNormalise),
    ms(r.ms.engineMinhash), ms(r.ms.engineTfidf), ms(r.ms.npmMinhash), x(r.ratios.npmMinhashVsEngineMinhash),
    ms(r.ms.naturalTfidf), x(r.ratios.naturalTfidfVsEngineTfidf),
  ]);
  const note = `ms per article (mean of ${articlesPerSize} after ${warmup} warm-up), 128 permutations, same shingles and text`;
  return `${note}\n${formatTable(header, lines, header.map((_, i) => i > 0))}`;
}
