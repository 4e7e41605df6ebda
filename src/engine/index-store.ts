import type { AssignOutcome, Assignment, DecidedBy, MergeEvent, RemovalEvent, SparseVector } from './types.js';

/**
 * The state the engine decides against. The engine owns every decision; an Index only stores and
 * answers. `MemoryIndex` (embedded, CLI, tests) and `RedisIndex` (the service) implement it with the
 * same behaviour, checked by one shared conformance suite (tests/shared/index-conformance.ts).
 *
 * Times are epoch milliseconds. An entry's "time" is its article's publishedAt, or the time it was
 * indexed when the article has no date.
 */
export interface Index {
  /**
   * Runs `fn` with exclusive access to the decision state, so a read-decide-write sequence by one
   * caller can never interleave with another's (in Redis: across processes and machines).
   */
  atomically<T>(fn: () => Promise<T>): Promise<T>;

  getArticle(id: string): Promise<StoredArticle | null>;
  /** Articles in the order of `ids`; unknown ids are skipped. */
  getArticles(ids: readonly string[]): Promise<StoredArticle[]>;
  getClusters(ids: readonly string[]): Promise<StoredCluster[]>;

  /** Ids of articles sharing at least one LSH band key whose time lies in [from, to]. */
  lshCandidates(bandKeys: readonly string[], from: number, to: number): Promise<string[]>;
  /**
   * Ids of clusters posted under at least one of `terms` whose last time lies in [from, to]; when
   * more than `termCandidateLimit` qualify, only those posted under at least two of them (see
   * `boundedUnion`).
   */
  termCandidates(terms: readonly string[], from: number, to: number): Promise<string[]>;

  /** Document frequencies observed in the stream so far (excludes the background model). */
  documentFrequencies(terms: readonly string[]): Promise<{ docCount: number; df: number[] }>;
  /** For each sentence key: how many earlier articles of `source` contained it. */
  sentenceCounts(source: string, sentenceKeys: readonly string[]): Promise<number[]>;

  /** Applies one decision's writes. Called inside `atomically`. */
  apply(mutation: IndexMutation): Promise<void>;

  /** Next value of a counter that orders indexed articles (1, 2, 3, ...). Called inside `atomically`. */
  nextSeq(): Promise<number>;

  // Read views for the CLI, API and dashboard.
  listClusters(query: ClusterQuery): Promise<{ total: number; items: StoredCluster[] }>;
  /** Members of a cluster in the order they were indexed. */
  clusterMembers(clusterId: string): Promise<StoredArticle[]>;

  close(): Promise<void>;
}

/** One indexed article: its decision plus the features later articles are compared with. */
export interface StoredArticle {
  id: string;
  seq: number;
  clusterId: string;
  duplicateOf: string | null;
  similarity: number;
  decidedBy: DecidedBy;
  /** ISO time of the decision. */
  at: string;
  /** Hash of the normalised content: the same id with the same hash is a no-op. */
  contentHash: string;
  source: string;
  title?: string;
  url?: string;
  publishedAt: number | null;
  /** publishedAt, or the time the article was indexed. */
  time: number;
  /** MinHash signature of the content shingles (boilerplate removed). */
  signature: Uint32Array;
  /** Unit-length TF-IDF vector of the content terms (boilerplate removed). */
  vector: SparseVector;
  /** Sentence keys of the article, so an update can undo its boilerplate counts. */
  sentenceKeys: string[];
  /** LSH band keys the article is filed under, so an update or removal can unfile it. */
  bandKeys: string[];
  /** Terms counted in the stream's document frequencies for this article. */
  dfTerms: string[];
}

/** A cluster of articles telling one story. Its id is stable as it grows; merges keep the oldest. */
export interface StoredCluster {
  id: string;
  size: number;
  /** seq of the article that founded the cluster: lower is older. */
  createdSeq: number;
  /** Earliest and latest member time. */
  firstTime: number;
  lastTime: number;
  /** ISO time of the last decision that changed the cluster. */
  updatedAt: string;
  /** Sum of member vectors, truncated to its heaviest terms: the cluster representative. */
  centroid: SparseVector;
  /** Terms under which the cluster is posted for candidate lookup (a subset of centroid terms). */
  postedTerms: string[];
  /** The member that best represents the cluster (closest to the centroid). */
  representativeId: string;
  title?: string;
  /** Distinct sources of the members (sorted). */
  sources: string[];
}

