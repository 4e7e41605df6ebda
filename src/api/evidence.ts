import type { Index, StoredArticle } from '../engine/index-store.js';
import { cosine, heaviest } from '../engine/tfidf.js';

/**
 * Why articles were grouped, computed from the stored TF-IDF vectors. Read-side only: the engine
 * decides, this explains.
 */

export interface SharedTerm {
  term: string;
  /** Sum of the term's TF-IDF weight over the members that contain it. */
  weight: number;
  /** How many members contain it. */
  members: number;
}

/**
 * Terms present in the vectors of at least two members, heaviest summed weight first. TF-IDF weights
 * are high for terms rare in the stream, so these are the shared rare names, numbers and words that
 * tie the story together.
 */
export function sharedTerms(members: readonly StoredArticle[], limit: number): SharedTerm[] {
  const acc = new Map<string, SharedTerm>();
  for (const m of members) {
    m.vector.terms.forEach((term, i) => {
      const entry = acc.get(term) ?? { term, weight: 0, members: 0 };
      entry.weight += m.vector.weights[i]!;
      entry.members += 1;
      acc.set(term, entry);
    });
  }
  return [...acc.values()]
    .filter((t) => t.members >= 2)
    .sort((a, b) => b.weight - a.weight || a.term.localeCompare(b.term))
    .slice(0, limit);
}

export interface Neighbour {
  article: StoredArticle;
  similarity: number;
}

export interface NeighbourOptions {
  /** How many of the article's heaviest terms to look clusters up by. */
  terms: number;
  /** At most this many candidate clusters are read. */
  maxClusters: number;
  /** Only clusters active within this many ms of the article's time (the engine's window). */
  windowMs: number;
  limit: number;
}

/**
 * Nearest indexed articles by TF-IDF cosine: candidate clusters come from the term postings of the
 * article's heaviest terms (the same lookup the engine uses), then every member of those clusters
 * is scored against the article.
 */
export async function nearestNeighbours(
  index: Index,
  article: StoredArticle,
  options: NeighbourOptions,
): Promise<Neighbour[]> {
  const terms = heaviest(article.vector, options.terms);
  if (terms.length === 0) return [];
  const clusterIds = await index.termCandidates(terms, article.time - options.windowMs, article.time + options.windowMs);
  // The article's own cluster is always a candidate, even if it is no longer posted under these terms.
  const ids = [...new Set([article.clusterId, ...clusterIds])].slice(0, options.maxClusters);
  const memberLists = await Promise.all(ids.map((id) => index.clusterMembers(id)));
  return memberLists
    .flat()
    .filter((m) => m.id !== article.id)
    .map((m) => ({ article: m, similarity: cosine(article.vector, m.vector) }))
    .filter((n) => n.similarity > 0)
    .sort((a, b) => b.similarity - a.similarity || a.article.seq - b.article.seq)
    .slice(0, options.limit);
}
