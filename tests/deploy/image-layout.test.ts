import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildApi } from '../../src/api/app.js';
import { embeddedPorts } from '../../src/api/embedded.js';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';
import type { QueueHealth } from '../../src/service/ports.js';
import { projectRoot } from '../cli/run-cli.js';
import { freePort, sleep } from '../reliability/harness.js';

/**
 * The service image without Docker: the Dockerfile's final stage is laid out in a temporary
 * folder exactly as its COPY lines say (build-stage paths taken from this checkout's build), and
 * its ENTRYPOINT runs there. Anything the running API reads from the package but the image leaves
 * out (the dashboard's static files once were) shows up as a failed request.
 */
interface Copy {
  from: string;
  to: string;
}

/** COPY lines of the Dockerfile's last stage, `--from=build /app/x` read as this checkout's `x`. */
function finalStageCopies(dockerfile: string): { copies: Copy[]; entrypoint: string[] } {
  const lines = dockerfile.split('\n').map((l) => l.trim());
  const last = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0).pop() ?? 0;
  const stage = lines.slice(last);
  const copies = stage.flatMap((line) => {
    const m = /^COPY\s+(?:--from=\S+\s+(\/app\/)?)?(\S+)\s+(\S+)$/i.exec(line);
    return m ? [{ from: m[2] as string, to: m[3] as string }] : [];
  });
  const entry = stage.find((l) => /^ENTRYPOINT\s/i.test(l));
  return { copies, entrypoint: entry ? (JSON.parse(entry.replace(/^ENTRYPOINT\s+/i, '')) as string[]) : [] };
}

/** The api service's healthcheck command in docker-compose.yml (exec form, as Docker runs it). */
function apiHealthcheck(): string[] {
  const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { healthcheck?: { test?: string[] } }>;
  };
  return compose.services.api?.healthcheck?.test ?? [];
}

/** Runs the healthcheck as Docker would inside the container, whose environment sets PORT; its exit code. */
async function runHealthcheck(port: number, cwd?: string): Promise<number | null> {
  const [, command, ...args] = apiHealthcheck();
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, { cwd, env: { PORT: String(port) }, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('the service image (Dockerfile final stage, laid out without Docker)', () => {
  const root = mkdtempSync(join(tmpdir(), 'samestory-image-'));
  let stop: (() => void) | undefined;

  afterAll(() => {
    stop?.();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the API, the dashboard and its static files from only what the image copies', { timeout: 60_000 }, async () => {
    const { copies, entrypoint } = finalStageCopies(readFileSync(join(projectRoot, 'Dockerfile'), 'utf8'));
    expect(entrypoint).toEqual(['node', 'bin/samestory.js']);
    expect(existsSync(join(projectRoot, 'dist', 'src', 'cli', 'main.js')), 'dist/ is built (npm ci runs the build)').toBe(true);
    for (const { from, to } of copies) {
      const target = to.endsWith('/') ? join(root, to, basename(from)) : join(root, to);
      mkdirSync(dirname(target), { recursive: true });
      // Real copies, so module paths resolve inside the image folder; node_modules (read-only
      // and large) is linked: it holds no project file.
      if (from === 'node_modules') symlinkSync(join(projectRoot, from), target);
      else cpSync(join(projectRoot, from), target, { recursive: true });
    }

    const port = await freePort();
    // PORT and HOST from the environment, as docker-compose passes them.
    const child = spawn(process.execPath, [...entrypoint.slice(1), 'api', '--embedded'], {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    stop = () => child.kill('SIGKILL');
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/health`).then(() => true, () => false);
      if (up) break;
      if (i > 150 || child.exitCode !== null) throw new Error(`the image's API did not start: ${stderr}`);
      await sleep(100);
    }

    for (const path of ['/', '/static/app.js', '/static/style.css', '/openapi.json', '/health']) {
      expect((await fetch(`${base}${path}`)).status, `GET ${path}`).toBe(200);
    }
    expect(await runHealthcheck(port, root), "compose's healthcheck against the image's API").toBe(0);
  });
});

describe("docker-compose.yml's api healthcheck", () => {
  /** The real /health route, over queue health that reports `workers` and liveness checks that may fail. */
  async function api(workers: number, checks: Record<string, () => Promise<unknown>> = {}) {
    const health: QueueHealth = {
      counts: async () => ({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 }),
      recentFailures: async () => [],
      throughput: async (minutes) => new Array<number>(minutes).fill(0),
      workers: async () => workers,
    };
    const app = await buildApi({ ...embeddedPorts(new Engine(), new MemoryIndex()).deps, health, checks });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    return { app, port: typeof address === 'object' && address ? address.port : 0 };
  }

  it('is node asking /health (the slim image has no curl), with nothing compose would interpolate', () => {
    const test = apiHealthcheck();
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(test.join(' ')).not.toContain('$');
    expect(test.join(' ')).toContain('/health');
  });

  it('passes while the API answers ok or degraded (no worker), fails on 503 or no answer', async () => {
    const degraded = await api(0);
    const down = await api(1, { redis: () => Promise.reject(new Error('connection refused')) });
    try {
      expect((await (await fetch(`http://127.0.0.1:${degraded.port}/health`)).json()).status).toBe('degraded');
      expect(await runHealthcheck(degraded.port)).toBe(0);
      expect((await fetch(`http://127.0.0.1:${down.port}/health`)).status).toBe(503);
      expect(await runHealthcheck(down.port)).toBe(1);
    } finally {
      await degraded.app.close();
      await down.app.close();
    }
    expect(await runHealthcheck(degraded.port)).toBe(1);
  });
});
