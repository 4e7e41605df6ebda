import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { projectRoot } from '../cli/run-cli.js';

/**
 * Processes for the reliability suite: the real `samestory worker` / `samestory api` commands run
 * from source (tsx), and a throw-away redis-server of the test's own. Every process started here is
 * killed by the test that started it.
 */

/** A port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface CliProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything written to stdout and stderr so far (bounded to the last 64 KB). */
  output(): string;
  /** SIGKILL: no cleanup, like a crashed machine. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `ms`. */
  stop(ms?: number): Promise<void>;
}

/** Starts `samestory <args>` from source and resolves once `ready(output)` holds. */
export async function startCli(
  args: readonly string[],
  env: Record<string, string>,
  ready: (output: string) => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 128_000) output = output.slice(-64_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!(await ready(output))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`samestory ${args[0]} exited before it was ready:\n${output}`);
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`samestory ${args[0]} not ready in ${timeoutMs} ms:\n${output}`);
    }
    await sleep(50);
  }
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    child,
    exited,
    output: () => output,
    kill,
    async stop(ms = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `samestory worker` against `redisUrl` under `prefix`; ready once it says it takes jobs. */
export function startWorker(redisUrl: string, prefix: string, concurrency: number, env: Record<string, string> = {}): Promise<CliProcess> {
  return startCli(
    ['worker', '--concurrency', String(concurrency)],
    { REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix, LOG_LEVEL: 'info', ...env },
    (out) => out.includes('"msg":"worker started"'),
  );
}

/** `samestory api` on a free loopback port; ready once /health answers. */
export async function startApi(
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
): Promise<CliProcess & { base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = await startCli(
    ['api', '--port', String(port), '--host', '127.0.0.1'],
    { REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix, LOG_LEVEL: 'warn', ...env },
    async () => {
      try {
        return (await fetch(`${base}/health`)).status > 0;
      } catch {
        return false;
      }
    },
  );
  return { ...api, base };
}

/** Resident set size (bytes) of a process, from /proc (Linux). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

/** CPU time (user + system, seconds) a process has used, from /proc (Linux). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** SIGKILL the server (no save, no clean shutdown); AOF is all that survives. */
  crash(): Promise<void>;
  /** Starts it again on the same port and directory (AOF replays). */
  start(): Promise<void>;
  /** Crash and remove the directory. */
  destroy(): Promise<void>;
}

/**
 * A redis-server of the test's own: free port, temp dir, AOF on with the given fsync policy, RDB
 * snapshots off (so a restart recovers from the AOF alone).
 */
export async function startRedisServer(appendfsync: 'always' | 'everysec'): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'samestory-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<unknown> = Promise.resolve();
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', appendfsync, '--save', '', '--logfile', join(dir, 'redis.log')],
      { stdio: 'ignore' },
    );
    const proc = child;
    exited = new Promise((resolve) => proc.on('exit', resolve));
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; ; i++) {
        try {
          await probe.connect();
          // Loading the AOF answers LOADING errors until done.
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          probe.disconnect();
          if (i > 200) throw new Error(`redis-server on port ${port} did not start`);
          await sleep(50);
        }
      }
    } finally {
      probe.disconnect();
    }
  };
  const crash = async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url,
    port,
    dir,
    crash,
    start,
    async destroy() {
      await crash();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
