import { parseArticle } from '../contracts/article.js';
import { sentenceKey, stripGenericBoilerplate, stripLearnedBoilerplate } from './boilerplate.js';
import { checkEngineConfig, defaultEngineConfig, type EngineConfig } from './config.js';
import { hashKey } from './hash.js';
import { assignmentOf, decisionEvents, type Index, type IndexMutation, type StoredArticle, type StoredCluster } from './index-store.js';
import { bandKeys, estimateJaccard, lshParams, MinHasher, type LshParams } from './minhash.js';
import type { PageMetadata } from './page-metadata.js';
import { prepareText, tokenise, trimMemos } from './text.js';
import { addScaled, cosine, heaviest, overlap, termCounts, topTerms, Vectorizer } from './tfidf.js';
import type { Article, AssignOutcome, DecidedBy, SparseVector } from './types.js';

/** What an article looks like before anything about the stream is known (pure, cacheable). */
export interface ArticleText {
  /** Display title: the article's title, else its first sentence (shortened). */
  title: string;
  /** Sentences with generic publisher furniture removed. */
  sentences: string[];
  /** Per-source counting key of each sentence (null: too short to count). */
  sentenceKeys: (string | null)[];
  /** Hash of the whole normalised text: same id + same hash is a no-op. */
  contentHash: string;
  /**
   * What an HTML page says of its date, outlet and URL (empty for plain text): the article's own
   * publishedAt, source and url come first (see decide).
   */
  page: PageMetadata;
}

/** The comparable features of an article once learned boilerplate is removed. */
export interface Features {
  signature: Uint32Array;
  bandKeys: string[];
  vector: SparseVector;
  /** Distinct content terms (counted in the stream's document frequencies). */
  terms: string[];
}

const day = 24 * 3600 * 1000;

/** Body words an article needs for its headline to be left out of its signature (see features). */
const signatureBodyWords = 50;

/** Streaming story clustering: decides each article against an Index, one decision per article. */
export class Engine {
  readonly config: EngineConfig;
  readonly lsh: LshParams;
  private readonly hasher: MinHasher;
  private readonly vectorizer: Vectorizer;

  /** Throws an EngineConfigError naming a setting that is unknown or out of its range. */
  constructor(config: Partial<EngineConfig> = {}) {
    checkEngineConfig(config);
    this.config = { ...defaultEngineConfig, ...config };
    // Weighted for recall, as datasketch's weights allow: a missed candidate is a missed duplicate,
    // a false one only costs a Jaccard estimate. Equal weights gave 9 x 13, which finds a pair at
    // Jaccard 0.86 only 75% of the time (40% at 0.8); 14 x 9 finds 98% (87%).
    this.lsh = lshParams(this.config.duplicateThreshold, this.config.numPerm, 0.1, 0.9);
    this.hasher = new MinHasher(this.config.numPerm, this.config.seed);
    this.vectorizer = new Vectorizer(this.config.backgroundWeight);
  }

  /** Extraction, normalisation and generic boilerplate removal: everything not needing the index. */
  text(article: Pick<Article, 'title' | 'text' | 'html'>): ArticleText {
    const prepared = prepareText(article);
    const sentences = stripGenericBoilerplate(prepared.sentences);
    const first = sentences[0] ?? '';
    return {
      title: prepared.title || (first.length > 160 ? `${first.slice(0, 157)}...` : first),
      sentences,
      sentenceKeys: sentences.map(sentenceKey),
      contentHash: hashKey(prepared.sentences.join('\n')),
      page: prepared.page,
    };
  }

