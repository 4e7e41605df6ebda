import type { ClusterQuery, Index, IndexMutation, StoredArticle, StoredCluster } from './index-store.js';

/** A time-stamped posting list: id -> time. */
type Postings = Map<string, number>;

/**
 * In-process Index: the embedded default (CLI, feed dedup with --state, tests). Single process, so
 * `atomically` is a promise-chain mutex.
 */
export class MemoryIndex implements Index {
  private readonly articles = new Map<string, StoredArticle>();
  private readonly clusters = new Map<string, StoredCluster>();
  /** clusterId -> member ids in indexing order. */
  private readonly members = new Map<string, Set<string>>();
  private readonly bands = new Map<string, Postings>();
  private readonly termPostings = new Map<string, Postings>();
  private readonly df = new Map<string, number>();
  /** source -> sentence key -> count of articles. */
  private readonly sentences = new Map<string, Map<string, number>>();
  private docCount = 0;
  private seq = 0;
  private lock: Promise<unknown> = Promise.resolve();

  atomically<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  async getArticle(id: string): Promise<StoredArticle | null> {
    return this.articles.get(id) ?? null;
  }

  async getArticles(ids: readonly string[]): Promise<StoredArticle[]> {
    return ids.flatMap((id) => this.articles.get(id) ?? []);
  }

  async getClusters(ids: readonly string[]): Promise<StoredCluster[]> {
    return ids.flatMap((id) => this.clusters.get(id) ?? []);
  }

  async lshCandidates(bandKeys: readonly string[], from: number, to: number): Promise<string[]> {
    return collect(this.bands, bandKeys, from, to);
  }

  async termCandidates(terms: readonly string[], from: number, to: number): Promise<string[]> {
    return collect(this.termPostings, terms, from, to);
  }

  async documentFrequencies(terms: readonly string[]): Promise<{ docCount: number; df: number[] }> {
    return { docCount: this.docCount, df: terms.map((t) => this.df.get(t) ?? 0) };
  }

  async sentenceCounts(source: string, sentenceKeys: readonly string[]): Promise<number[]> {
    const counts = this.sentences.get(source);
    return sentenceKeys.map((k) => counts?.get(k) ?? 0);
  }

  async nextSeq(): Promise<number> {
    return ++this.seq;
  }

  async apply(m: IndexMutation): Promise<void> {
    const { article, previous } = m;
    if (previous) {
      for (const key of previous.bandKeys) this.bands.get(key)?.delete(previous.id);
      for (const term of previous.dfTerms) bump(this.df, term, -1);
      const counts = this.sentences.get(previous.source);
      if (counts) for (const key of previous.sentenceKeys) bump(counts, key, -1);
      this.members.get(previous.clusterId)?.delete(previous.id);
    } else {
      this.docCount++;
    }
    this.articles.set(article.id, article);
    for (const key of article.bandKeys) post(this.bands, key, article.id, article.time);
    for (const term of article.dfTerms) bump(this.df, term, 1);
    let counts = this.sentences.get(article.source);
    if (!counts) this.sentences.set(article.source, (counts = new Map()));
    for (const key of article.sentenceKeys) bump(counts, key, 1);

    for (const { clusterId, into } of m.absorbed) {
      const moved = this.members.get(clusterId) ?? new Set<string>();
      const target = this.memberSet(into);
      for (const id of moved) {
        const member = this.articles.get(id);
        if (member) this.articles.set(id, { ...member, clusterId: into });
        target.add(id);
      }
      this.deleteCluster(clusterId);
    }
    for (const clusterId of m.removedClusters) this.deleteCluster(clusterId);
    for (const cluster of m.clusters) {
      const old = this.clusters.get(cluster.id);
      if (old) for (const term of old.postedTerms) this.termPostings.get(term)?.delete(cluster.id);
      this.clusters.set(cluster.id, cluster);
      for (const term of cluster.postedTerms) post(this.termPostings, term, cluster.id, cluster.lastTime);
    }
    this.memberSet(article.clusterId).add(article.id);
  }

  async listClusters(query: ClusterQuery): Promise<{ total: number; items: StoredCluster[] }> {
    const text = query.text?.toLowerCase();
    const matching = [...this.clusters.values()].filter(
      (c) =>
        (!text || (c.title ?? '').toLowerCase().includes(text)) &&
        (!query.source || c.sources.includes(query.source)),
    );
    matching.sort((a, b) =>
      query.sort === 'size'
        ? b.size - a.size || a.createdSeq - b.createdSeq
        : b.updatedAt.localeCompare(a.updatedAt) || b.createdSeq - a.createdSeq,
    );
    return { total: matching.length, items: matching.slice(query.offset, query.offset + query.limit) };
  }

  async clusterMembers(clusterId: string): Promise<StoredArticle[]> {
    const ids = [...(this.members.get(clusterId) ?? [])];
    return (await this.getArticles(ids)).sort((a, b) => a.seq - b.seq);
  }

  async close(): Promise<void> {}

  private memberSet(clusterId: string): Set<string> {
    let set = this.members.get(clusterId);
    if (!set) this.members.set(clusterId, (set = new Set()));
    return set;
  }

  private deleteCluster(clusterId: string): void {
    const old = this.clusters.get(clusterId);
    if (old) for (const term of old.postedTerms) this.termPostings.get(term)?.delete(clusterId);
    this.clusters.delete(clusterId);
    this.members.delete(clusterId);
  }
}

function collect(lists: Map<string, Postings>, keys: readonly string[], from: number, to: number): string[] {
  const found = new Set<string>();
  for (const key of keys) {
    const postings = lists.get(key);
    if (!postings) continue;
    for (const [id, time] of postings) if (time >= from && time <= to) found.add(id);
  }
  return [...found];
}

function post(lists: Map<string, Postings>, key: string, id: string, time: number): void {
  let postings = lists.get(key);
  if (!postings) lists.set(key, (postings = new Map()));
  postings.set(id, time);
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
