/**
 * Worker process entry (`node dist/workers/worker.js`, or `samestory worker`): configuration from
 * the environment, see src/service/config.ts.
 */
import { runWorker } from '../src/queue/worker.js';
import { loadServiceConfig } from '../src/service/config.js';

runWorker(loadServiceConfig()).catch((error: unknown) => {
  process.stderr.write(`samestory worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