  /**
   * MinHash signature, LSH band keys and TF-IDF vector of some sentences, given stream dfs.
   * `headlineWords`: how many leading words are the article's own headline. When the rest is long
   * enough to judge by, they stay out of the signature: a republisher who retitles wire copy must
   * not hide the copy (a 12-word headline over 60 words of body moves Jaccard from 0.83 to 0.75).
   */
  async features(
    sentences: readonly string[],
    documentFrequencies: (terms: string[]) => Promise<{ docCount: number; df: number[] }>,
    boilerplate: readonly string[] = [],
    headlineWords = 0,
  ): Promise<Features> {
    trimMemos(); // between articles only (see trimMemos)
    const words = tokenise(sentences.join('\n'));
    const bodyOnly = headlineWords > 0 && words.hashes.length - headlineWords >= signatureBodyWords;
    const shingled = bodyOnly ? words.hashes.subarray(headlineWords) : words.hashes;
    const signature = this.hasher.wordSignature(shingled, this.config.shingleSize);
    // Terms of the outlet's learned boilerplate are no evidence either, even where the article's
    // own text repeats them: its earliest articles, indexed before the boilerplate was learned,
    // still carry them and would otherwise attract this one through them.
    const counted = termCounts(words.terms, sentences, boilerplate);
    const terms = counted.terms.map((t) => t.text);
    const { docCount, df } = await documentFrequencies(terms);
    return {
      signature,
      // An empty text has no shingles: filing its all-maximum signature would match every other one.
      bandKeys: shingled.length > 0 ? bandKeys(signature, this.lsh) : [],
      vector: this.vectorizer.vector(counted, df, docCount, this.config.nameBoost),
      terms,
    };
  }

  /**
   * Decides one article against `index` and applies the decision atomically. `text` may be
   * `this.text(article)` computed earlier (a worker does it while waiting for its turn). The article
   * is checked against its contract first, as every adapter checks it: a library caller's article
   * without an id or text, or with a date JavaScript would misread, is refused with an
   * ArticleValidationError naming the field instead of being indexed (or crashing half-way).
   */
  async assign(article: Article, index: Index, now = Date.now(), text?: ArticleText): Promise<AssignOutcome> {
    const valid = parseArticle(article);
    const prepared = text ?? this.text(valid);
    return index.atomically(() => this.decide(valid, prepared, index, now));
  }

