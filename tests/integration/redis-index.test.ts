import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Index, StoredArticle } from '../../src/engine/index-store.js';
import { connectRedisIndex, type RedisIndex } from '../../src/storage/redis-index.js';
import { article, cluster, describeIndexConformance } from '../shared/index-conformance.js';
import { deletePrefix, redisUrl, testPrefix } from './redis-helpers.js';

const prefixes = new WeakMap<Index, string>();
describeIndexConformance(
  'RedisIndex',
  async () => {
    const prefix = testPrefix();
    const index = await connectRedisIndex(redisUrl, { prefix });
    prefixes.set(index, prefix);
    return index;
  },
  async (index) => {
    await index.close();
    await deletePrefix(prefixes.get(index) as string);
  },
);

async function withIndexes<T>(count: number, options: Parameters<typeof connectRedisIndex>[1], fn: (indexes: RedisIndex[]) => Promise<T>) {
  const prefix = testPrefix();
  const indexes = await Promise.all(Array.from({ length: count }, () => connectRedisIndex(redisUrl, { ...options, prefix })));
  try {
    return await fn(indexes);
  } finally {
    await Promise.all(indexes.map((i) => i.close()));
    await deletePrefix(prefix);
  }
}

describe('RedisIndex across connections', () => {
  it('serialises atomically across separate clients (as across processes)', async () => {
    await withIndexes(3, {}, async (indexes) => {
      const log: string[] = [];
      await Promise.all(
        indexes.flatMap((index, n) =>
          [0, 1].map(() =>
            index.atomically(async () => {
              log.push(`${n}>`);
              await new Promise((resolve) => setTimeout(resolve, 3));
              log.push(`<${n}`);
            }),
          ),
        ),
      );
      expect(log).toHaveLength(12);
      for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(`<${log[i]?.slice(0, -1)}`);
    });
  });

  it('fences a holder whose lock expired: its write is refused, the new holder wins', async () => {
    await withIndexes(2, { lockTtlMs: 50 }, async ([slow, fast]) => {
      const late = slow!.atomically(async () => {
        await new Promise((resolve) => setTimeout(resolve, 120));
        await slow!.apply({ article: article('a1', 1, 'slow', 1), clusters: [], absorbed: [], removedClusters: [] });
      });
      await new Promise((resolve) => setTimeout(resolve, 60));
      await fast!.atomically(() =>
        fast!.apply({ article: article('a1', 1, 'fast', 1), clusters: [], absorbed: [], removedClusters: [] }),
      );
      await expect(late).rejects.toThrow(/lock lost/);
      expect((await fast!.getArticle('a1'))?.clusterId).toBe('fast');
    });
  });

  it('publishes the assignment and merges in the same transaction, with stream ids', async () => {
    await withIndexes(1, { publish: { streamMaxLen: 1000 } }, async ([index]) => {
      const r = index!;
      await r.atomically(() =>
        r.apply({ article: article('a1', 1, 'c1', 1), clusters: [cluster('c1', 1)], absorbed: [], removedClusters: [] }),
      );
      await r.atomically(() =>
        r.apply({ article: article('a2', 2, 'c2', 2), clusters: [cluster('c2', 2)], absorbed: [], removedClusters: [] }),
      );
      const view = r.forJob(1);
      await view.atomically(() =>
        view.apply({
          article: article('a3', 3, 'c1', 3),
          clusters: [cluster('c1', 1, { size: 3 })],
          absorbed: [{ clusterId: 'c2', into: 'c1' }],
          removedClusters: [],
        }),
      );
      expect(view.committed).toBe(true);
      expect(view.published.map((e) => e.type)).toEqual(['merge', 'assignment']);
      expect(view.published[0]).toMatchObject({ merge: { clusterId: 'c1', merged: ['c2'], clusterSize: 3 } });
      expect(view.published[1]).toMatchObject({ assignment: { articleId: 'a3', clusterId: 'c1', clusterSize: 3 } });
      const redis = (await import('ioredis')).Redis;
      const client = new redis(redisUrl);
      const entries = await client.xrange(r.keys.stream, '-', '+');
      await client.quit();
      expect(entries).toHaveLength(4);
      expect(entries.slice(2).map(([id]) => id)).toEqual(view.published.map((e) => e.streamId));

      // An update that empties a cluster publishes its removal before the assignment.
      const moved = r.forJob(2);
      const previous = (await r.getArticle('a1'))!;
      await moved.atomically(() =>
        moved.apply({ article: article('a1', 4, 'c9', 4), previous, clusters: [cluster('c9', 4)], absorbed: [], removedClusters: ['c1'] }),
      );
      expect(moved.published.map((e) => e.type)).toEqual(['removal', 'assignment']);
      expect(moved.published[0]).toMatchObject({ removal: { type: 'removal', clusterId: 'c1' } });
    });
  });

  it('drops articles older than the retention window from the buckets but keeps their records', async () => {
    await withIndexes(1, { retentionMs: 1_000 }, async ([index]) => {
      const r = index!;
      const put = (id: string, seq: number, time: number) =>
        r.atomically(() =>
          r.apply({ article: article(id, seq, `c${seq}`, time, { bandKeys: ['0:shared'] }), clusters: [cluster(`c${seq}`, seq, { lastTime: time, postedTerms: ['t'] })], absorbed: [], removedClusters: [] }),
        );
      await put('old', 1, 10_000);
      await put('mid', 2, 10_500);
      expect((await r.lshCandidates(['0:shared'], 0, 99_999)).sort()).toEqual(['mid', 'old']);
      await put('new', 3, 11_200);
      expect((await r.lshCandidates(['0:shared'], 0, 99_999)).sort()).toEqual(['mid', 'new']);
      expect((await r.termCandidates(['t'], 0, 99_999)).sort()).toEqual(['c2', 'c3']);
      expect((await r.getArticle('old'))?.id).toBe('old');
    });
  });

  it('lets an article dated in the future move retention no further than the current time', async () => {
    let now = 10_600;
    await withIndexes(1, { retentionMs: 1_000, clock: () => now }, async ([index]) => {
      const r = index!;
      const put = (id: string, seq: number, time: number) =>
        r.atomically(() =>
          r.apply({ article: article(id, seq, `c${seq}`, time, { bandKeys: ['0:shared'] }), clusters: [cluster(`c${seq}`, seq, { lastTime: time, postedTerms: ['t'] })], absorbed: [], removedClusters: [] }),
        );
      await put('old', 1, 10_000);
      await put('typo', 2, 999_000_000); // a year typo: far ahead of now
      await put('mid', 3, 10_500);
      expect((await r.lshCandidates(['0:shared'], 0, 99_999)).sort()).toEqual(['mid', 'old']);
      expect((await r.termCandidates(['t'], 0, 99_999)).sort()).toEqual(['c1', 'c3']);
      // Time passing still expires what is behind it.
      now = 11_200;
      await put('new', 4, 11_200);
      expect((await r.lshCandidates(['0:shared'], 0, 99_999)).sort()).toEqual(['mid', 'new']);
    });
  });

  it("takes expired articles' sentences out of their outlet's counts, once, even when one is updated later", async () => {
    await withIndexes(1, { retentionMs: 1_000 }, async ([index]) => {
      const r = index!;
      const put = (id: string, seq: number, time: number, sentenceKeys: string[], previous?: StoredArticle) =>
        r.atomically(() =>
          r.apply({ article: article(id, seq, `c${seq}`, time, { sentenceKeys }), ...(previous ? { previous } : {}), clusters: [cluster(`c${seq}`, seq, { lastTime: time })], absorbed: [], removedClusters: [] }),
        );
      const counts = () => r.sentenceCounts('example.org', ['footer', 'only-old', 'fresh']);
      await put('old', 1, 10_000, ['footer', 'only-old']);
      await put('mid', 2, 10_500, ['footer']);
      expect(await counts()).toEqual([2, 1, 0]);
      await put('new', 3, 11_200, ['footer']); // 'old' leaves: 10,000 is over 1 s behind 11,200
      expect(await counts()).toEqual([2, 0, 0]);
      // Updating the expired article does not uncount its sentences a second time.
      await put('old', 4, 11_300, ['fresh'], (await r.getArticle('old'))!);
      expect(await counts()).toEqual([2, 0, 1]);
      // Updating a filed one does: 'mid' no longer prints the footer.
      await put('mid', 5, 11_400, ['fresh'], (await r.getArticle('mid'))!);
      expect(await counts()).toEqual([1, 0, 2]);
    });
  });

  it('refuses a database index the server does not have, instead of working in database 0', async () => {
    const url = `${redisUrl.replace(/\/\d+$/, '')}/9999`;
    await expect(connectRedisIndex(url, { prefix: testPrefix() })).rejects.toThrow(/cannot connect to Redis at .*\/9999: ERR DB index is out of range/);
  });

  it('keeps the bucket shard count the index was created with, whatever later connections ask for', async () => {
    const prefix = testPrefix();
    const first = await connectRedisIndex(redisUrl, { prefix, bucketShards: 4 });
    const second = await connectRedisIndex(redisUrl, { prefix, bucketShards: 999 });
    try {
      await first.atomically(() =>
        first.apply({ article: article('a1', 1, 'c1', 5, { bandKeys: ['0:k', '1:k'] }), clusters: [], absorbed: [], removedClusters: [] }),
      );
      expect(await second.lshCandidates(['1:k'], 0, 10)).toEqual(['a1']);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await deletePrefix(prefix);
    }
  });

  it('advances the commit turnstile over numbers committed ahead, and past given-up gaps', async () => {
    await withIndexes(1, {}, async ([r]) => {
      expect(await r!.markCommitted(2, false)).toBe(0);
      expect(await r!.markCommitted(3, false)).toBe(0);
      expect(await r!.markCommitted(1, false)).toBe(3);
      expect(await r!.markCommitted(6, true)).toBe(6);
      expect(await r!.markCommitted(4, false)).toBe(6);
      expect(await r!.markCommitted(7, false)).toBe(7);
    });
  });
});

describe('RedisIndex: index layout', () => {
  it('records its layout in a fresh index and refuses one written with another layout or before layouts were recorded', async () => {
    const prefix = testPrefix();
    const redis = new Redis(redisUrl);
    try {
      const first = await connectRedisIndex(redisUrl, { prefix });
      await first.close();
      const layoutKey = `${prefix}:{index}:layout`;
      expect(await redis.get(layoutKey)).toMatch(/^2\/xor-mul32$/);
      // A second process on the same index agrees.
      await (await connectRedisIndex(redisUrl, { prefix })).close();

      await redis.set(layoutKey, '1/mersenne');
      await expect(connectRedisIndex(redisUrl, { prefix })).rejects.toThrow(
        /written by index layout 1\/mersenne, this one uses 2\/xor-mul32: use a new prefix \(SAMESTORY_PREFIX\)/,
      );
      // An index from before layouts were recorded: data (its shard count) but no layout.
      await redis.del(layoutKey);
      await expect(connectRedisIndex(redisUrl, { prefix })).rejects.toThrow(/written by an earlier samestory version/);
    } finally {
      await redis.quit();
      await deletePrefix(prefix);
    }
  });
});
