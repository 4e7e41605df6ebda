import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { Engine } from '../engine/engine.js';
import type { Index } from '../engine/index-store.js';
import type { EventFeed, QueueHealth, Submitter } from '../service/ports.js';
import { dashboard } from '../dashboard/plugin.js';
import { apiKeyGuard } from './auth.js';
import { installErrorHandlers } from './errors.js';
import { ApiMetrics } from './metrics.js';
import { articleRoutes, writeSecurity } from './routes/articles.js';
import { dedupRoutes } from './routes/dedup.js';
import { clusterRoutes } from './routes/clusters.js';
import { eventRoutes } from './routes/events.js';
import { opsRoutes } from './routes/ops.js';
import { typeboxValidatorCompiler } from './validation.js';

export interface ApiDeps {
  index: Index;
  /** Decides POST /v1/dedup batches synchronously against `index` (its config sets the time window). */
  engine: Engine;
  submitter: Submitter;
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
  });
  app.setValidatorCompiler(typeboxValidatorCompiler);
  installErrorHandlers(app);

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
    await scope.register(dedupRoutes, { engine: deps.engine, index: deps.index });
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