  private async decide(article: Article, text: ArticleText, index: Index, now: number): Promise<AssignOutcome> {
    const cfg = this.config;
    // The caller's fields first, then the page's (an HTML page's own date, outlet and canonical URL).
    // A caller's url names the outlet before the page's og:site_name does, so a caller who gives
    // urls keeps the sources (and the per-source counts in an existing index) it had before.
    const { page } = text;
    const source = sourceOf(article) || sourceOf(page);
    const url = article.url ?? page.url;
    const keys = [...new Set(text.sentenceKeys.filter((k): k is string => k !== null))];
    // Independent reads at once: one round trip to a remote index (the counts go unused on a no-op).
    const [previous, counts] = await Promise.all([index.getArticle(article.id), index.sentenceCounts(source, keys)]);
    const publishedAt = publicationTime(article, page);
    // A corrected date, outlet or URL is an update too: the date places the article in the window,
    // the outlet decides what is its boilerplate.
    const unchanged =
      previous?.contentHash === text.contentHash && previous.publishedAt === publishedAt && previous.source === source && previous.url === url;
    if (previous && unchanged) {
      const [cluster] = await index.getClusters([previous.clusterId]);
      return { assignment: assignmentOf(previous, cluster?.size ?? 1), merges: [], removals: [], changed: false };
    }
    const at = new Date(now).toISOString();
    const time = publishedAt ?? now;
    const from = time - cfg.windowMs;
    const to = time + cfg.windowMs;

    // Learned boilerplate: counts over earlier articles of the source (an update's own earlier
    // version does not count as "earlier"). Only this article is stripped; articles indexed before
    // the boilerplate was learned keep it, yet cannot attract this one through it: its shingles,
    // band keys and query terms no longer contain it, so neither the Jaccard estimate nor the dot
    // product with a centroid can gain from it (a centroid's boilerplate weight only enlarges its
    // norm, lowering the cosine). A sentence printed verbatim in even one earlier article of the
    // outlet counts (default boilerplateMinCount 1), so the outlet's second article is already
    // stripped of the first one's tagline; a republication keeps everything (see
    // stripLearnedBoilerplate). Cost on the dev splits: ecbplus B-cubed F1 0.9145 -> 0.9124.
    const countOf = new Map<string, number>();
    const own = previous?.source === source ? new Set(previous.sentenceKeys) : new Set<string>();
    keys.forEach((k, i) => countOf.set(k, (counts[i] ?? 0) - (own.has(k) ? 1 : 0)));
    // An article's own headline is never the outlet's furniture, even when an earlier page of the
    // outlet listed it (under "Most viewed", say): stripped, its words would leave the whole article.
    const headlineKey = (article.title || article.html) && text.sentences[0] === text.title ? text.sentenceKeys[0] : null;
    if (headlineKey) countOf.set(headlineKey, 0);
    const kept = stripLearnedBoilerplate(text.sentences, text.sentenceKeys, countOf, cfg.boilerplateMinCount);
    const keptSet = new Set(kept);
    const stripped = text.sentences.filter((sentence) => !keptSet.has(sentence));
    const ownTerms = new Set(previous?.dfTerms ?? []);
    const features = await this.features(
      kept,
      async (terms) => {
        const stream = await index.documentFrequencies(terms);
        if (!previous) return stream;
        return { docCount: stream.docCount - 1, df: stream.df.map((d, i) => d - (ownTerms.has(terms[i] ?? '') ? 1 : 0)) };
      },
      stripped,
      headlineKey !== null && kept[0] === text.sentences[0] ? tokenise(kept[0] ?? '').hashes.length : 0,
    );

    // Working copies of every cluster this decision touches; `null` marks a deleted cluster.
    const working = new Map<string, StoredCluster | null>();
    const load = async (ids: Iterable<string>): Promise<StoredCluster[]> => {
      const missing = [...new Set(ids)].filter((id) => !working.has(id));
      for (const c of await index.getClusters(missing)) working.set(c.id, c);
      return [...new Set(ids)].flatMap((id) => working.get(id) ?? []);
    };
    if (previous) await this.detach(previous, index, working, load, at);

    // Near-duplicate candidates (LSH), story candidates (the clusters posted under the article's
    // heaviest terms) and the decision number do not depend on each other: read them at once.
    const [lshArticles, termIds, seq] = await Promise.all([
      index.lshCandidates(features.bandKeys, from, to).then((ids) => index.getArticles(ids.filter((id) => id !== article.id))),
      index.termCandidates(heaviest(features.vector, cfg.postedTerms), from, to),
      index.nextSeq(),
    ]);
    // Near-duplicate: LSH candidates verified by estimated Jaccard (exact when the content is equal).
    let dup: { of: StoredArticle; similarity: number; by: DecidedBy } | undefined;
    for (const other of lshArticles) {
      const exact = other.contentHash === text.contentHash;
      const similarity = exact ? 1 : estimateJaccard(features.signature, other.signature);
      if (similarity < cfg.duplicateThreshold) continue;
      if (!dup || similarity > dup.similarity || (similarity === dup.similarity && other.seq < dup.of.seq)) {
        dup = { of: other, similarity, by: exact ? 'exact' : 'minhash' };
      }
    }

    // Same story: clusters posted under the article's heaviest terms, plus the LSH candidates' clusters.
    const headline = features.terms.length < cfg.snippetTerms;
    const candidates = (await load([...termIds, ...lshArticles.map((a) => a.clusterId)]))
      .filter((c) => c.lastTime >= from && c.firstTime <= to)
      // One shared term, however rare, is a coincidence (a local place name), not a story; so is a
      // match one term carries, except in headline-length texts (see maxTermShare).
      .flatMap((c) => {
        const { shared, topShare, cosine: similarity } = overlap(features.vector, c.centroid);
        return shared >= cfg.minSharedTerms && (headline || topShare <= cfg.maxTermShare) ? [{ cluster: c, similarity }] : [];
      })
      .sort((a, b) => b.similarity - a.similarity || a.cluster.createdSeq - b.cluster.createdSeq);

    let target: StoredCluster | undefined;
    let similarity = 0;
    let decidedBy: DecidedBy = 'new';
    if (dup) {
      [target] = await load([dup.of.clusterId]);
      similarity = dup.similarity;
      decidedBy = dup.by;
    }
    const lengthFactor = Math.min(1, Math.sqrt(features.terms.length / cfg.fullLengthTerms));
    // A cluster already holding a report of this outlet needs more (ownOutletBar): the outlet's
    // town, streets and council must not chain its different stories.
    const joinBar = (c: StoredCluster): number => {
      const bar = this.joinThreshold(lengthFactor, c.size, Math.max(0, c.firstTime - time, time - c.lastTime));
      return source !== '' && c.sources.includes(source) ? Math.max(bar, cfg.ownOutletBar) : bar;
    };
    if (!target) {
      const match = candidates.find((c) => c.similarity >= joinBar(c.cluster));
      if (match) {
        target = match.cluster;
        similarity = match.similarity;
        decidedBy = 'tfidf';
      }
    }

    // Merge: other clusters the article also strongly matches whose centroids agree with the target's.
    const merging = target
      ? candidates.filter(
          (c) =>
            c.cluster.id !== target.id &&
            c.similarity >= joinBar(c.cluster) &&
            cosine(c.cluster.centroid, target.centroid) >= cfg.mergeThreshold,
        )
      : [];
    const group = target ? [target, ...merging.map((c) => c.cluster)] : [];
    group.sort((a, b) => a.createdSeq - b.createdSeq);

    const stored: StoredArticle = {
      id: article.id,
      seq,
      clusterId: group[0]?.id ?? `c-${seq}`,
      duplicateOf: dup ? dup.of.id : null,
      similarity,
      decidedBy,
      at,
      contentHash: text.contentHash,
      source,
      ...(text.title ? { title: text.title } : {}),
      ...(url !== undefined ? { url } : {}),
      publishedAt,
      time,
      signature: features.signature,
      vector: features.vector,
      sentenceKeys: keys,
      bandKeys: features.bandKeys,
      dfTerms: features.terms,
    };
    const cluster = await this.grow(group, stored, index, at);
    working.set(cluster.id, cluster);
    const absorbed = group.slice(1).map((c) => ({ clusterId: c.id, into: cluster.id }));
    for (const { clusterId } of absorbed) working.set(clusterId, null);

    const clusters = [...working.values()].filter((c): c is StoredCluster => c !== null);
    const removedClusters = [...working].filter(([id, c]) => c === null && !absorbed.some((a) => a.clusterId === id));
    const mutation: IndexMutation = {
      article: stored,
      ...(previous ? { previous } : {}),
      clusters: clusters.filter((c) => c.id === cluster.id || (previous && c.id === previous.clusterId)),
      absorbed,
      removedClusters: removedClusters.map(([id]) => id),
    };
    await index.apply(mutation);
    return { ...decisionEvents(mutation), changed: true };
  }

