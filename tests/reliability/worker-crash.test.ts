import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Article } from '../../src/engine/types.js';
import { clusteringMetrics } from '../../src/eval/metrics.js';
import { connectService, type ServiceClient } from '../../src/queue/service.js';
import { serviceKeys } from '../../src/storage/keys.js';
import { deletePrefix, redisUrl, testPrefix } from '../integration/redis-helpers.js';
import { allEvents, embeddedRun, partition, testConfig, waitForJobs, withoutLabel } from '../integration/service-harness.js';
import { generateStories } from '../integration/story-generator.js';
import { sleep, startWorker, type CliProcess } from './harness.js';

/**
 * Worker crash: articles in flight while `samestory worker` processes are SIGKILLed at random
 * moments and restarted. Afterwards every article has exactly one assignment (index and stream),
 * the clusters equal a clean single-process run over the same input in the same order, and no job
 * is left active or failed. The issue asks for 5,000 articles; 1,000 keep this near a minute on
 * two shared cores (see docs/reliability.md). A supervisor restarts each killed worker at once.
 * The clean run is the engine over a MemoryIndex in one process (tests/integration checks that it
 * equals one worker). The input is order-sensitive on purpose (200 heavily overlapping generated
 * stories, 5 reports each): a killed job's successors must not commit ahead of it, so after the
 * order wait they decide it themselves, in its turn (src/queue/worker.ts).
 */
const STORIES = 200;
const VERSIONS = 5;
const KILLS = 3;
/** Lock/stall interval: a killed worker's jobs rerun within ~2x this (BullMQ default 30 s). */
const LOCK_MS = '8000';

describe('reliability: worker crash', () => {
  const prefix = testPrefix();
  const config = testConfig(prefix);
  const generated = generateStories(STORIES, VERSIONS);
  const labels = generated.map((a) => a.label);
  const articles: Article[] = generated.map(withoutLabel);
  const ids = articles.map((a) => a.id);
  let client: ServiceClient;
  const workers: CliProcess[] = [];
  const spawnWorker = () => startWorker(redisUrl, prefix, 4, { SAMESTORY_LOCK_MS: LOCK_MS });

  beforeAll(async () => {
    client = await connectService(config);
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await client?.close();
    await deletePrefix(prefix);
  });

  it(`keeps one assignment per article through ${KILLS} SIGKILLs`, { timeout: 150_000 }, async () => {
    const started = Date.now();
    workers.push(...(await Promise.all([spawnWorker(), spawnWorker()])));

    const submitting = (async () => {
      for (let i = 0; i < articles.length; i += 100) await client.submitter.submitMany(articles.slice(i, i + 100));
    })();

    // Seeded chaos: kill a random live worker after a random pause, start a fresh one in its place.
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const killedAt: number[] = [];
    const restarts: Promise<void>[] = [];
    // Kill mid-stream: once work is flowing, at random moments while jobs are active.
    while ((await client.health.counts()).completed < 100) await sleep(100);
    for (let k = 0; k < KILLS; k++) {
      await sleep(500 + rand() * 2500);
      const alive = () => workers.map((w, i) => (w.child.exitCode === null && w.child.signalCode === null ? i : -1)).filter((i) => i >= 0);
      if (alive().length === 0) await Promise.all(restarts);
      const victim = alive()[Math.floor(rand() * alive().length)] as number;
      const done = (await client.health.counts()).completed;
      await workers[victim]!.kill();
      killedAt.push(done);
      restarts.push(spawnWorker().then((w) => void (workers[victim] = w)));
    }
    await Promise.all(restarts);
    await submitting;
    // Jobs held by a killed worker come back once their lock expires (BullMQ stall check).
    const progress = setInterval(() => {
      void client.health.counts().then((c) => process.stderr.write(`[reliability] worker crash: ${Math.round((Date.now() - started) / 1000)} s ${JSON.stringify(c)}\n`));
    }, 5000);
    await waitForJobs(client, articles.length, 120_000).finally(() => clearInterval(progress));
    const elapsed = Date.now() - started;

    const counts = await client.health.counts();
    const failures = await client.health.recentFailures(5);
    expect(failures, JSON.stringify(failures)).toEqual([]);
    expect(counts).toMatchObject({ active: 0, waiting: 0, delayed: 0, failed: 0, completed: articles.length });
    // BullMQ's set of jobs suspected stalled is empty too.
    const keys = serviceKeys(prefix);
    const redis = new Redis(redisUrl);
    expect(await redis.scard(`${keys.queuePrefix}:${keys.queueName}:stalled`).finally(() => redis.quit())).toBe(0);

    // Exactly one stored assignment and one stream entry per article id.
    const stored = await client.index.getArticles(ids);
    expect(stored.length).toBe(articles.length);
    expect(new Set(stored.map((a) => a.id)).size).toBe(articles.length);
    const perArticle = new Map<string, number>();
    for (const e of await allEvents(client)) {
      if (e.type === 'assignment') perArticle.set(e.assignment.articleId, (perArticle.get(e.assignment.articleId) ?? 0) + 1);
    }
    expect(perArticle.size).toBe(articles.length);
    expect([...perArticle.values()].every((n) => n === 1)).toBe(true);

    // Same clusters as a clean run: one process, same input, same order.
    const clean = await embeddedRun(articles, config);
    const crashed = (await client.index.getArticles(ids)).map((a) => a.clusterId);
    const reference = (await clean.index.getArticles(ids)).map((a) => a.clusterId);
    const agreement = clusteringMetrics(crashed, reference).bcubed.f1;
    process.stderr.write(`[reliability] agreement with clean run: B-cubed F1 ${agreement.toFixed(4)}; vs labels crashed ${clusteringMetrics(crashed, labels).bcubed.f1.toFixed(4)} clean ${clusteringMetrics(reference, labels).bcubed.f1.toFixed(4)}\n`);
    expect(await partition(client.index, ids)).toEqual(await partition(clean.index, ids));

    process.stderr.write(
      `[reliability] worker crash: ${articles.length} articles, ${KILLS} SIGKILLs (after ${killedAt.join(', ')} completed), drained in ${elapsed} ms\n`,
    );
  });
});
