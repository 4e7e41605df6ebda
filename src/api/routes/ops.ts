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
      schema: {
        summary: 'Liveness of Redis and the queue (503 when a check fails or times out)',
        tags: ['operations'],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const entries = await Promise.all(
        Object.entries(opts.checks).map(async ([name, check]) => [name, await timed(check, opts.checkTimeoutMs)] as const),
      );
      const checks = Object.fromEntries(entries);
      const ok = entries.every(([, c]) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
    },
  );

  app.get(
    '/v1/queue',
    {
      schema: {
        summary: 'Queue counts, throughput per minute (last 30 minutes) and recent failures',
        tags: ['operations'],
        response: { 200: QueueStatusSchema },
      },
    },
    async () => {
      const [counts, throughput, failures] = await Promise.all([
        opts.health.counts(),
        opts.health.throughput(30),
        opts.health.recentFailures(10),
      ]);
      return { counts, throughput, failures };
    },
  );

  app.get(
    '/metrics',
    {
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
