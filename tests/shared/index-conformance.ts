import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { termCandidateLimit, type Index, type IndexMutation, type StoredArticle, type StoredCluster } from '../../src/engine/index-store.js';

/**
 * One behaviour for every Index: MemoryIndex is the reference, RedisIndex must match it. Each test
 * drives realistic mutation sequences (as the engine would emit them) and reads every view back.
 * `makeIndex` returns a fresh, empty index; `cleanup` disposes of it (and of its storage).
 */
export function describeIndexConformance(
  name: string,
  makeIndex: () => Promise<Index>,
  cleanup: (index: Index) => Promise<void>,
): void {
  describe(`Index conformance: ${name}`, () => {
    let index: Index;
    beforeEach(async () => {
      index = await makeIndex();
    });
    afterEach(async () => {
      await cleanup(index);
    });

    const apply = (m: Partial<IndexMutation> & { article: StoredArticle }) =>
      index.atomically(() => index.apply({ clusters: [], absorbed: [], removedClusters: [], ...m }));

    it('starts empty', async () => {
      expect(await index.getArticle('a')).toBeNull();
      expect(await index.getArticles(['a', 'b'])).toEqual([]);
      expect(await index.getClusters(['c'])).toEqual([]);
      expect(await index.lshCandidates(['k'], 0, Infinity)).toEqual([]);
      expect(await index.termCandidates(['t'], 0, Infinity)).toEqual([]);
      expect(await index.documentFrequencies(['t', 'u'])).toEqual({ docCount: 0, df: [0, 0] });
      expect(await index.sentenceCounts('src', ['s1'])).toEqual([0]);
      expect(await index.listClusters({ sort: 'updated', limit: 10, offset: 0 })).toEqual({ total: 0, items: [] });
      expect(await index.clusterMembers('c')).toEqual([]);
    });

    it('hands out increasing sequence numbers', async () => {
      const seqs = await index.atomically(async () => [await index.nextSeq(), await index.nextSeq(), await index.nextSeq()]);
      expect(seqs).toEqual([1, 2, 3]);
    });

    it('stores articles and clusters exactly, and reads them back in the order asked', async () => {
      const a1 = article('a1', 1, 'c1', 1_000, { title: 'Bridge closes', url: 'https://x.example/1' });
      const a2 = article('a2', 2, 'c1', 2_000, { signature: Uint32Array.from([0, 1, 0xffffffff, 7]), dfTerms: ['gamma', 'alpha', 'gamma'] });
      const c1 = cluster('c1', 1, { size: 2, lastTime: 2_000, title: 'Bridge closes' });
      await apply({ article: a1, clusters: [cluster('c1', 1, { lastTime: 1_000 })] });
      await apply({ article: a2, clusters: [c1] });

      expect(await index.getArticle('a1')).toEqual(a1);
      const got = await index.getArticle('a2');
      expect(got?.signature).toBeInstanceOf(Uint32Array);
      expect([...(got?.signature ?? [])]).toEqual([0, 1, 0xffffffff, 7]);
      expect(got).not.toHaveProperty('title');
      expect(got).toEqual(a2);
      expect((await index.getArticles(['a2', 'nope', 'a1'])).map((a) => a.id)).toEqual(['a2', 'a1']);
      expect(await index.getClusters(['c1', 'nope'])).toEqual([c1]);
      expect((await index.clusterMembers('c1')).map((a) => a.id)).toEqual(['a1', 'a2']);
    });

    it('finds LSH and term candidates only within the time window (bounds inclusive)', async () => {
      await apply({
        article: article('a1', 1, 'c1', 1_000, { bandKeys: ['0:x', '1:y'] }),
        clusters: [cluster('c1', 1, { lastTime: 1_000, postedTerms: ['bridge', 'river'] })],
      });
      await apply({
        article: article('a2', 2, 'c2', 2_000, { bandKeys: ['1:y', '2:z'] }),
        clusters: [cluster('c2', 2, { lastTime: 2_000, postedTerms: ['river', 'storm'] })],
      });
      expect(sorted(await index.lshCandidates(['1:y'], 0, 5_000))).toEqual(['a1', 'a2']);
      expect(sorted(await index.lshCandidates(['0:x', '2:z'], 0, 5_000))).toEqual(['a1', 'a2']);
      expect(await index.lshCandidates(['1:y'], 1_500, 2_500)).toEqual(['a2']);
      expect(await index.lshCandidates(['1:y'], 1_000, 1_000)).toEqual(['a1']);
      expect(await index.lshCandidates(['9:none'], 0, 5_000)).toEqual([]);
      expect(sorted(await index.termCandidates(['river'], 0, 5_000))).toEqual(['c1', 'c2']);
      expect(await index.termCandidates(['river', 'storm'], 2_000, 2_000)).toEqual(['c2']);
      expect(await index.termCandidates(['bridge'], 1_001, 9_000)).toEqual([]);
    });

    it('past termCandidateLimit term candidates, keeps only clusters posted under two or more of the terms', async () => {
      const post = (id: string, seq: number, postedTerms: string[]) =>
        apply({ article: article(`a${seq}`, seq, id, 1_000), clusters: [cluster(id, seq, { lastTime: 1_000, postedTerms })] });
      for (let i = 1; i <= termCandidateLimit; i++) await post(`c${i}`, i, ['common']);
      expect(await index.termCandidates(['common', 'rare'], 0, 5_000)).toHaveLength(termCandidateLimit);
      await post('x1', 900, ['common', 'rare']);
      await post('x2', 901, ['rare', 'other']);
      expect(sorted(await index.termCandidates(['common', 'rare', 'other'], 0, 5_000))).toEqual(['x1', 'x2']);
      expect(await index.termCandidates(['common'], 0, 5_000)).toEqual([]);
      expect(sorted(await index.termCandidates(['rare'], 0, 5_000))).toEqual(['x1', 'x2']);
    });

    it('counts document frequencies and per-source sentences', async () => {
      await apply({ article: article('a1', 1, 'c1', 1, { dfTerms: ['bridge', 'river'], sentenceKeys: ['s1', 's2'], source: 'one' }) });
      await apply({ article: article('a2', 2, 'c2', 2, { dfTerms: ['river'], sentenceKeys: ['s1'], source: 'one' }) });
      await apply({ article: article('a3', 3, 'c3', 3, { dfTerms: ['storm'], sentenceKeys: ['s1'], source: 'two' }) });
      expect(await index.documentFrequencies(['river', 'bridge', 'storm', 'none'])).toEqual({ docCount: 3, df: [2, 1, 1, 0] });
      expect(await index.documentFrequencies([])).toEqual({ docCount: 3, df: [] });
      expect(await index.sentenceCounts('one', ['s1', 's2', 's3'])).toEqual([2, 1, 0]);
      expect(await index.sentenceCounts('two', ['s1', 's2'])).toEqual([1, 0]);
      expect(await index.sentenceCounts('three', [])).toEqual([]);
    });

    it('replaces an updated article: unfiles the previous version, moves it, drops its empty cluster', async () => {
      const v1 = article('a1', 1, 'c1', 1_000, {
        bandKeys: ['0:old'], dfTerms: ['bridge', 'river'], sentenceKeys: ['s1'], source: 'one',
      });
      const c1 = cluster('c1', 1, { lastTime: 1_000, postedTerms: ['bridge'] });
      await apply({ article: v1, clusters: [c1] });
      await apply({
        article: article('a2', 2, 'c2', 1_500, { bandKeys: ['0:b'], dfTerms: ['river'] }),
        clusters: [cluster('c2', 2, { lastTime: 1_500, postedTerms: ['river'] })],
      });
      const v2 = article('a1', 3, 'c2', 1_600, {
        bandKeys: ['0:new'], dfTerms: ['river', 'storm'], sentenceKeys: ['s2'], source: 'one', title: 'Storm',
      });
      const c2 = cluster('c2', 2, { size: 2, lastTime: 1_600, postedTerms: ['river', 'storm'] });
      await apply({ article: v2, previous: v1, clusters: [c2], removedClusters: ['c1'] });

      expect(await index.getArticle('a1')).toEqual(v2);
      expect(await index.lshCandidates(['0:old'], 0, 9_999)).toEqual([]);
      expect(await index.lshCandidates(['0:new'], 0, 9_999)).toEqual(['a1']);
      expect(await index.documentFrequencies(['bridge', 'river', 'storm'])).toEqual({ docCount: 2, df: [0, 2, 1] });
      expect(await index.sentenceCounts('one', ['s1', 's2'])).toEqual([0, 1]);
      expect(await index.getClusters(['c1', 'c2'])).toEqual([c2]);
      expect(await index.clusterMembers('c1')).toEqual([]);
      expect((await index.clusterMembers('c2')).map((a) => a.id)).toEqual(['a2', 'a1']);
      expect(await index.termCandidates(['bridge'], 0, 9_999)).toEqual([]);
      expect(sorted(await index.termCandidates(['storm', 'river'], 0, 9_999))).toEqual(['c2']);
      expect((await index.listClusters({ sort: 'size', limit: 10, offset: 0 })).total).toBe(1);
    });

    it('merges clusters: absorbed members move to the survivor, in indexing order', async () => {
      await apply({ article: article('a1', 1, 'c1', 100), clusters: [cluster('c1', 1, { postedTerms: ['quake'] })] });
      await apply({ article: article('a2', 2, 'c2', 200), clusters: [cluster('c2', 2, { postedTerms: ['tremor'] })] });
      await apply({ article: article('a3', 3, 'c1', 300), clusters: [cluster('c1', 1, { size: 2, postedTerms: ['quake'] })] });
      await apply({ article: article('a4', 4, 'c3', 400), clusters: [cluster('c3', 4, { postedTerms: ['aftershock'] })] });
      // a5 bridges all three stories: c2 and c3 are absorbed by the oldest, c1.
      const survivor = cluster('c1', 1, { size: 5, lastTime: 500, postedTerms: ['quake', 'tremor'] });
      await apply({
        article: article('a5', 5, 'c1', 500),
        clusters: [survivor],
        absorbed: [{ clusterId: 'c2', into: 'c1' }, { clusterId: 'c3', into: 'c1' }],
      });

      const members = await index.clusterMembers('c1');
      expect(members.map((a) => [a.id, a.clusterId])).toEqual([
        ['a1', 'c1'], ['a2', 'c1'], ['a3', 'c1'], ['a4', 'c1'], ['a5', 'c1'],
      ]);
      expect((await index.getArticle('a4'))?.clusterId).toBe('c1');
      expect(await index.getClusters(['c1', 'c2', 'c3'])).toEqual([survivor]);
      expect(await index.clusterMembers('c2')).toEqual([]);
      expect(sorted(await index.termCandidates(['tremor', 'aftershock', 'quake'], 0, 9_999))).toEqual(['c1']);
      expect(await index.listClusters({ sort: 'updated', limit: 10, offset: 0 })).toEqual({ total: 1, items: [survivor] });
    });

    it('lists clusters sorted by update or size, filtered by title text and source, paged', async () => {
      const specs: [string, number, number, string, string, string[]][] = [
        // id, createdSeq, size, updatedAt, title, sources
        ['c1', 1, 3, '2026-01-01T10:00:00.000Z', 'Bridge closes after storm', ['alpha', 'beta']],
        ['c2', 2, 5, '2026-01-01T12:00:00.000Z', 'Election results', ['beta']],
        ['c3', 3, 3, '2026-01-01T12:00:00.000Z', 'Storm warning issued', ['gamma']],
        ['c4', 4, 1, '2026-01-01T09:00:00.000Z', 'Team wins final', ['alpha']],
        ['c5', 5, 5, '2026-01-01T08:00:00.000Z', 'STORM damage counted', ['alpha']],
      ];
      for (const [id, seq, size, updatedAt, title, sources] of specs) {
        await apply({ article: article(`a${seq}`, seq, id, seq), clusters: [cluster(id, seq, { size, updatedAt, title, sources })] });
      }
      const ids = async (q: Partial<Parameters<Index['listClusters']>[0]>) => {
        const r = await index.listClusters({ sort: 'updated', limit: 10, offset: 0, ...q });
        return [r.total, r.items.map((c) => c.id)];
      };
      expect(await ids({})).toEqual([5, ['c3', 'c2', 'c1', 'c4', 'c5']]);
      expect(await ids({ sort: 'size' })).toEqual([5, ['c2', 'c5', 'c1', 'c3', 'c4']]);
      expect(await ids({ sort: 'size', offset: 1, limit: 2 })).toEqual([5, ['c5', 'c1']]);
      expect(await ids({ offset: 4, limit: 5 })).toEqual([5, ['c5']]);
      expect(await ids({ offset: 9 })).toEqual([5, []]);
      expect(await ids({ text: 'storm' })).toEqual([3, ['c3', 'c1', 'c5']]);
      expect(await ids({ text: 'storm', source: 'alpha', sort: 'size' })).toEqual([2, ['c5', 'c1']]);
      expect(await ids({ source: 'alpha', limit: 1, offset: 1 })).toEqual([3, ['c4']]);
      expect(await ids({ source: 'nobody' })).toEqual([0, []]);
      expect(await ids({ source: 'ALPHA', text: 'STORM' })).toEqual([2, ['c1', 'c5']]); // both case-insensitive
      // An update re-sorts: c4 grows and is updated last.
      await apply({
        article: article('a9', 9, 'c4', 9),
        clusters: [cluster('c4', 4, { size: 6, updatedAt: '2026-01-02T00:00:00.000Z', title: 'Team wins final', sources: ['alpha'] })],
      });
      expect(await ids({ limit: 2 })).toEqual([5, ['c4', 'c3']]);
      expect(await ids({ sort: 'size', limit: 2 })).toEqual([5, ['c4', 'c2']]);
    });

    it('applies several decisions inside one atomically call, each reading the state the previous left', async () => {
      await index.atomically(async () => {
        const s1 = await index.nextSeq();
        await index.apply({ article: article('a1', s1, 'c1', 1_000), clusters: [cluster('c1', s1, { postedTerms: ['quake'] })], absorbed: [], removedClusters: [] });
        const [c1] = await index.getClusters(['c1']);
        const s2 = await index.nextSeq();
        const grown = cluster('c1', s1, { size: 2, postedTerms: ['tremor'] });
        await index.apply({ article: article('a2', s2, 'c1', 2_000), clusters: [grown], absorbed: [], removedClusters: [] });
        expect(c1?.postedTerms).toEqual(['quake']);
      });
      expect((await index.clusterMembers('c1')).map((a) => a.id)).toEqual(['a1', 'a2']);
      expect(await index.termCandidates(['quake'], 0, 9_999)).toEqual([]);
      expect(await index.termCandidates(['tremor'], 0, 9_999)).toEqual(['c1']);
      expect(await index.atomically(() => index.nextSeq())).toBe(3);
    });

    it('serialises concurrent atomically callers, and a failing caller does not block the next', async () => {
      const log: string[] = [];
      const section = (name: string) =>
        index.atomically(async () => {
          log.push(`${name}>`);
          const seq = await index.nextSeq();
          await new Promise((resolve) => setTimeout(resolve, 5));
          log.push(`<${name}`);
          return seq;
        });
      const failing = index.atomically(async () => {
        log.push('x>');
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push('<x');
        throw new Error('decision failed');
      });
      const results = await Promise.allSettled([section('a'), failing, section('b'), section('c')]);
      expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: 'decision failed' } });
      for (let i = 0; i < log.length; i += 2) expect(log[i + 1]).toBe(`<${log[i]?.slice(0, -1)}`);
      expect(sorted(results.flatMap((r) => (r.status === 'fulfilled' ? [String(r.value)] : [])))).toEqual(['1', '2', '3']);
    });
  });
}

