import { afterAll, describe, expect, it } from 'vitest';
import { inventedStories, withoutLabels } from './articles.js';
import { sleep, startApi, startRedisServer, startWorker, type CliProcess, type RedisServer } from './harness.js';

/**
 * Redis restart: a redis-server of the test's own (free port, temp dir, AOF on, RDB off) is killed
 * with SIGKILL in the middle of a stream of submissions and started again, so the AOF replays.
 * `samestory api` and `samestory worker` are not restarted: they must reconnect on their own.
 * - appendfsync always: every acknowledged article (202 queued or 200 with its assignment) is
 *   assigned afterwards.
 * - appendfsync everysec: Redis may lose up to ~1 s of writes, so every article acknowledged more
 *   than 2 s before the crash is assigned afterwards (later ones are counted and reported).
 */
const DOWN_MS = 1500;

interface Ack {
  id: string;
  at: number;
  status: number;
}

describe.each(['always', 'everysec'] as const)('reliability: Redis restart (appendfsync %s)', (fsync) => {
  let server: RedisServer;
  const processes: CliProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await server?.destroy();
  });

  it('loses nothing acknowledged; API and worker reconnect by themselves', { timeout: 120_000 }, async () => {
    server = await startRedisServer(fsync);
    const prefix = 'reliability';
    const [api, worker] = await Promise.all([
      startApi(server.url, prefix),
      startWorker(server.url, prefix, 2, { SAMESTORY_LOCK_MS: '5000' }),
    ]);
    processes.push(api, worker);
    const articles = withoutLabels(inventedStories(60, 3, fsync === 'always' ? 5 : 6));

    // A steady stream of submissions; half wait for their assignment, half are only queued.
    const acks: Ack[] = [];
    let refused = 0;
    let crashAt = 0;
    const submitting = (async () => {
      for (const [i, article] of articles.entries()) {
        const wait = i % 2 === 0;
        try {
          const res = await fetch(`${api.base}/v1/articles${wait ? '?wait=true' : ''}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(article),
            signal: AbortSignal.timeout(8000),
          });
          if (res.status === 200 || res.status === 202) acks.push({ id: article.id, at: Date.now(), status: res.status });
          else refused++;
        } catch {
          refused++; // no answer: not acknowledged
        }
        await sleep(40);
      }
    })();

    // Crash Redis once a third of the stream is acknowledged, keep it down, start it again.
    while (acks.length < articles.length / 3) await sleep(50);
    crashAt = Date.now();
    await server.crash();
    await sleep(DOWN_MS);
    await server.start();
    const restartedAt = Date.now();
    await submitting;

    // Every acknowledged article must end up assigned (read back through the reconnected API).
    const mustSurvive = acks.filter((a) => fsync === 'always' || a.at < crashAt - 2000);
    const pending = new Set(acks.map((a) => a.id));
    const deadline = Date.now() + 60_000;
    while (pending.size > 0 && Date.now() < deadline) {
      for (const id of [...pending]) {
        const res = await fetch(`${api.base}/v1/articles/${encodeURIComponent(id)}`).catch(() => null);
        if (res?.status === 200) pending.delete(id);
      }
      if ([...pending].every((id) => !mustSurvive.some((a) => a.id === id))) break;
      await sleep(250);
    }
    const lost = mustSurvive.filter((a) => pending.has(a.id));
    const acceptedAfterRestart = acks.filter((a) => a.at > restartedAt);
    process.stderr.write(
      `[reliability] redis restart (${fsync}): ${articles.length} submitted, ${acks.length} acknowledged, ${refused} refused while down, ` +
        `${mustSurvive.length} required to survive, ${lost.length} lost, ${pending.size - lost.length} of the last 2 s before the crash missing, ` +
        `${acceptedAfterRestart.length} accepted after the restart\n`,
    );
    expect(lost.map((a) => a.id)).toEqual([]);
    // Reconnection: work submitted after the restart was accepted and assigned; /health is green.
    expect(acceptedAfterRestart.length).toBeGreaterThan(0);
    expect(acceptedAfterRestart.every((a) => !pending.has(a.id))).toBe(true);
    expect((await fetch(`${api.base}/health`)).status).toBe(200);
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
  });
});
