/**
 * The engine's data contracts (see ../shared/design.md §1). Everything here is plain data so that
 * every adapter (memory, Redis, HTTP, CLI, feeds) speaks the same language.
 */

/** An article as submitted by a caller. `id` is the caller's stable key. */
export interface Article {
  id: string;
  url?: string;
  /** Outlet name; defaults to the URL's host. Boilerplate is learned per source. */
  source?: string;
  title?: string;
  text?: string;
  html?: string;
  /** ISO 8601 date or date-time. */
  publishedAt?: string;
  lang?: string;
}

/** How the decision for an article was reached. */
export type DecidedBy =
  | 'exact' // identical normalised content already indexed
  | 'minhash' // near-duplicate by estimated shingle Jaccard
  | 'tfidf' // same story by TF-IDF cosine against a cluster representative
  | 'new'; // nothing close enough: a new cluster

/** The published result for one article: everything a consumer needs without a second call. */
export interface Assignment {
  articleId: string;
  clusterId: string;
  /** Set when the article is a near-duplicate of an earlier article. */
  duplicateOf: string | null;
  /** Similarity to `duplicateOf` (Jaccard estimate) or to the joined cluster (cosine); 0 for new. */
  similarity: number;
  decidedBy: DecidedBy;
  /** Size of the cluster right after this assignment. */
  clusterSize: number;
  /** ISO time of the decision. */
  at: string;
}

/** Published when clusters are merged: the oldest id survives, the others are absorbed. */
export interface MergeEvent {
  type: 'merge';
  clusterId: string;
  merged: string[];
  clusterSize: number;
  at: string;
}

export interface AssignOutcome {
  assignment: Assignment;
  merges: MergeEvent[];
  /** false when the same id with the same content was already indexed: nothing changed. */
  changed: boolean;
}

/** Sparse vector: parallel arrays, terms sorted ascending for linear-time dot products. */
export interface SparseVector {
  terms: string[];
  weights: number[];
}