  /**
   * The cosine an article must reach to join a cluster. Short texts share fewer terms with
   * anything, so their cosines run lower: the bar scales with sqrt(terms / fullLengthTerms).
   * A large cluster's centroid is a smoothed profile of its whole topic that any same-topic article
   * resembles, so the bar rises with ln(size), up to sizeCap members. `gapMs`: how far the article
   * lies outside the cluster's time span; past a day the bar rises by barRisePerDay a day.
   */
  joinThreshold(lengthFactor: number, clusterSize: number, gapMs = 0): number {
    const { clusterThreshold, sizeGrowth, sizeCap, barRisePerDay } = this.config;
    const lateDays = Math.max(0, gapMs / day - 1);
    return clusterThreshold * lengthFactor * (1 + sizeGrowth * Math.log(Math.min(Math.max(clusterSize, 1), sizeCap))) * (1 + barRisePerDay * lateDays);
  }

  /** An update: takes the earlier version out of its cluster (deleting the cluster if it empties). */
  private async detach(
    previous: StoredArticle,
    index: Index,
    working: Map<string, StoredCluster | null>,
    load: (ids: string[]) => Promise<StoredCluster[]>,
    at: string,
  ): Promise<void> {
    const [cluster] = await load([previous.clusterId]);
    if (!cluster) return;
    if (cluster.size <= 1) {
      working.set(cluster.id, null);
      return;
    }
    const members = (await index.clusterMembers(cluster.id)).filter((m) => m.id !== previous.id);
    const centroid = topTerms(addScaled(cluster.centroid, previous.vector, -1), this.config.centroidTerms);
    const rep = closest(members, centroid);
    working.set(cluster.id, {
      ...cluster,
      size: cluster.size - 1,
      firstTime: Math.min(...members.map((m) => m.time)),
      lastTime: Math.max(...members.map((m) => m.time)),
      updatedAt: at,
      centroid,
      postedTerms: heaviest(centroid, this.config.postedTerms),
      representativeId: rep?.id ?? cluster.representativeId,
      ...titleOf(rep),
      sources: [...new Set(members.map((m) => m.source).filter(Boolean))].sort(),
    });
  }

