import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueHealth } from '../service/ports.js';

/**
 * Prometheus metrics for one API instance. Each instance has its own registry, so several apps in
 * one process (tests, embedded use) never collide on metric names.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly submitted: Counter<'endpoint'>;
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(health: QueueHealth) {
    collectDefaultMetrics({ register: this.registry, prefix: 'samestory_api_' });
    this.duration = new Histogram({
      name: 'samestory_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    this.submitted = new Counter({
      name: 'samestory_articles_submitted_total',
      help: 'Articles accepted for clustering through the API',
      labelNames: ['endpoint'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'samestory_queue_jobs',
      help: 'Jobs in the articles queue by state, read at scrape time',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await health.counts();
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
  }

  /** Times every request, labelled by route pattern (not the raw URL, which would explode labels). */
  install(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }
}
