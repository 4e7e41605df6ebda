import { boundedUnion, clusterFilter, type ClusterQuery, type Index, type IndexMutation, type StoredArticle, type StoredCluster } from './index-store.js';

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
    return boundedUnion(terms.map((term) => inWindow(this.termPostings.get(term), from, to)));
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
    const matching = [...this.clusters.values()].filter(clusterFilter(query));
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

  /**
   * Forgets articles older than `before` (epoch ms) and, beyond `maxArticles`, the earliest
   * indexed, undoing their postings and counts as an update would, so a long-running embedded
   * index (feed dedup) stays bounded. Clusters left without members are deleted. Returns how many
   * articles were forgotten.
   */
  prune(before: number, maxArticles = Infinity): number {
    let excess = this.articles.size - maxArticles;
    const forget = [...this.articles.values()].filter((a) => {
      const old = a.time < before || excess > 0;
      if (old) excess--;
      return old;
    });
    for (const a of forget) {
      for (const key of a.bandKeys) unpost(this.bands, key, a.id);
      for (const term of a.dfTerms) bump(this.df, term, -1);
      const counts = this.sentences.get(a.source);
      if (counts) for (const key of a.sentenceKeys) bump(counts, key, -1);
      if (counts?.size === 0) this.sentences.delete(a.source);
      this.articles.delete(a.id);
      this.docCount--;
      const members = this.members.get(a.clusterId);
      members?.delete(a.id);
      if (members?.size === 0) this.deleteCluster(a.clusterId);
    }
    for (const [term, postings] of this.termPostings) if (postings.size === 0) this.termPostings.delete(term);
    return forget.length;
  }

  /** Everything needed to rebuild this index, as plain JSON-safe data (signatures in base64). */
  toSnapshot(): MemoryIndexSnapshot {
    const articles = [...this.articles.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((a) => ({ ...a, signature: Buffer.from(a.signature.buffer, a.signature.byteOffset, a.signature.byteLength).toString('base64') }));
    return { version: 1, seq: this.seq, articles, clusters: [...this.clusters.values()] };
  }

  /** Rebuilds an index from `toSnapshot()` output; the postings and counts are derived again. */
  static fromSnapshot(snapshot: MemoryIndexSnapshot): MemoryIndex {
    const index = new MemoryIndex();
    index.seq = snapshot.seq;
    for (const cluster of snapshot.clusters) {
      index.clusters.set(cluster.id, cluster);
      for (const term of cluster.postedTerms) post(index.termPostings, term, cluster.id, cluster.lastTime);
    }
    for (const stored of snapshot.articles) {
      const bytes = Buffer.from(stored.signature, 'base64');
      const signature = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const article: StoredArticle = { ...stored, signature };
      index.articles.set(article.id, article);
      index.docCount++;
      for (const key of article.bandKeys) post(index.bands, key, article.id, article.time);
      for (const term of article.dfTerms) bump(index.df, term, 1);
      let counts = index.sentences.get(article.source);
      if (!counts) index.sentences.set(article.source, (counts = new Map()));
      for (const key of article.sentenceKeys) bump(counts, key, 1);
      index.memberSet(article.clusterId).add(article.id);
    }
    return index;
  }
}

/** MemoryIndex state as plain data (see MemoryIndex.toSnapshot). Articles are in indexing order. */
export interface MemoryIndexSnapshot {
  version: 1;
  seq: number;
  articles: (Omit<StoredArticle, 'signature'> & { signature: string })[];
  clusters: StoredCluster[];
}

function unpost(lists: Map<string, Postings>, key: string, id: string): void {
  const postings = lists.get(key);
  postings?.delete(id);
  if (postings?.size === 0) lists.delete(key);
}

function collect(lists: Map<string, Postings>, keys: readonly string[], from: number, to: number): string[] {
  return [...new Set(keys.flatMap((key) => inWindow(lists.get(key), from, to)))];
}

function inWindow(postings: Postings | undefined, from: number, to: number): string[] {
  return postings ? [...postings].flatMap(([id, time]) => (time >= from && time <= to ? [id] : [])) : [];
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