  /**
   * The cluster after `article` joins `group` (target first, then clusters merged into it; empty:
   * a new cluster). The oldest cluster's id survives a merge.
   */
  private async grow(group: StoredCluster[], article: StoredArticle, index: Index, at: string): Promise<StoredCluster> {
    const [oldest] = group;
    if (!oldest) {
      return {
        id: article.clusterId,
        size: 1,
        createdSeq: article.seq,
        firstTime: article.time,
        lastTime: article.time,
        updatedAt: at,
        centroid: topTerms(article.vector, this.config.centroidTerms),
        postedTerms: heaviest(article.vector, this.config.postedTerms),
        representativeId: article.id,
        ...titleOf(article),
        sources: article.source ? [article.source] : [],
      };
    }
    let sum = article.vector;
    for (const c of group) sum = addScaled(sum, c.centroid, 1);
    const centroid = topTerms(sum, this.config.centroidTerms);
    // Representative: the closest to the new centroid of the current representatives and the article.
    const reps = await index.getArticles(group.map((c) => c.representativeId));
    const rep = closest([...reps, article], centroid) ?? article;
    return {
      id: oldest.id,
      size: group.reduce((n, c) => n + c.size, 1),
      createdSeq: oldest.createdSeq,
      firstTime: Math.min(article.time, ...group.map((c) => c.firstTime)),
      lastTime: Math.max(article.time, ...group.map((c) => c.lastTime)),
      updatedAt: at,
      centroid,
      postedTerms: heaviest(centroid, this.config.postedTerms),
      representativeId: rep.id,
      ...titleOf(rep),
      sources: [...new Set([...group.flatMap((c) => c.sources), ...(article.source ? [article.source] : [])])].sort(),
    };
  }
}

/**
 * When an article was published (epoch ms): its own publishedAt, else the date its HTML page
 * states (`page`, from Engine.text), else null. The time it is decided at, and the order in which
 * `cluster`, `submit` and `eval` send a set of them.
 */
export function publicationTime(article: Pick<Article, 'publishedAt'>, page?: Pick<PageMetadata, 'publishedAt'>): number | null {
  const date = article.publishedAt ?? page?.publishedAt;
  const time = date === undefined ? NaN : Date.parse(date);
  return Number.isNaN(time) ? null : time;
}

/** source = article.source, else the URL's host, else '' (articles of unknown source learn together). */
export function sourceOf(article: Pick<Article, 'source' | 'url'>): string {
  if (article.source) return article.source;
  if (!article.url) return '';
  try {
    return new URL(article.url).host;
  } catch {
    return '';
  }
}

function closest(members: readonly StoredArticle[], centroid: SparseVector): StoredArticle | undefined {
  let best: StoredArticle | undefined;
  let bestSim = -1;
  for (const m of members) {
    const sim = cosine(m.vector, centroid);
    if (sim > bestSim || (sim === bestSim && best && m.seq < best.seq)) {
      best = m;
      bestSim = sim;
    }
  }
  return best;
}

function titleOf(article: StoredArticle | undefined): { title?: string } {
  return article?.title ? { title: article.title } : {};
}
