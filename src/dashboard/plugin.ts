import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * The dashboard: one static HTML shell plus a small client script that renders every view from the
 * JSON API (article text only ever enters the page through textContent). Assets are found from the
 * package root, so the same files serve under tsx (src/) and from the build (dist/src/).
 */
export const staticDir = join(packageRoot(), 'src', 'dashboard', 'static');

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export const dashboard: FastifyPluginAsync = async (app) => {
  // An install or image without the assets would serve 500s on every page: refuse to start instead.
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`the dashboard's files are missing from ${staticDir} (an incomplete install or image)`);
  }
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/v1/') && !request.url.startsWith('/metrics')) {
      void reply.header('content-security-policy', contentSecurityPolicy);
      void reply.header('x-content-type-options', 'nosniff');
      void reply.header('referrer-policy', 'no-referrer');
    }
  });
  await app.register(fastifyStatic, { root: staticDir, prefix: '/static/', index: false });
  // Views are routed in the client; each path serves the same shell so links can be shared.
  for (const path of ['/', '/clusters/:id', '/articles/:id']) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) => reply.type('text/html').sendFile('index.html'));
  }
};

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('samestory: package.json not found above the dashboard module');
    dir = parent;
  }
  return dir;
}
