import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { formatTable } from '../src/cli/table.js';
import { Engine } from '../src/engine/engine.js';
import type { Index } from '../src/engine/index-store.js';
import { loadServiceConfig } from '../src/service/config.js';
import { connectRedisIndex } from '../src/storage/redis-index.js';
import { benchPrefix, benchRedisUrl, deletePrefix, envCount, mean, quantile, usedMemory } from './redis-bench.js';
import type { SectionResult } from './run.js';
import { newsStream } from './stream.js';

/**
 * Redis memory per indexed article and per-article decision time as the index grows, in one pass:
 * BENCH_INDEX_ARTICLES (default 100,000) articles of the synthetic news stream (bench/stream.ts,
 * fixed seed, one every BENCH_INTERVAL_MS = 6 s of publication time, so 100,000 span 7 days: the
 * candidate window fills up exactly) go one at a time through `engine.assign` into a RedisIndex
 * with the worker's settings (128 permutations, 7-day window, 14-day retention, default bucket
 * shards; no stream publishing, no queue). At each checkpoint (10k, 25k, 50k, 100k, ... 1M) it records INFO
 * used_memory above the start and, over the last 2,000 articles, the decision times, the part of
 * them spent in Index calls (Redis round trips and record decoding) and how many clusters the
 * term postings offered as candidates (what grows with the index). At the end,
 * MEMORY USAGE of every key it wrote, by kind, shows where the bytes go. Own database index and key
 * prefix; its keys are deleted afterwards.
 */
const checkpointSizes = [10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000];
const timedPerCheckpoint = 2_000;

interface Checkpoint {
  articles: number;
  usedMemoryDelta: number;
  bytesPerArticle: number;
  /** Decision time (engine.assign against Redis) of the last `timed` articles, ms. */
  ms: { mean: number; p50: number; p99: number };
  /** Mean ms per decision inside Index calls; the rest is engine CPU. */
  indexMs: number;
  /** Mean Index calls and term-posting candidates per decision. */
  indexCalls: number;
  termCandidates: number;
  timed: number;
}

export async function run(): Promise<SectionResult> {
  const total = envCount('BENCH_INDEX_ARTICLES', 100_000);
  const intervalMs = envCount('BENCH_INTERVAL_MS', 6_000);
  const sizes = [...new Set([...checkpointSizes.filter((n) => n < total), total])];
  const service = loadServiceConfig({});
  const engine = new Engine({ windowMs: service.windowMs });
  const prefix = benchPrefix('index');
  const admin = new Redis(benchRedisUrl);
  const index = await connectRedisIndex(benchRedisUrl, {
    prefix,
    retentionMs: service.retentionMs,
    bucketShards: service.bucketShards,
  });
  const { probedIndex, probe } = probed(index);
  const times = new Float64Array(total);
  const indexMs = new Float64Array(total);
  const indexCalls = new Float64Array(total);
  const termCandidates = new Float64Array(total);
  const checkpoints: Checkpoint[] = [];
  let breakdown: Record<string, { keys: number; bytes: number }>;
  try {
    const before = await usedMemory(admin);
    const stream = newsStream({ seed: 20261123, intervalMs, start: Date.parse('2026-01-05T00:00:00Z') });
    let next = 0;
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const article = stream.next().value as Parameters<Engine['assign']>[0];
      probe.ms = probe.calls = probe.termCandidates = 0;
      const t0 = performance.now();
      await engine.assign(article, probedIndex);
      times[i] = performance.now() - t0;
      indexMs[i] = probe.ms;
      indexCalls[i] = probe.calls;
      termCandidates[i] = probe.termCandidates;
      if (i + 1 === sizes[next]) {
        const n = i + 1;
        const delta = (await usedMemory(admin)) - before;
        const from = Math.max(0, n - timedPerCheckpoint);
        const last = times.subarray(from, n);
        checkpoints.push({
          articles: n,
          usedMemoryDelta: delta,
          bytesPerArticle: delta / n,
          ms: { mean: mean(last), p50: quantile(last, 0.5), p99: quantile(last, 0.99) },
          indexMs: mean(indexMs.subarray(from, n)),
          indexCalls: mean(indexCalls.subarray(from, n)),
          termCandidates: mean(termCandidates.subarray(from, n)),
          timed: last.length,
        });
        const c = checkpoints[checkpoints.length - 1] as Checkpoint;
        process.stderr.write(
          `redis-index: ${n} articles after ${((performance.now() - started) / 1000).toFixed(0)} s: ` +
            `${c.bytesPerArticle.toFixed(0)} B/article, ${c.ms.mean.toFixed(2)} ms/decision (${c.indexMs.toFixed(2)} in Index), ` +
            `${c.termCandidates.toFixed(0)} term candidates\n`,
        );
        next++;
      }
    }
    breakdown = await memoryByKind(admin, index.keys.index);
  } finally {
    await index.close();
    await deletePrefix(admin, prefix);
    await admin.quit();
  }
  const first = checkpoints[0] as Checkpoint;
  const last = checkpoints[checkpoints.length - 1] as Checkpoint;
  const results = {
    articles: total,
    intervalMs,
    numPerm: engine.config.numPerm,
    lsh: engine.lsh,
    windowMs: service.windowMs,
    retentionMs: service.retentionMs,
    checkpoints,
    growth: { meanRatio: last.ms.mean / first.ms.mean, p50Ratio: last.ms.p50 / first.ms.p50 },
    memoryByKind: breakdown,
  };
  return { table: table(results), results };
}

