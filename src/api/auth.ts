import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

/**
 * Write endpoints need the configured API key, sent as `X-API-Key` or `Authorization: Bearer`.
 * Keys are compared as SHA-256 digests with timingSafeEqual: equal lengths, constant time, so the
 * comparison leaks neither the key nor its length.
 */
export function apiKeyGuard(apiKey: string | undefined): (request: FastifyRequest) => Promise<void> {
  const expected = apiKey ? digest(apiKey) : null;
  return async (request) => {
    if (!expected) return;
    const presented = presentedKey(request);
    if (presented === null || !timingSafeEqual(digest(presented), expected)) {
      throw new ApiError(401, 'unauthorized', 'a valid API key is required (X-API-Key or Authorization: Bearer)');
    }
  };
}

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const auth = request.headers.authorization;
  const match = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return match?.[1] ?? null;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
