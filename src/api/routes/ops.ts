import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { QueueHealth } from '../../service/ports.js';
import type { ApiMetrics } from '../metrics.js';
import { HealthSchema, QueueStatusSchema } from '../schemas.js';

export interface OpsRoutesOptions {
  health: QueueHealth;
  metrics: ApiMetrics;
  /** Named liveness checks (e.g. a Redis ping); each must settle within `checkTimeoutMs`. */
  checks: Record<string, () => Promise<unknown>>;
  checkTimeoutMs: number;
}

export const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (app, opts) => {
  app.get(
    '/health',
    {
      // Probed every few seconds: its requests would bury the log at info. Failures still show.
      logLevel: 'warn',
      schema: {
        summary: 'Liveness of Redis and the queue (503 when a check fails or times out), and whether a worker is connected',
        description:
          'status ok: every check passes; degraded (200): the API, Redis and the queue work but no worker is connected, so submitted articles wait in the queue; unavailable (503): a liveness check fails or times out.',
        tags: ['operations'],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const [entries, workers] = await Promise.all([
        Promise.all(Object.entries(opts.checks).map(async ([name, check]) => [name, await timed(check, opts.checkTimeoutMs)] as const)),
        timed(async () => {
          if ((await opts.health.workers()) === 0) throw new Error('no worker connected: submitted articles wait in the queue');
        }, opts.checkTimeoutMs),
      ]);
      const checks = { ...Object.fromEntries(entries), workers };
      const live = entries.every(([, c]) => c.ok);
      const status = !live ? 'unavailable' : workers.ok ? 'ok' : 'degraded';
      return reply.code(live ? 200 : 503).send({ status, checks });
    },
  );

  app.get(
    '/v1/queue',
    {
      schema: {
        summary: 'Queue counts, connected workers, throughput per minute (last 30 minutes) and recent failures',
        tags: ['operations'],
        response: { 200: QueueStatusSchema },
      },
    },
    async () => {
      const [counts, throughput, failures, workers] = await Promise.all([
        opts.health.counts(),
        opts.health.throughput(30),
        opts.health.recentFailures(10),
        opts.health.workers(),
      ]);
      return { counts, throughput, failures, workers };
    },
  );

  app.get(
    '/metrics',
    {
      logLevel: 'warn', // scraped every few seconds, as /health is probed
      schema: {
        summary: 'Prometheus metrics: request durations, queue counts, submitted totals',
        tags: ['operations'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => {
      const body = await opts.metrics.registry.metrics();
      return reply.type(opts.metrics.registry.contentType).send(body);
    },
  );
};

async function timed(check: () => Promise<unknown>, timeoutMs: number): Promise<{ ok: boolean; ms: number; error?: string }> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - start) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - start), error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