/** Decision-level counters around an index: time inside its calls, calls, term candidates. */
function probed(index: Index): { probedIndex: Index; probe: { ms: number; calls: number; termCandidates: number } } {
  const probe = { ms: 0, calls: 0, termCandidates: 0 };
  const timed = new Set<PropertyKey>([
    'getArticle', 'getArticles', 'getClusters', 'lshCandidates', 'termCandidates', 'documentFrequencies',
    'sentenceCounts', 'nextSeq', 'apply', 'clusterMembers',
  ]);
  const probedIndex = new Proxy(index, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!timed.has(prop)) return method.bind(target);
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        const result = await method.apply(target, args);
        probe.ms += performance.now() - t0;
        probe.calls++;
        if (prop === 'termCandidates') probe.termCandidates += (result as string[]).length;
        return result;
      };
    },
  });
  return { probedIndex, probe };
}

/** Sum of MEMORY USAGE (all nested values) over the index's keys, by kind of key. */
async function memoryByKind(redis: Redis, keyPrefix: string): Promise<Record<string, { keys: number; bytes: number }>> {
  const kinds: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 2000);
    cursor = nextCursor;
    if (keys.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    const replies = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      // "b:<band>:<hash>" -> "b:*"; "a", "df", ... stay as they are.
      const rest = key.slice(keyPrefix.length);
      const kind = rest.includes(':') ? `${rest.slice(0, rest.indexOf(':'))}:*` : rest;
      const entry = (kinds[kind] ??= { keys: 0, bytes: 0 });
      entry.keys++;
      entry.bytes += Number(replies[i]?.[1] ?? 0);
    });
  } while (cursor !== '0');
  return kinds;
}

function table(r: {
  articles: number;
  checkpoints: Checkpoint[];
  growth: { meanRatio: number };
  memoryByKind: Record<string, { keys: number; bytes: number }>;
}): string {
  const header = [
    'indexed', 'used_memory +MB', 'bytes/article', 'ms mean', 'ms p50', 'ms p99', 'in Index ms', 'Index calls', 'term cands',
  ];
  const rows = r.checkpoints.map((c) => [
    c.articles.toLocaleString('en'), (c.usedMemoryDelta / 2 ** 20).toFixed(1), c.bytesPerArticle.toFixed(0),
    c.ms.mean.toFixed(3), c.ms.p50.toFixed(3), c.ms.p99.toFixed(3), c.indexMs.toFixed(3), c.indexCalls.toFixed(1),
    c.termCandidates.toFixed(1),
  ]);
  const kinds = Object.entries(r.memoryByKind).sort((a, b) => b[1].bytes - a[1].bytes);
  const kindRows = kinds.map(([kind, v]) => [kind, v.keys.toLocaleString('en'), (v.bytes / r.articles).toFixed(0)]);
  return [
    `ms = engine.assign against RedisIndex (mean of the last ${timedPerCheckpoint} articles before each checkpoint);`,
    '"in Index" = of which inside Index calls (Redis round trips, record decoding); term cands = clusters from term postings',
    formatTable(header, rows, header.map(() => true)),
    `per-article time at ${r.articles.toLocaleString('en')} vs at the first checkpoint: ${r.growth.meanRatio.toFixed(2)}x (mean)`,
    '',
    'MEMORY USAGE by key kind at the end',
    formatTable(['key', 'keys', 'bytes/article'], kindRows, [false, true, true]),
  ].join('\n');
}