/** All writes of one decision. */
export interface IndexMutation {
  /** The article to store (insert or replace). */
  article: StoredArticle;
  /** The version being replaced, when an id is re-submitted with new content. */
  previous?: StoredArticle;
  /** Clusters to create or replace, including posting changes (old postedTerms vs new). */
  clusters: StoredCluster[];
  /** Clusters absorbed by a merge: deleted, and their members moved to `into`. */
  absorbed: { clusterId: string; into: string }[];
  /** Clusters left empty (e.g. by an update moving the article away): deleted. */
  removedClusters: string[];
}

export interface ClusterQuery {
  sort: 'updated' | 'size';
  limit: number;
  offset: number;
  /** Case-insensitive substring of the cluster title. */
  text?: string;
  /** Only clusters with a member from this source (case-insensitive: hosts and outlet names are). */
  source?: string;
}

/** The filter of a ClusterQuery (text and source), as every Index applies it. */
export function clusterFilter(query: ClusterQuery): (cluster: StoredCluster) => boolean {
  const text = query.text?.toLowerCase();
  const source = query.source?.toLowerCase();
  return (c) =>
    (!text || (c.title ?? '').toLowerCase().includes(text)) && (!source || c.sources.some((s) => s.toLowerCase() === source));
}

/** An Assignment as published, rebuilt from a stored article and its cluster. */
export function assignmentOf(article: StoredArticle, clusterSize: number): Assignment {
  return {
    articleId: article.id,
    clusterId: article.clusterId,
    duplicateOf: article.duplicateOf,
    similarity: article.similarity,
    decidedBy: article.decidedBy,
    clusterSize,
    at: article.at,
  };
}

/**
 * What a decision publishes, read off its writes: the article's assignment, one merge per surviving
 * cluster that absorbed others, and the clusters an update left empty. The engine returns these and
 * a store that publishes inside its atomic write (RedisIndex) writes the same.
 */
export function decisionEvents(m: IndexMutation): Pick<AssignOutcome, 'assignment' | 'merges' | 'removals'> {
  const sizeOf = (id: string) => m.clusters.find((c) => c.id === id)?.size ?? 0;
  const at = m.article.at;
  const merged = new Map<string, string[]>();
  for (const { clusterId, into } of m.absorbed) merged.set(into, [...(merged.get(into) ?? []), clusterId]);
  return {
    assignment: assignmentOf(m.article, sizeOf(m.article.clusterId)),
    merges: [...merged].map(([into, ids]): MergeEvent => ({ type: 'merge', clusterId: into, merged: ids, clusterSize: sizeOf(into), at })),
    removals: m.removedClusters.map((clusterId): RemovalEvent => ({ type: 'removal', clusterId, at })),
  };
}

/** An indexed article's assignment as it stands now (its cluster's current size); null if not indexed. */
export async function currentAssignment(index: Pick<Index, 'getArticle' | 'getClusters'>, articleId: string): Promise<Assignment | null> {
  const article = await index.getArticle(articleId);
  if (!article) return null;
  const [cluster] = await index.getClusters([article.clusterId]);
  return assignmentOf(article, cluster?.size ?? 1);
}

/**
 * Term-posting candidates beyond which a decision keeps only clusters found under two or more of
 * its terms. With a window full of open stories, common terms post hundreds of clusters that the
 * engine would load and then mostly reject (it needs 2+ shared centroid terms): past this many the
 * one-term hits are dropped, so the clusters loaded per decision stop growing with the index. Above
 * every dev-set decision (googlenews dev peaks at 39), so small windows decide exactly as before.
 */
export const termCandidateLimit = 64;

/** Union of posting lists in first-seen order; past `termCandidateLimit` ids, only those in 2+ lists. */
export function boundedUnion(lists: Iterable<Iterable<string>>): string[] {
  const hits = new Map<string, number>();
  for (const list of lists) for (const id of list) hits.set(id, (hits.get(id) ?? 0) + 1);
  if (hits.size <= termCandidateLimit) return [...hits.keys()];
  return [...hits].flatMap(([id, n]) => (n >= 2 ? [id] : []));
}
