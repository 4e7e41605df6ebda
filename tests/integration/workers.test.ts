import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assignment } from '../../src/engine/types.js';
import { clusteringMetrics } from '../../src/eval/metrics.js';
import { connectService, type ServiceClient } from '../../src/queue/service.js';
import type { ServiceEvent } from '../../src/service/ports.js';
import { deletePrefix, testPrefix } from './redis-helpers.js';
import {
  allEvents,
  decision,
  embeddedRun,
  labelledSet,
  partition,
  startWorkerProcess,
  stopWorker,
  testConfig,
  waitForJobs,
  withoutLabel,
  type WorkerProcess,
} from './service-harness.js';
import { generateStories } from './story-generator.js';

/** Runs `fn` against a fresh service namespace with `workers` worker processes; cleans up after. */
async function withService<T>(
  workers: number,
  concurrency: number,
  fn: (client: ServiceClient, procs: WorkerProcess[], prefix: string) => Promise<T>,
): Promise<T> {
  const prefix = testPrefix();
  const client = await connectService(testConfig(prefix));
  const procs: WorkerProcess[] = [];
  try {
    procs.push(...(await Promise.all(Array.from({ length: workers }, () => startWorkerProcess(prefix, concurrency)))));
    return await fn(client, procs, prefix);
  } finally {
    await Promise.all(procs.map((p) => stopWorker(p)));
    await client.close();
    await deletePrefix(prefix);
  }
}

