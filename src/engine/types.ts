/**
 * The engine's data contracts (see ../shared/design.md §1). Everything here is plain data so that
 * every adapter (memory, Redis, HTTP, CLI, feeds) speaks the same language.
 */

/**
 * Limits on a submitted article's fields: they keep a single bad article from hurting the service
 * (the schema in src/contracts/article.ts enforces them), and values the engine reads from an HTML
 * page meet them as callers' do.
 */
export const articleLimits = {
  idLength: 512,
  textBytes: 2 * 1024 * 1024,
  titleLength: 2_000,
  urlLength: 4_096,
  sourceLength: 256,
  publishedAtLength: 64,
  /** Dates outside this range are almost surely wrong and would poison the time window. */
  earliestYear: 1900,
  latestYear: 2200,
} as const;

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

/** A cluster gone because an update took its only member to another story. */
export interface RemovalEvent {
  type: 'removal';
  clusterId: string;
  at: string;
}

export interface AssignOutcome {
  assignment: Assignment;
  merges: MergeEvent[];
  removals: RemovalEvent[];
  /** false when the same id with the same content was already indexed: nothing changed. */
  changed: boolean;
}

/** Sparse vector: parallel arrays, terms sorted ascending for linear-time dot products. */
export interface SparseVector {
  terms: string[];
  weights: number[];
}
