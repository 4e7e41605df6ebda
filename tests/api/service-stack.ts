import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.js';
import { connectServiceDeps } from '../../src/api/service-deps.js';
import { Engine } from '../../src/engine/engine.js';
import { startWorker, type RunningWorker } from '../../src/queue/worker.js';
import { loadServiceConfig } from '../../src/service/config.js';
import { deletePrefix, redisUrl, testPrefix } from '../integration/redis-helpers.js';

/**
 * The real service on the local Redis under a key prefix of its own: the API wired as `samestory
 * api` wires it, plus a BullMQ worker. `stop()` closes both and deletes every key of the prefix.
 */
export async function startServiceStack(apiKey?: string): Promise<{
  app: FastifyInstance;
  prefix: string;
  stop: () => Promise<void>;
}> {
  const prefix = testPrefix();
  const config = loadServiceConfig({ REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix, LOG_LEVEL: 'silent' });
  const worker: RunningWorker = await startWorker({ ...config, concurrency: 2 });
  const { deps, shutdown } = await connectServiceDeps(config, new Engine({ windowMs: config.windowMs }), false);
  const app = await buildApi({ ...deps, apiKey });
  return {
    app,
    prefix,
    stop: async () => {
      await app.close();
      await shutdown();
      await worker.close();
      await deletePrefix(prefix);
    },
  };
}
