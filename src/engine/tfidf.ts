import { BACKGROUND_DOCS, backgroundDf } from './background.js';
import type { SparseVector } from './types.js';

/**
 * Sparse TF-IDF. IDF blends the shipped background model (weighted as `backgroundWeight`
 * pseudo-documents) with the stream's own document frequencies, so it is informative from the
 * first article and adapts to the stream's vocabulary as it grows:
 *   idf(t) = ln((B + N + 1) / (B * bg(t) + df(t) + 1)),  bg(t) = background df share.
 * tf is sublinear (1 + ln tf): a term repeated ten times is not ten times the evidence.
 */
export class Vectorizer {
  private readonly background = backgroundDf();

  constructor(private readonly backgroundWeight: number) {}

  /** Term counts of a term list. */
  static counts(terms: readonly string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    return counts;
  }

  idf(term: string, df: number, docCount: number): number {
    const b = this.backgroundWeight;
    const bg = (this.background.get(term) ?? 0) / BACKGROUND_DOCS;
    return Math.log((b + docCount + 1) / (b * bg + df + 1));
  }

  /**
   * Unit-length TF-IDF vector of `counts`; `df[i]` is the stream df of the i-th key of `counts`.
   * Terms in `boosted` weigh `boost` times more.
   */
  vector(
    counts: ReadonlyMap<string, number>,
    df: readonly number[],
    docCount: number,
    boosted: ReadonlySet<string> = new Set(),
    boost = 1,
  ): SparseVector {
    const weightOf = new Map<string, number>();
    let i = 0;
    let sumSq = 0;
    for (const [term, tf] of counts) {
      const w = (1 + Math.log(tf)) * this.idf(term, df[i++] ?? 0, docCount) * (boosted.has(term) ? boost : 1);
      if (w > 0) {
        weightOf.set(term, w);
        sumSq += w * w;
      }
    }
    // The native sort of a string array (code-unit order) beats a comparator on [term, weight] pairs.
    const terms = [...weightOf.keys()].sort();
    const n = Math.sqrt(sumSq);
    return { terms, weights: terms.map((t) => (weightOf.get(t) ?? 0) / n) };
  }
}

export function norm(v: SparseVector): number {
  let s = 0;
  for (const w of v.weights) s += w * w;
  return Math.sqrt(s);
}

/**
 * Dot product by a linear merge of the sorted term lists. On the hot path this measured about 5x
 * faster than densifying both vectors over their union for ml-distance's cosine (300 x 150 terms).
 */
export function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  const at = a.terms;
  const bt = b.terms;
  while (i < at.length && j < bt.length) {
    const x = at[i] as string;
    const y = bt[j] as string;
    if (x === y) s += (a.weights[i++] ?? 0) * (b.weights[j++] ?? 0);
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/** Number of terms two vectors share. */
export function sharedTerms(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.terms.length && j < b.terms.length) {
    const x = a.terms[i] as string;
    const y = b.terms[j] as string;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}

export function cosine(a: SparseVector, b: SparseVector): number {
  const n = norm(a) * norm(b);
  return n > 0 ? dot(a, b) / n : 0;
}

/** a + scale * b, dropping terms whose weight falls to ~0 (used to add or remove cluster members). */
export function addScaled(a: SparseVector, b: SparseVector, scale: number): SparseVector {
  const terms: string[] = [];
  const weights: number[] = [];
  let i = 0;
  let j = 0;
  const push = (t: string, w: number): void => {
    if (w > 1e-9) {
      terms.push(t);
      weights.push(w);
    }
  };
  while (i < a.terms.length || j < b.terms.length) {
    const x = a.terms[i];
    const y = b.terms[j];
    if (y === undefined || (x !== undefined && x < y)) push(x as string, a.weights[i++] ?? 0);
    else if (x === undefined || y < x) push(y, scale * (b.weights[j++] ?? 0));
    else push(x, (a.weights[i++] ?? 0) + scale * (b.weights[j++] ?? 0));
  }
  return { terms, weights };
}

/** The `n` heaviest terms of a vector (ties by term, for determinism), still sorted by term. */
export function topTerms(v: SparseVector, n: number): SparseVector {
  if (v.terms.length <= n) return v;
  const order = v.terms.map((_, i) => i);
  order.sort((x, y) => (v.weights[y] ?? 0) - (v.weights[x] ?? 0) || ((v.terms[x] ?? '') < (v.terms[y] ?? '') ? -1 : 1));
  const keep = order.slice(0, n).sort((x, y) => x - y);
  return { terms: keep.map((i) => v.terms[i] as string), weights: keep.map((i) => v.weights[i] as number) };
}

/** Terms of a vector by descending weight (ties by term), at most `n`. */
export function heaviest(v: SparseVector, n: number): string[] {
  const top = topTerms(v, n);
  return top.terms
    .map((t, i) => [t, top.weights[i] ?? 0] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map((e) => e[0]);
}
