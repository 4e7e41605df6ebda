import { Redis } from 'ioredis';
import type { Engine } from '../engine/engine.js';
import { connectService } from '../queue/service.js';
import type { ServiceConfig } from '../service/config.js';
import type { ApiDeps } from './app.js';

/** The API's side of the running service: queue, events, health and the index workers write. */
export async function connectServiceDeps(
  config: ServiceConfig,
  engine: Engine,
  logger: ApiDeps['logger'],
): Promise<{ deps: ApiDeps; shutdown: () => Promise<void> }> {
  const client = await connectService(config, engine);
  // A connection of its own for /health, failing fast instead of queueing commands while Redis is down.
  const pinger = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
  pinger.on('error', () => undefined); // reported by /health, not as an unhandled error
  await pinger.connect().catch(() => undefined);
  return {
    deps: {
      index: client.index,
      engine,
      assigner: client.assigner,
      submitter: client.submitter,
      events: client.events,
      health: client.health,
      apiKey: config.apiKey,
      logger,
      checks: { redis: () => pinger.ping() },
    },
    shutdown: async () => {
      pinger.disconnect();
      await client.close();
    },
  };
}
