import type { Command } from 'commander';
import { buildApi, type ApiDeps } from '../api/app.js';
import { connectServiceDeps } from '../api/service-deps.js';
import { embeddedPorts } from '../api/embedded.js';
import { Engine } from '../engine/engine.js';
import { MemoryIndex } from '../engine/memory-index.js';
import { loadServiceConfig } from '../service/config.js';

interface ApiOptions {
  port?: string;
  host?: string;
  embedded?: boolean;
}

/** `samestory api`: the HTTP API and dashboard, over Redis/BullMQ or fully in-process. */
export function registerApiCommand(program: Command): void {
  program
    .command('api')
    .description('Serve the HTTP API and the dashboard.')
    .option('--port <n>', 'port to listen on (default: $PORT or 8080)')
    .option('--host <h>', 'address to listen on (default: $HOST or 0.0.0.0)')
    .option('--embedded', 'run the engine in this process over an in-memory index (no Redis, no worker; nothing persists)')
    .addHelpText(
      'after',
      `
Without --embedded, submitted articles go to the BullMQ queue on $REDIS_URL and a running
\`samestory worker\` assigns them. Configuration comes from the environment (REDIS_URL,
SAMESTORY_PREFIX, SAMESTORY_API_KEY, PORT, HOST, LOG_LEVEL, ...; see src/service/config.ts).
When SAMESTORY_API_KEY is set, POST endpoints need it as X-API-Key or Authorization: Bearer;
read endpoints, events and the dashboard are open. Dashboard: http://<host>:<port>/`,
    )
    .action(async (options: ApiOptions) => {
      const config = loadServiceConfig();
      const port = options.port === undefined ? config.port : parsePort(options.port);
      const host = options.host ?? config.host;
      const logger = { level: config.logLevel };
      const engine = new Engine({ windowMs: config.windowMs });

      let deps: ApiDeps;
      let shutdown: () => Promise<void>;
      if (options.embedded) {
        const { service, deps: ports } = embeddedPorts(engine, new MemoryIndex());
        deps = { ...ports, apiKey: config.apiKey, logger };
        shutdown = async () => service.idle();
      } else {
        ({ deps, shutdown } = await connectServiceDeps(config, engine, logger));
      }

      const app = await buildApi(deps);
      const stop = async (signal: string) => {
        app.log.info({ signal }, 'stopping: finishing open requests');
        await app.close();
        await shutdown();
        app.log.info('api stopped');
      };
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          stop(signal).then(
            () => process.exit(0),
            () => process.exit(1),
          );
        });
      }
      try {
        await app.listen({ port, host });
      } catch (error) {
        await shutdown();
        throw error;
      }
    });
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${raw}" is not a port number (0-65535)`);
  return port;
}
