import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.js';
import { embeddedPorts, type EmbeddedService } from '../../src/api/embedded.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';

/** The API as `samestory api --embedded` runs it: engine, memory index, in-process ports. */
export async function embeddedApi(apiKey?: string): Promise<{ app: FastifyInstance; service: EmbeddedService }> {
  const { service, deps } = embeddedPorts(new Engine(), new MemoryIndex());
  const app = await buildApi({ ...deps, apiKey });
  return { app, service };
}
