import { describe, expect, it } from 'vitest';
import type { StoredArticle, StoredCluster } from '../../src/engine/index-store.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';

// Hand-made index entries: these tests are about the index's bookkeeping, not the engine's choices.
function article(id: string, clusterId: string, time: number, source = 'a.example'): StoredArticle {
  return {
    id,
    seq: 0,
    clusterId,
    duplicateOf: null,
    similarity: 0,
    decidedBy: 'new',
    at: new Date(time).toISOString(),
    contentHash: `h-${id}`,
    source,
    publishedAt: time,
    time,
    signature: Uint32Array.from([1, 2, 3, time % 1000]),
    vector: { terms: [`t-${id}`, 'shared'], weights: [0.8, 0.6] },
    sentenceKeys: [`s-${id}`, 'boilerplate'],
    bandKeys: [`b-${id}`, 'band-shared'],
    dfTerms: [`t-${id}`, 'shared'],
  };
}

function cluster(id: string, time: number, size = 1): StoredCluster {
  return {
    id,
    size,
    createdSeq: 1,
    firstTime: time,
    lastTime: time,
    updatedAt: new Date(time).toISOString(),
    centroid: { terms: ['shared'], weights: [1] },
    postedTerms: ['shared', `p-${id}`],
    representativeId: id,
    sources: ['a.example'],
  };
}

async function add(index: MemoryIndex, a: StoredArticle, c: StoredCluster) {
  await index.atomically(async () => {
    a.seq = await index.nextSeq();
    await index.apply({ article: a, clusters: [c], absorbed: [], removedClusters: [] });
  });
}

async function views(index: MemoryIndex) {
  return {
    a1: await index.getArticle('a1'),
    lsh: (await index.lshCandidates(['band-shared', 'b-a2'], 0, Infinity)).sort(),
    terms: (await index.termCandidates(['shared'], 0, Infinity)).sort(),
    df: await index.documentFrequencies(['shared', 't-a1', 'nothing']),
    sentences: await index.sentenceCounts('a.example', ['boilerplate', 's-a3']),
    clusters: await index.listClusters({ sort: 'size', limit: 10, offset: 0 }),
    members: (await index.clusterMembers('c1')).map((m) => m.id),
  };
}

describe('MemoryIndex snapshots and pruning', () => {
  it('rebuilds an index that answers every query like the original, through JSON', async () => {
    const index = new MemoryIndex();
    await add(index, article('a1', 'c1', 1_000), cluster('c1', 1_000));
    await add(index, article('a2', 'c1', 2_000), cluster('c1', 2_000, 2));
    await add(index, article('a3', 'c3', 3_000), cluster('c3', 3_000));
    const copy = MemoryIndex.fromSnapshot(JSON.parse(JSON.stringify(index.toSnapshot())));
    expect(await views(copy)).toEqual(await views(index));
    expect((await copy.getArticle('a2'))?.signature).toEqual(Uint32Array.from([1, 2, 3, 0]));
    expect(await copy.nextSeq()).toBe(4);
  });

  it('forgets old articles and those beyond a cap, undoing their postings and counts', async () => {
    const index = new MemoryIndex();
    await add(index, article('a1', 'c1', 1_000), cluster('c1', 1_000));
    await add(index, article('a2', 'c2', 2_000), cluster('c2', 2_000));
    await add(index, article('a3', 'c3', 3_000), cluster('c3', 3_000));
    await add(index, article('a4', 'c3', 4_000), cluster('c3', 4_000, 2));

    expect(index.prune(1_500)).toBe(1);
    expect(await index.getArticle('a1')).toBeNull();
    expect(await index.getClusters(['c1'])).toEqual([]);
    expect(await index.lshCandidates(['b-a1', 'band-shared'], 0, Infinity)).toEqual(['a2', 'a3', 'a4']);
    expect(await index.documentFrequencies(['shared', 't-a1'])).toEqual({ docCount: 3, df: [3, 0] });
    expect(await index.sentenceCounts('a.example', ['boilerplate'])).toEqual([3]);

    expect(index.prune(0, 2)).toBe(1); // the cap forgets the earliest indexed
    expect(await index.getArticle('a2')).toBeNull();
    expect((await index.listClusters({ sort: 'size', limit: 10, offset: 0 })).items.map((c) => c.id)).toEqual(['c3']);

    // A snapshot of a pruned index holds only what is left.
    const snapshot = index.toSnapshot();
    expect(snapshot.articles.map((a) => a.id)).toEqual(['a3', 'a4']);
    expect(await views(MemoryIndex.fromSnapshot(snapshot))).toEqual(await views(index));
  });
});
