import { Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { bullConnection } from '../../src/queue/jobs.js';
import { connectService } from '../../src/queue/service.js';
import { startWorker } from '../../src/queue/worker.js';
import { serviceKeys } from '../../src/storage/keys.js';
import { connectRedisIndex } from '../../src/storage/redis-index.js';
import { tidalA, tidalB } from '../feeds/fixtures.js';
import { deletePrefix, redisUrl, testPrefix } from './redis-helpers.js';
import { testConfig } from './service-harness.js';

/**
 * A job whose worker hangs (or died, its lock not yet run out) holds up its successor only for the
 * order wait: the successor then decides the late job itself, in its turn, instead of committing
 * ahead of it. Overtaking would change the clusters: here the second report would start the story
 * and the first would join it.
 */
describe('ordered commits: a late predecessor', () => {
  it('is decided in its turn by the successor that waited for it', { timeout: 30_000 }, async () => {
    const prefix = testPrefix();
    const config = testConfig(prefix, { SAMESTORY_ORDER_WAIT_MS: '500', WORKER_CONCURRENCY: '1' });
    const keys = serviceKeys(prefix);
    const client = await connectService(config);
    let tookFirst!: () => void;
    const firstTaken = new Promise<void>((resolve) => (tookFirst = resolve));
    // Takes the first job and never finishes it, keeping its lock: a stopped process.
    const hung = new Worker(keys.queueName, () => (tookFirst(), new Promise<never>(() => undefined)), {
      connection: bullConnection(redisUrl),
      prefix: keys.queuePrefix,
      lockDuration: 60_000,
    });
    const index = await connectRedisIndex(redisUrl, { prefix });
    let running: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      await client.submitter.submit({ id: 'tidal-a', source: 'northwind.example', title: 'Norvik Tidal plans 240MW Skarre Strait array', text: tidalA });
      await firstTaken;
      await hung.pause(true);
      running = await startWorker(config);
      const second = await client.submitter.submit(
        { id: 'tidal-b', source: 'harbourdaily.example', title: 'Giant tidal farm unveiled', text: tidalB },
        { wait: true, timeoutMs: 20_000 },
      );
      const [first, later] = await index.getArticles(['tidal-a', 'tidal-b']);
      expect(first).toMatchObject({ decidedBy: 'new', seq: 1 });
      expect(later).toMatchObject({ seq: 2, clusterId: first?.clusterId });
      expect(second.assignment).toMatchObject({ articleId: 'tidal-b', clusterId: first?.clusterId, clusterSize: 2 });
      expect(second.assignment?.decidedBy).not.toBe('new');
    } finally {
      await hung.close(true);
      await running?.close();
      await index.close();
      await client.close();
      await deletePrefix(prefix);
    }
  });
});
