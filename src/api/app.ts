import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { Engine } from '../engine/engine.js';
import type { Index } from '../engine/index-store.js';
import type { Assigner, EventFeed, QueueHealth, Submitter } from '../service/ports.js';
import { dashboard } from '../dashboard/plugin.js';
import { apiKeyGuard } from './auth.js';
import { ApiError, frameworkErrors, installErrorHandlers } from './errors.js';
import { ApiMetrics } from './metrics.js';
import { articleRoutes, writeSecurity } from './routes/articles.js';
import { dedupRoutes } from './routes/dedup.js';
import { clusterRoutes } from './routes/clusters.js';
import { eventRoutes } from './routes/events.js';
import { opsRoutes } from './routes/ops.js';
import { NoQuery } from './schemas.js';
import { typeboxValidatorCompiler } from './validation.js';

export interface ApiDeps {
  index: Index;
  /** Its config sets the time window of the read views. */
  engine: Engine;
  submitter: Submitter;
  /** Decides POST /v1/dedup batches synchronously against `index`, publishing like a worker. */
  assigner: Assigner;
  events: EventFeed;
  health: QueueHealth;
  /** When set, write endpoints need it (X-API-Key or Authorization: Bearer). */
  apiKey?: string;
  logger?: FastifyServerOptions['logger'];
  /** Liveness checks for GET /health besides the queue (e.g. `{ redis: () => redis.ping() }`). */
  checks?: Record<string, () => Promise<unknown>>;
  /** Upper bound for `?wait=true` (default 10 s). */
  waitTimeoutMs?: number;
  /** Request body limit in bytes (default 4 MiB). */
  bodyLimit?: number;
  /** Largest accepted batch (default 500). */
  maxBatch?: number;
}

/**
 * The HTTP API and dashboard over the service ports. Everything it needs comes in `deps`, so the
 * same app runs over BullMQ/Redis (`samestory api`) or in-process (`samestory api --embedded`),
 * and tests drive it with `app.inject`.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 4 * 1024 * 1024,
    // The article id is the caller's own key and may be long; the default 100 would cut it.
    routerOptions: { maxParamLength: 1024 },
    frameworkErrors,
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  // An API route that takes no query parameters refuses them, as the others refuse unknown ones: a
  // typo'd parameter is an error, not silently ignored.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/v1/') && !route.schema?.querystring) route.schema = { ...route.schema, querystring: NoQuery };
  });
  installErrorHandlers(app);
  refuseOversizedBodies(app);

  const metrics = new ApiMetrics(deps.health);
  metrics.install(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'samestory API',
        version: '0.1.0',
        description:
          'Clusters news articles that tell the same story. Write endpoints (POST) need X-API-Key or ' +
          'Authorization: Bearer when the server has SAMESTORY_API_KEY; read endpoints, events and the ' +
          'dashboard are open. Errors are JSON {error, message, field?}.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' }, bearer: { type: 'http', scheme: 'bearer' } },
      },
    },
  });

  const requireKey = apiKeyGuard(deps.apiKey);
  await app.register(articleRoutes, {
    index: deps.index,
    submitter: deps.submitter,
    metrics,
    requireKey,
    windowMs: deps.engine.config.windowMs,
    waitTimeoutMs: deps.waitTimeoutMs ?? 10_000,
    maxBatch: deps.maxBatch ?? 500,
  });
  // Dedup writes to the index, so it sits behind the same key as the other write endpoints.
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireKey);
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: writeSecurity };
    });
    await scope.register(dedupRoutes, { assigner: deps.assigner, index: deps.index });
  });
  await app.register(clusterRoutes, { index: deps.index });
  await app.register(eventRoutes, { events: deps.events, heartbeatMs: 15_000 });
  await app.register(opsRoutes, {
    health: deps.health,
    metrics,
    checks: { queue: () => deps.health.counts(), ...deps.checks },
    checkTimeoutMs: 1_000,
  });
  await app.register(dashboard);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** Oversized bodies up to this size are read and discarded before the 413; larger ones are cut off. */
const drainLimit = 64 * 1024 * 1024;

/**
 * A body whose declared length is over the route's limit gets its 413 JSON after the body has been
 * read and dropped. Fastify's own check answers at once and closes the connection while the client
 * is still sending, which many clients (fetch among them) report as a broken pipe instead of the 413.
 */
function refuseOversizedBodies(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const length = Number(request.headers['content-length']);
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? Infinity;
    if (!(length > limit) || length > drainLimit) return;
    request.raw.resume();
    await new Promise<void>((resolve) => {
      request.raw.once('end', resolve);
      request.raw.once('error', () => resolve());
      request.raw.once('close', resolve);
    });
    throw new ApiError(413, 'payload_too_large', `the body is over the limit of ${limit} bytes`);
  });
}
