import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ArticleSchema, ArticleValidationError, parseArticle } from '../../contracts/article.js';
import { assignmentOf, type Index } from '../../engine/index-store.js';
import type { Article } from '../../engine/types.js';
import type { Submitter } from '../../service/ports.js';
import { ApiError } from '../errors.js';
import { nearestNeighbours } from '../evidence.js';
import type { ApiMetrics } from '../metrics.js';
import {
  ArticleDetailSchema,
  BatchResultSchema,
  ErrorSchema,
  IdParams,
  NeighboursSchema,
  SubmitResultSchema,
} from '../schemas.js';
import { articleView } from '../views.js';

export interface ArticleRoutesOptions {
  index: Index;
  submitter: Submitter;
  metrics: ApiMetrics;
  requireKey: (request: FastifyRequest) => Promise<void>;
  /** The engine's time window: neighbours are looked for within it. */
  windowMs: number;
  /** How long `?wait=true` waits for the worker before answering 202. */
  waitTimeoutMs: number;
  maxBatch: number;
}

const WaitQuery = Type.Object(
  { wait: Type.Optional(Type.Boolean({ default: false, description: "Wait for the worker's assignment" })) },
  { additionalProperties: false },
);

const NeighbourQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })) },
  { additionalProperties: false },
);

const errors = { 400: ErrorSchema, 401: ErrorSchema, 413: ErrorSchema, 502: ErrorSchema, 503: ErrorSchema, 504: ErrorSchema };

/** OpenAPI: either form of the key, when the server has one configured. */
export const writeSecurity: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];

export const articleRoutes: FastifyPluginAsync<ArticleRoutesOptions> = async (app, opts) => {
  const { index, submitter, metrics } = opts;

  app.post<{ Body: Article; Querystring: { wait: boolean } }>(
    '/v1/articles',
    {
      onRequest: opts.requireKey,
      schema: {
        summary: 'Submit one article for clustering',
        tags: ['articles'],
        security: writeSecurity,
        body: ArticleSchema,
        querystring: WaitQuery,
        response: { 200: SubmitResultSchema, 202: SubmitResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const article = parseArticle(request.body);
      const wait = request.query.wait;
      const result = await submitting(wait, submitter.submit(article, { wait, timeoutMs: opts.waitTimeoutMs }), () =>
        metrics.submitted.inc({ endpoint: 'single' }),
      );
      if (wait && result.status !== 'done') {
        throw new ApiError(504, 'wait_timeout', 'no assignment yet; the article stays queued: GET /v1/articles/:id later');
      }
      return reply.code(result.status === 'done' ? 200 : 202).send(result);
    },
  );

  app.post<{ Body: unknown[]; Querystring: { wait: boolean } }>(
    '/v1/articles/batch',
    {
      onRequest: opts.requireKey,
      schema: {
        summary: 'Submit a batch of articles; invalid items are reported, valid ones accepted',
        tags: ['articles'],
        security: writeSecurity,
        body: Type.Array(Type.Unknown({ description: 'An Article (validated item by item)' }), {
          minItems: 1,
          maxItems: opts.maxBatch,
        }),
        querystring: WaitQuery,
        response: { 200: BatchResultSchema, 202: BatchResultSchema, ...errors },
      },
    },
    async (request, reply) => {
      const valid: { index: number; article: Article }[] = [];
      const rejected: { index: number; field: string; message: string }[] = [];
      request.body.forEach((item, i) => {
        try {
          valid.push({ index: i, article: parseArticle(item) });
        } catch (error) {
          if (!(error instanceof ArticleValidationError)) throw error;
          rejected.push({ index: i, field: error.field, message: error.message });
        }
      });
      if (valid.length === 0) {
        const first = rejected[0]!;
        throw new ApiError(400, 'validation', `no valid article in the batch; item ${first.index}: ${first.message}`, `${first.index}.${first.field}`);
      }
      const wait = request.query.wait;
      const results = await submitting(
        wait,
        submitter.submitMany(
          valid.map((v) => v.article),
          { wait, timeoutMs: opts.waitTimeoutMs },
        ),
        () => metrics.submitted.inc({ endpoint: 'batch' }, valid.length),
      );
      const accepted = results.map((r, i) => ({ index: valid[i]!.index, ...r }));
      const allDone = accepted.every((r) => r.status === 'done');
      return reply.code(allDone ? 200 : 202).send({ accepted, rejected });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/articles/:id',
    {
      schema: {
        summary: "An article's assignment and stored information",
        tags: ['articles'],
        params: IdParams,
        response: { 200: ArticleDetailSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const article = await index.getArticle(request.params.id);
      if (!article) throw notFound(request.params.id);
      const [cluster] = await index.getClusters([article.clusterId]);
      const size = cluster?.size ?? 1;
      return {
        article: articleView(article),
        assignment: assignmentOf(article, size),
        cluster: { id: article.clusterId, size, title: cluster?.title },
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/v1/articles/:id/neighbours',
    {
      schema: {
        summary: 'Nearest indexed articles by TF-IDF cosine similarity',
        tags: ['articles'],
        params: IdParams,
        querystring: NeighbourQuery,
        response: { 200: NeighboursSchema, 400: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const article = await index.getArticle(request.params.id);
      if (!article) throw notFound(request.params.id);
      const neighbours = await nearestNeighbours(index, article, {
        terms: 12,
        maxClusters: 30,
        windowMs: opts.windowMs,
        limit: request.query.limit,
      });
      return {
        articleId: article.id,
        neighbours: neighbours.map((n) => ({ article: articleView(n.article), similarity: n.similarity })),
      };
    },
  );
};

/**
 * Failures after validation are the service's, not the caller's: without `wait`, the queue could not
 * take the article (503); with `?wait=true`, a job the worker failed is a 502 carrying its reason (a
 * wait that runs out is no failure: the submitter answers "queued"). `queued` counts the articles
 * once they are in the queue, which a failed job does not undo.
 */
async function submitting<T>(wait: boolean, submission: Promise<T>, queued: () => void): Promise<T> {
  try {
    const result = await submission;
    queued();
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!wait) throw new ApiError(503, 'unavailable', `the queue could not take the article: ${message}`);
    queued();
    throw new ApiError(502, 'job_failed', `the worker could not assign the article: ${message}`);
  }
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'not_found', `no indexed article with id ${JSON.stringify(id)}`, 'id');
}
