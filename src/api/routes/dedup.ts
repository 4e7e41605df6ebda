import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Index } from '../../engine/index-store.js';
import { decide } from '../../feeds/dedup.js';
import { describeItem, FeedItemSchema, itemToArticle, jsonItemFields } from '../../feeds/item.js';
import type { Assigner } from '../../service/ports.js';

/** Items per request: enough for a feed page, small enough to answer within a request timeout. */
export const maxDedupBatch = 500;

const DedupRequestSchema = Type.Object(
  {
    items: Type.Array(FeedItemSchema, { minItems: 1, maxItems: maxDedupBatch }),
    minSimilarity: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'A later report joined by TF-IDF below this cosine is kept as a first report (default 0)' }),
    ),
  },
  { additionalProperties: false },
);

const DecisionSchema = Type.Object({
  index: Type.Integer({ description: 'Position of the item in the request (0-based)' }),
  id: Type.Optional(Type.String({ description: 'Article id used: id, guid, url/link, or a content hash' })),
  status: Type.Union([Type.Literal('first'), Type.Literal('repeat'), Type.Literal('seen'), Type.Literal('skipped')], {
    description: 'first: first report of its story; repeat: duplicate or later report; seen: already processed; skipped: unusable item',
  }),
  emit: Type.Boolean({ description: 'Whether a deduplicated feed keeps this item' }),
  clusterId: Type.Optional(Type.String()),
  duplicateOf: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  similarity: Type.Optional(Type.Number()),
  decidedBy: Type.Optional(Type.String()),
  clusterSize: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String({ description: 'Why the item was skipped' })),
  warnings: Type.Optional(Type.Array(Type.String())),
});

const DedupResponseSchema = Type.Object({
  items: Type.Array(DecisionSchema),
  emitted: Type.Integer(),
  skipped: Type.Integer(),
});

export interface DedupRouteOptions {
  assigner: Assigner;
  index: Index;
}

/**
 * POST /v1/dedup: decides a batch of feed items synchronously against the API's index, in order,
 * and answers each item's decision; each change is published on the event stream as a worker's
 * is. A wrongly typed body is a 400 naming the field; an item that is well typed but unusable (no
 * text) is answered as `skipped` so the rest of the batch counts.
 */
export const dedupRoutes: FastifyPluginAsync<DedupRouteOptions> = async (app, { assigner, index }) => {
  app.post(
    '/v1/dedup',
    {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        summary: 'Deduplicate a batch of feed items',
        description: `Runs each item through the engine in order (at most ${maxDedupBatch} per request); each decision is published on the event stream like a worker's. Items use Article field names or feed names (guid, link, description, pubDate, content_html, ...).`,
        tags: ['dedup'],
        body: DedupRequestSchema,
        response: { 200: DedupResponseSchema },
      },
    },
    async (request) => {
      const { items, minSimilarity } = request.body as Static<typeof DedupRequestSchema>;
      const runStart = new Date().toISOString();
      const decisions: Static<typeof DecisionSchema>[] = [];
      for (const [i, item] of items.entries()) {
        const fields = jsonItemFields(item);
        const conversion = itemToArticle(fields);
        if ('error' in conversion) {
          decisions.push({ index: i, id: fields.id ?? fields.link, status: 'skipped', emit: false, error: `${describeItem(`items[${i}]`, fields)}: ${conversion.error}` });
          continue;
        }
        const d = await decide((article) => assigner.assign(article), index, conversion.article, runStart, minSimilarity);
        const { articleId, clusterId, duplicateOf, similarity, decidedBy, clusterSize } = d.assignment;
        const warnings = [...conversion.warnings, ...(d.repeatedId ? ['id already used by an earlier item of this batch'] : [])];
        decisions.push({
          index: i,
          id: articleId,
          status: d.status,
          emit: d.emit,
          clusterId,
          duplicateOf,
          similarity,
          decidedBy,
          clusterSize,
          ...(warnings.length > 0 ? { warnings } : {}),
        });
      }
      return {
        items: decisions,
        emitted: decisions.filter((d) => d.emit).length,
        skipped: decisions.filter((d) => d.status === 'skipped').length,
      };
    },
  );
};