function sorted(ids: string[]): string[] {
  return [...ids].sort();
}

/** A stored article with plausible features; `time` doubles as publishedAt. */
export function article(id: string, seq: number, clusterId: string, time: number, over: Partial<StoredArticle> = {}): StoredArticle {
  return {
    id,
    seq,
    clusterId,
    duplicateOf: null,
    similarity: 0,
    decidedBy: 'new',
    at: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
    contentHash: `h-${id}-${seq}`,
    source: 'example.org',
    publishedAt: time,
    time,
    signature: Uint32Array.from({ length: 8 }, (_, i) => (seq * 2654435761 + i * 40503) >>> 0),
    vector: { terms: ['alpha', 'beta', 'gamma'], weights: [0.1 + seq / 7, 0.2 / 3, Math.SQRT1_2] },
    sentenceKeys: [],
    bandKeys: [`0:${id}`],
    dfTerms: [],
    ...over,
  };
}

export function cluster(id: string, createdSeq: number, over: Partial<StoredCluster> = {}): StoredCluster {
  return {
    id,
    size: 1,
    createdSeq,
    firstTime: 0,
    lastTime: 0,
    updatedAt: new Date(Date.UTC(2026, 0, 1) + createdSeq * 1000).toISOString(),
    centroid: { terms: ['alpha', 'beta'], weights: [1 / 3, 2 / 3] },
    postedTerms: [],
    representativeId: `a${createdSeq}`,
    sources: ['example.org'],
    ...over,
  };
}
