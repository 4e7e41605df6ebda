import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.js';
import { EmbeddedService } from '../../src/api/embedded.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';

/** The API as `samestory api --embedded` runs it: engine, memory index, in-process ports. */
export async function embeddedApi(apiKey?: string): Promise<{ app: FastifyInstance; service: EmbeddedService }> {
  const engine = new Engine();
  const index = new MemoryIndex();
  const service = new EmbeddedService(engine, index);
  const app = await buildApi({ engine, index, submitter: service, events: service, health: service, apiKey });
  return { app, service };
}