describe('worker processes', () => {
  const stories = generateStories(6, 4, 11);
  const articles = stories.map(withoutLabel);
  let embedded: Awaited<ReturnType<typeof embeddedRun>>;
  beforeAll(async () => {
    embedded = await embeddedRun(articles, testConfig('unused'));
  });
  afterAll(async () => {
    await embedded.index.close();
  });

  it('two workers: job results, stream and index agree with each other and with the embedded engine; resubmission changes nothing', async () => {
    await withService(2, 2, async (client) => {
      const live: ServiceEvent[] = [];
      const unsubscribe = client.events.subscribe((event) => live.push(event));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription is in place
      const results = await client.submitter.submitMany(articles, { wait: true, timeoutMs: 60_000 });
      const byJob = results.map((r) => r.assignment as Assignment);
      expect(results.every((r) => r.status === 'done')).toBe(true);

      // Same decisions as one in-process engine given the same order.
      expect(byJob.map(decision)).toEqual(embedded.assignments.map(decision));
      const ids = articles.map((a) => a.id);
      expect(await partition(client.index, ids)).toEqual(await partition(embedded.index, ids));

      // The stream holds exactly one assignment per article, equal to the job's return value.
      const events = await allEvents(client);
      const streamed = events.flatMap((e) => (e.type === 'assignment' ? [e.assignment] : []));
      expect(streamed.map((a) => a.articleId)).toEqual(ids);
      expect(streamed).toEqual(byJob);
      // ... and the index agrees with both.
      for (const a of byJob) {
        const stored = await client.index.getArticle(a.articleId);
        expect(stored).toMatchObject({ duplicateOf: a.duplicateOf, decidedBy: a.decidedBy, at: a.at });
      }
      const merges = events.filter((e) => e.type === 'merge').length;
      // Live (pub/sub) events are the stream's, with the same ids (workers publish independently
      // after their commits, so arrival order may differ slightly).
      await new Promise((resolve) => setTimeout(resolve, 200));
      const byStreamId = (a: ServiceEvent, b: ServiceEvent) => {
        const [am = 0, as = 0] = a.streamId.split('-').map(Number);
        const [bm = 0, bs = 0] = b.streamId.split('-').map(Number);
        return am - bm || as - bs;
      };
      expect([...live].sort(byStreamId)).toEqual(events);
      unsubscribe();
      const clustersBefore = await client.index.listClusters({ sort: 'size', limit: 1000, offset: 0 });

      // Duplicate submission: the jobs exist, nothing is queued again.
      const again = await client.submitter.submitMany(articles);
      expect(again.map((r) => r.jobId)).toEqual(results.map((r) => r.jobId));
      // Without waiting, too, the answer is each article's assignment, not "queued".
      expect(again.map((r) => [r.status, r.assignment?.clusterId])).toEqual(results.map(() => ['done', expect.any(String)]));
      expect((await client.health.counts()).completed).toBe(articles.length);

      // Forced re-processing (job history gone): every article is re-decided as "unchanged".
      await client.queue.clean(0, 10_000, 'completed');
      const redone = await client.submitter.submitMany(articles, { wait: true, timeoutMs: 60_000 });
      expect(redone.map((r) => decision(r.assignment as Assignment))).toEqual(
        byJob.map((a) => ({ ...decision(a), clusterSize: expect.any(Number) as number })),
      );
      expect(await allEvents(client)).toHaveLength(streamed.length + merges);
      expect(await client.index.listClusters({ sort: 'size', limit: 1000, offset: 0 })).toEqual(clustersBefore);
      expect((await client.health.throughput(2)).reduce((s, n) => s + n, 0)).toBe(2 * articles.length);
    });
  });

  it('four workers on a labelled set submitted at once score the same B-cubed F1 as one worker, no story split', async () => {
    const { name, articles: labelled } = labelledSet(200);
    const plain = labelled.map(withoutLabel);
    const ids = plain.map((a) => a.id);
    const truth = labelled.map((a) => a.label);
    /** Final cluster of each article after submitting everything at once to `workers` x `concurrency`. */
    const run = (workers: number, concurrency: number) =>
      withService(workers, concurrency, async (client) => {
        const started = Date.now();
        await client.submitter.submitMany(plain);
        await waitForJobs(client, plain.length, 120_000);
        const rate = plain.length / ((Date.now() - started) / 1000);
        expect((await client.health.counts()).failed).toBe(0);
        return { rate, clusters: (await client.index.getArticles(ids)).map((a) => a.clusterId), partition: await partition(client.index, ids) };
      });
    const one = await run(1, 1);
    const four = await run(4, 3);
    const reference = await embeddedRun(plain, testConfig('unused'));
    const f1 = (clusters: string[]) => clusteringMetrics(clusters, truth).bcubed.f1;
    process.stderr.write(
      `${name}: ${plain.length} articles; B-cubed F1 1 worker ${f1(one.clusters).toFixed(4)} (${one.rate.toFixed(0)}/s), ` +
        `4 workers x 3 ${f1(four.clusters).toFixed(4)} (${four.rate.toFixed(0)}/s)\n`,
    );
    expect(Math.abs(f1(four.clusters) - f1(one.clusters))).toBeLessThanOrEqual(0.005);
    // No split: articles one worker kept together are together with four too.
    const mapped = new Map<string, Set<string>>();
    one.clusters.forEach((c, i) => mapped.set(c, (mapped.get(c) ?? new Set()).add(four.clusters[i] as string)));
    expect([...mapped.values()].filter((set) => set.size > 1)).toEqual([]);
    // Ordered commits make it exact: the same clusters as each other and as one in-process engine.
    expect(four.partition).toEqual(one.partition);
    expect(four.partition).toEqual(await partition(reference.index, ids));
    await reference.index.close();
  });

  it('an invalid article fails at once with a reason naming the field, and does not hold up its successors', async () => {
    await withService(1, 2, async (client) => {
      // Enqueued past the client's validation (as a foreign producer could), numbered 1 and 2.
      const started = Date.now();
      await client.queue.add('article', { article: { id: 'bad', text: '   ' }, seq: 1 }, { jobId: 'bad-1' });
      const [good] = articles;
      await client.queue.add('article', { article: good!, seq: 2 }, { jobId: 'good-2' });
      await waitForJobs(client, 2, 20_000);
      expect(Date.now() - started).toBeLessThan(2_500); // no order-wait timeout was needed
      const [failure] = await client.health.recentFailures(5);
      expect(failure).toMatchObject({ jobId: 'bad-1', articleId: 'bad' });
      expect(failure?.reason).toMatch(/^invalid article: text/);
      expect((await client.queue.getJob('bad-1'))?.attemptsMade).toBe(1);
      expect((await client.index.getArticle(good!.id))?.id).toBe(good!.id);
    });
  });

  it('SIGTERM lets a worker finish its active jobs and exit; another worker takes the rest', async () => {
    const many = generateStories(10, 4, 5).map(withoutLabel);
    await withService(1, 2, async (client, [first], prefix) => {
      await client.submitter.submitMany(many);
      for (let c = 0; c < 4; c = (await client.health.counts()).completed) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await stopWorker(first as WorkerProcess)).toBe(0);
      const after = await client.health.counts();
      expect(after.active).toBe(0);
      expect(after.failed).toBe(0);
      expect(after.completed + after.waiting).toBe(many.length);

      const second = await startWorkerProcess(prefix, 2);
      try {
        await waitForJobs(client, many.length);
        const streamed = (await allEvents(client)).flatMap((e) => (e.type === 'assignment' ? [e.assignment.articleId] : []));
        expect(streamed.sort()).toEqual(many.map((a) => a.id).sort());
      } finally {
        await stopWorker(second);
      }
    });
  });
});
