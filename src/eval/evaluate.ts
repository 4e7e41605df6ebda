import { performance } from 'node:perf_hooks';
import type { EngineConfig } from '../engine/config.js';
import { Engine, publicationTime } from '../engine/engine.js';
import { MemoryIndex } from '../engine/memory-index.js';
import { DatasetError, type LabelledArticle } from './dataset.js';
import { clusteringMetrics, type ClusteringMetrics, type DuplicateLink } from './metrics.js';

export interface Evaluation extends ClusteringMetrics {
  /** Time spent inside Engine.assign, in seconds (reading and parsing excluded). */
  engineSeconds: number;
  articlesPerSecond: number;
}

export interface EvaluateOptions<T extends LabelledArticle = LabelledArticle> {
  config?: Partial<EngineConfig>;
  /** Clock for articles without publishedAt; fixed for the whole run so results are repeatable. */
  now?: number;
  /** Called after each article is assigned (e.g. to advance a progress bar). */
  onAssigned?: (item: T) => void;
}

/**
 * Runs the engine over a labelled set in publication order, one decision per article, over a fresh
 * MemoryIndex, and scores the final clustering (cluster ids after any merges) against the labels.
 * The order is `samestory cluster`'s: by date (the article's, else its HTML page's), undated ones
 * at `now`, ties in input order; a set without dates runs in its own order. The engine sees only
 * Article fields, under opaque ids; labels stay here.
 */
export async function evaluate<T extends LabelledArticle>(
  items: AsyncIterable<T> | Iterable<T>,
  options: EvaluateOptions<T> = {},
): Promise<Evaluation> {
  const engine = new Engine(options.config);
  const index = new MemoryIndex();
  const now = options.now ?? Date.now();
  const seen = new Map<string, T>();
  const labels: string[] = [];
  const duplicateOf: (string | null)[] = [];
  let elapsed = 0;

  const read: T[] = [];
  for await (const item of items) {
    const first = seen.get(item.article.id);
    if (first !== undefined) {
      const earlier = first.where === undefined ? '' : `, first at ${first.where}`;
      throw new DatasetError(`${item.where ?? 'article'}: id ${JSON.stringify(item.article.id)} occurs twice${earlier}`);
    }
    seen.set(item.article.id, item);
    read.push(item);
  }
  // An HTML page's own date needs its extraction, which is done again (timed) when it is decided.
  const times = read.map(({ article }) => publicationTime(article, article.html ? engine.text(article).page : undefined) ?? now);
  const order = [...read.keys()].sort((a, b) => times[a]! - times[b]! || a - b);

  for (const item of order.map((i) => read[i]!)) {
    // Ids can encode the answer (ECB+ ids carry their topic number): the engine sees opaque ones.
    const article = { ...item.article, id: opaqueId(labels.length) };
    labels.push(item.label);
    const start = performance.now();
    const { assignment } = await engine.assign(article, index, now);
    elapsed += performance.now() - start;
    duplicateOf.push(assignment.duplicateOf);
    options.onAssigned?.(item);
  }

  const ids = labels.map((_, i) => opaqueId(i));
  const position = new Map(ids.map((id, i) => [id, i]));
  const finalCluster = new Map((await index.getArticles(ids)).map((a) => [a.id, a.clusterId]));
  const predicted = ids.map((id) => {
    const cluster = finalCluster.get(id);
    if (cluster === undefined) throw new Error(`article ${id} was assigned but is not in the index`);
    return cluster;
  });
  const links: DuplicateLink[] = [];
  duplicateOf.forEach((target, article) => {
    const at = target === null ? undefined : position.get(target);
    if (at !== undefined) links.push({ article, duplicateOf: at });
  });
  await index.close();

  const seconds = elapsed / 1000;
  return {
    ...clusteringMetrics(predicted, labels, links),
    engineSeconds: seconds,
    articlesPerSecond: seconds > 0 ? ids.length / seconds : 0,
  };
}

function opaqueId(position: number): string {
  return `a${position}`;
}
