import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';
import type { Index } from '../../src/engine/index-store.js';
import type { Article, Assignment } from '../../src/engine/types.js';
import type { ServiceClient } from '../../src/queue/service.js';
import { loadServiceConfig, type ServiceConfig } from '../../src/service/config.js';
import type { ServiceEvent } from '../../src/service/ports.js';
import { generateStories, type GeneratedArticle } from './story-generator.js';
import { redisUrl } from './redis-helpers.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function testConfig(prefix: string, env: Record<string, string> = {}): ServiceConfig {
  return loadServiceConfig({ REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix, LOG_LEVEL: 'warn', ...env });
}

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/** Spawns `workers/worker.ts` (via tsx) and resolves once it reports it is taking jobs. */
export async function startWorkerProcess(prefix: string, concurrency: number, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/worker.ts'], {
    cwd: projectRoot,
    env: { ...process.env, REDIS_URL: redisUrl, SAMESTORY_PREFIX: prefix, WORKER_CONCURRENCY: String(concurrency), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before starting:\n${output}`));
    });
  });
  return { child, exited, output: () => output };
}

/** SIGTERM (unless still running after `ms`, then SIGKILL); resolves with the exit code. */
export async function stopWorker(worker: WorkerProcess, ms = 20_000): Promise<number | null> {
  if (worker.child.exitCode !== null) return worker.child.exitCode;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), ms);
  const code = await worker.exited;
  clearTimeout(timer);
  return code;
}

/** Resolves once `n` jobs finished (completed or failed) and none is waiting or running. */
export async function waitForJobs(client: ServiceClient, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await client.health.counts();
    if (c.completed + c.failed >= n && c.waiting + c.active + c.delayed === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs not done in ${timeoutMs} ms: ${JSON.stringify(c)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function allEvents(client: ServiceClient): Promise<ServiceEvent[]> {
  const events: ServiceEvent[] = [];
  for (let after = '0'; ; ) {
    const page = await client.events.read(after, 1000);
    events.push(...page);
    if (page.length < 1000) return events;
    after = page[page.length - 1]?.streamId as string;
  }
}

/** The decisions one in-process engine makes over a MemoryIndex, in the same order. */
export async function embeddedRun(articles: readonly Article[], config: ServiceConfig): Promise<{ index: Index; assignments: Assignment[] }> {
  const engine = new Engine({ windowMs: config.windowMs });
  const index = new MemoryIndex();
  const assignments: Assignment[] = [];
  for (const article of articles) assignments.push((await engine.assign(article, index)).assignment);
  return { index, assignments };
}

/** Final cluster of each article, as groups of ids (ids sorted, groups sorted): order-free. */
export async function partition(index: Index, ids: readonly string[]): Promise<string[][]> {
  const groups = new Map<string, string[]>();
  for (const a of await index.getArticles(ids)) groups.set(a.clusterId, [...(groups.get(a.clusterId) ?? []), a.id]);
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** A decision without its wall-clock time. */
export function decision(a: Assignment): Omit<Assignment, 'at'> {
  const { at: _at, ...rest } = a;
  return rest;
}

/**
 * A labelled set for the concurrency test: the first `limit` items of the shared Google News dev
 * split when ../shared/data is present (read at run time, never copied), else invented stories.
 */
export function labelledSet(limit: number): { name: string; articles: GeneratedArticle[] } {
  const file = join(projectRoot, '..', 'shared', 'data', 'googlenews-stories', 'dev.jsonl');
  if (!existsSync(file)) {
    process.stderr.write(`(${file} absent: using generated stories for the concurrency test)\n`);
    return { name: 'generated', articles: generateStories(Math.ceil(limit / 5), 5) };
  }
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, limit);
  const articles = lines.map((line) => {
    const { label, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const article = Object.fromEntries(
      Object.entries(rest).filter(([k]) => ['id', 'url', 'source', 'title', 'text', 'publishedAt', 'lang'].includes(k)),
    ) as unknown as Article;
    return { ...article, label: String(label) };
  });
  return { name: 'googlenews-stories/dev', articles };
}

export function withoutLabel({ label: _label, ...article }: GeneratedArticle): Article {
  return article;
}
