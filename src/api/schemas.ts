import { Type, type Static } from '@sinclair/typebox';

/**
 * Response and query schemas: they validate querystrings, shape responses and document every
 * endpoint in the OpenAPI document (GET /openapi.json). The request article schema is the shared
 * one in src/contracts/article.ts.
 */

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const ErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'Machine-readable kind: validation, malformed_json, payload_too_large, unauthorized, not_found, ...' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The offending field (dotted path) for validation errors' })),
  },
  { $id: 'Error' },
);

export const AssignmentSchema = Type.Object({
  articleId: Type.String(),
  clusterId: Type.String(),
  duplicateOf: Nullable(Type.String()),
  similarity: Type.Number(),
  decidedBy: Type.Union([Type.Literal('exact'), Type.Literal('minhash'), Type.Literal('tfidf'), Type.Literal('new')]),
  clusterSize: Type.Integer(),
  at: Type.String({ description: 'ISO time of the decision' }),
});

export const SubmitResultSchema = Type.Object({
  articleId: Type.String(),
  jobId: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('done')]),
  assignment: Type.Optional(AssignmentSchema),
});

export const BatchResultSchema = Type.Object({
  accepted: Type.Array(Type.Intersect([Type.Object({ index: Type.Integer() }), SubmitResultSchema])),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), field: Type.String(), message: Type.String() })),
});

export const ArticleViewSchema = Type.Object({
  id: Type.String(),
  clusterId: Type.String(),
  duplicateOf: Nullable(Type.String()),
  similarity: Type.Number(),
  decidedBy: Type.String(),
  at: Type.String(),
  source: Type.String(),
  title: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  publishedAt: Nullable(Type.String()),
  time: Type.String({ description: 'publishedAt, or when the article was indexed (ISO)' }),
});

export const ClusterSummarySchema = Type.Object({
  id: Type.String(),
  size: Type.Integer(),
  title: Type.Optional(Type.String({ description: "The representative article's title" })),
  representativeId: Type.String(),
  sources: Type.Array(Type.String()),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  updatedAt: Type.String(),
  timeline: Type.Array(Type.Number(), { description: 'Member times (epoch ms) in indexing order, for a growth sparkline' }),
});

export const SharedTermSchema = Type.Object({ term: Type.String(), weight: Type.Number(), members: Type.Integer() });

export const ClusterDetailSchema = Type.Intersect([
  ClusterSummarySchema,
  Type.Object({
    members: Type.Array(
      Type.Intersect([
        ArticleViewSchema,
        Type.Object({ centroidSimilarity: Type.Number({ description: 'Cosine of the member to the cluster centroid' }) }),
      ]),
    ),
    evidence: Type.Object({
      sharedTerms: Type.Array(SharedTermSchema, {
        description: 'Stemmed terms in the vectors of at least two members, heaviest summed TF-IDF weight first',
      }),
    }),
  }),
]);

export const ArticleDetailSchema = Type.Object({
  article: ArticleViewSchema,
  assignment: AssignmentSchema,
  cluster: Type.Object({ id: Type.String(), size: Type.Integer(), title: Type.Optional(Type.String()) }),
});

export const NeighboursSchema = Type.Object({
  articleId: Type.String(),
  neighbours: Type.Array(Type.Object({ article: ArticleViewSchema, similarity: Type.Number() })),
});

/** The query of a route that takes no parameters. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

export const ClusterListQuery = Type.Object(
  {
    sort: Type.Optional(Type.Union([Type.Literal('updated'), Type.Literal('size')], { default: 'updated' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Case-insensitive text in the cluster title' })),
    source: Type.Optional(Type.String({ maxLength: 256, description: 'Only clusters with a member from this source (case-insensitive)' })),
  },
  { additionalProperties: false },
);
/** The query as a handler sees it: the validator has filled in the defaults (Value.Default). */
export type ClusterListQueryT = Required<Pick<Static<typeof ClusterListQuery>, 'sort' | 'limit' | 'offset'>> &
  Static<typeof ClusterListQuery>;

export const ClusterListSchema = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  items: Type.Array(ClusterSummarySchema),
});

export const QueueStatusSchema = Type.Object({
  counts: Type.Object({
    waiting: Type.Integer(),
    active: Type.Integer(),
    completed: Type.Integer(),
    failed: Type.Integer(),
    delayed: Type.Integer(),
  }),
  throughput: Type.Array(Type.Integer(), { description: 'Jobs completed per minute, oldest first' }),
  workers: Type.Integer({ description: 'Workers connected to the queue now' }),
  failures: Type.Array(Type.Object({ jobId: Type.String(), articleId: Type.String(), reason: Type.String(), at: Type.String() })),
});

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')], {
    description: 'unavailable (503): Redis or the queue fails; degraded (200): no worker connected, so submissions wait',
  }),
  checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), ms: Type.Number(), error: Type.Optional(Type.String()) })),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 512 }) });
