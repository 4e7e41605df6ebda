import type { Static } from '@sinclair/typebox';
import type { StoredArticle, StoredCluster } from '../engine/index-store.js';
import type { ArticleViewSchema, ClusterSummarySchema } from './schemas.js';

/** The public shape of stored records: no signatures, band keys or other engine internals. */

export type ArticleView = Static<typeof ArticleViewSchema>;
export type ClusterSummary = Static<typeof ClusterSummarySchema>;

const iso = (ms: number) => new Date(ms).toISOString();

export function articleView(a: StoredArticle): ArticleView {
  return {
    id: a.id,
    clusterId: a.clusterId,
    duplicateOf: a.duplicateOf,
    similarity: a.similarity,
    decidedBy: a.decidedBy,
    at: a.at,
    source: a.source,
    title: a.title,
    url: a.url,
    publishedAt: a.publishedAt === null ? null : iso(a.publishedAt),
    time: iso(a.time),
  };
}

export function clusterSummary(c: StoredCluster, members: readonly StoredArticle[]): ClusterSummary {
  return {
    id: c.id,
    size: c.size,
    title: c.title,
    representativeId: c.representativeId,
    sources: c.sources,
    firstSeen: iso(c.firstTime),
    lastSeen: iso(c.lastTime),
    updatedAt: c.updatedAt,
    timeline: members.map((m) => m.time),
  };
}
