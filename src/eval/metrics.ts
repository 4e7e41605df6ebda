/**
 * Clustering quality from two labellings of the same articles: the predicted cluster of each
 * article and its true story label. Everything is computed from the contingency table (cluster x
 * label counts), so cost is linear in the number of articles.
 */

export interface PrecisionRecall {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClusteringMetrics {
  articles: number;
  /** B-cubed (Bagga & Baldwin 1998): per-article precision and recall, averaged over articles. */
  bcubed: PrecisionRecall;
  /** Normalised mutual information, arithmetic-mean normalisation: I(C;L) / ((H(C) + H(L)) / 2). */
  nmi: number;
  /** Over unordered article pairs: "same predicted cluster" against "same label". */
  pairwise: PrecisionRecall;
  /** duplicateOf links: how many, and the fraction joining two articles with the same label. */
  duplicates: { count: number; precision: number | null };
  clusters: number;
  trueClusters: number;
}

/** One duplicateOf decision, by article index. */
export interface DuplicateLink {
  article: number;
  duplicateOf: number;
}

/**
 * `predicted[i]` and `truth[i]` are the cluster and label of article i. Vacuous pairwise scores
 * (no predicted pairs, or no true pairs) count as 1: nothing was claimed wrongly or missed.
 */
export function clusteringMetrics(
  predicted: readonly string[],
  truth: readonly string[],
  links: readonly DuplicateLink[] = [],
): ClusteringMetrics {
  if (predicted.length !== truth.length) {
    throw new Error(`${predicted.length} predictions for ${truth.length} labels`);
  }
  const n = predicted.length;
  const clusterSizes = countBy(predicted);
  const labelSizes = countBy(truth);
  const cells = countBy(predicted.map((c, i) => cellKey(c, truth[i] as string)));

  let bPrecision = 0;
  let bRecall = 0;
  for (let i = 0; i < n; i++) {
    const c = predicted[i] as string;
    const l = truth[i] as string;
    const overlap = cells.get(cellKey(c, l)) as number;
    bPrecision += overlap / (clusterSizes.get(c) as number);
    bRecall += overlap / (labelSizes.get(l) as number);
  }

  const pairsOf = (sizes: Iterable<number>) => sum([...sizes].map((s) => (s * (s - 1)) / 2));
  const samePairs = pairsOf(cells.values());
  const predictedPairs = pairsOf(clusterSizes.values());
  const truePairs = pairsOf(labelSizes.values());

  const correctLinks = links.filter((link) => truth[link.article] === truth[link.duplicateOf]).length;

  return {
    articles: n,
    bcubed: withF1(n === 0 ? 1 : bPrecision / n, n === 0 ? 1 : bRecall / n),
    nmi: nmi(n, clusterSizes, labelSizes, cells),
    pairwise: withF1(
      predictedPairs === 0 ? 1 : samePairs / predictedPairs,
      truePairs === 0 ? 1 : samePairs / truePairs,
    ),
    duplicates: { count: links.length, precision: links.length === 0 ? null : correctLinks / links.length },
    clusters: clusterSizes.size,
    trueClusters: labelSizes.size,
  };
}

function nmi(
  n: number,
  clusterSizes: Map<string, number>,
  labelSizes: Map<string, number>,
  cells: Map<string, number>,
): number {
  const entropy = (sizes: Map<string, number>) =>
    -sum([...sizes.values()].map((s) => (s / n) * Math.log(s / n)));
  const hC = entropy(clusterSizes);
  const hL = entropy(labelSizes);
  // Both partitions are a single group (or empty): they agree completely.
  if (hC + hL === 0) return 1;
  let mutual = 0;
  for (const [key, count] of cells) {
    const [c, l] = splitCellKey(key);
    const expected = ((clusterSizes.get(c) as number) * (labelSizes.get(l) as number)) / n;
    mutual += (count / n) * Math.log(count / expected);
  }
  // Clamp float noise so identical partitions give exactly 1 and unrelated ones never go negative.
  return Math.min(1, Math.max(0, mutual / ((hC + hL) / 2)));
}

function withF1(precision: number, recall: number): PrecisionRecall {
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

// A separator that cannot occur in JSON-decoded ids/labels without escaping is not guaranteed, so
// the cluster part is length-prefixed instead: unambiguous for any strings.
function cellKey(cluster: string, label: string): string {
  return `${cluster.length}:${cluster}${label}`;
}

function splitCellKey(key: string): [string, string] {
  const colon = key.indexOf(':');
  const length = Number(key.slice(0, colon));
  const start = colon + 1;
  return [key.slice(start, start + length), key.slice(start + length)];
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
