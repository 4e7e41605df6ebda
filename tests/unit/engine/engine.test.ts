import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { MemoryIndex } from '../../../src/engine/memory-index.js';
import type { EngineConfig } from '../../../src/engine/config.js';
import type { Article, AssignOutcome } from '../../../src/engine/types.js';
import {
  gazetteArticles,
  gazetteShortItems,
  millFireHarbor,
  millFireValley,
  millRebuildWeekLater,
  paperWorksFire,
  wrenfieldCarPark,
  wrenfieldCarParkFollowUp,
  wrenfieldCarParkRadio,
  wrenfieldLibraryHours,
} from './fixtures.js';

const NOW = Date.UTC(2031, 5, 1);

async function run(articles: Article[], engine = new Engine(), index = new MemoryIndex()) {
  const outcomes: AssignOutcome[] = [];
  for (const article of articles) outcomes.push(await engine.assign(article, index, NOW));
  return { engine, index, outcomes, clusterOf: (id: string) => outcomes.find((o) => o.assignment.articleId === id)?.assignment.clusterId };
}

describe('Engine: same story, different outlets', () => {
  it('puts two outlets rewriting one event in one cluster and a same-topic different event apart', async () => {
    const { outcomes, clusterOf } = await run([millFireHarbor, millFireValley, paperWorksFire]);
    expect(clusterOf('valley-1')).toBe(clusterOf('harbor-1'));
    expect(outcomes[1]?.assignment.decidedBy).toBe('tfidf');
    expect(clusterOf('ridge-1')).not.toBe(clusterOf('harbor-1'));
    expect(outcomes[2]?.assignment.decidedBy).toBe('new');
  });

  it("raises the join bar with the days between an article and a cluster's span: the same mill's next story a week later stays apart", async () => {
    const engine = new Engine({ barRisePerDay: 0.25 });
    expect(engine.joinThreshold(1, 1, 0)).toBeCloseTo(0.2);
    expect(engine.joinThreshold(1, 1, 24 * 3600 * 1000)).toBeCloseTo(0.2); // one event's reports: within a day
    expect(engine.joinThreshold(1, 1, 5 * 24 * 3600 * 1000)).toBeCloseTo(0.2 * (1 + 0.25 * 4));
    expect(new Engine().joinThreshold(1, 1, 5 * 24 * 3600 * 1000)).toBeCloseTo(0.2); // off by default
    // The rebuilding vote shares the mill, town and mayor with the fire (cosine 0.65): the next
    // day it would be a follow-up of the story; a week later, with a steep enough rise, it is not.
    const steep = new Engine({ barRisePerDay: 1 });
    const nextDay = await run([millFireHarbor, millFireValley, { ...millRebuildWeekLater, publishedAt: '2031-03-05T09:00:00Z' }], steep);
    expect(nextDay.clusterOf('harbor-2')).toBe(nextDay.clusterOf('harbor-1'));
    const weekLater = await run([millFireHarbor, millFireValley, millRebuildWeekLater], steep);
    expect(weekLater.clusterOf('harbor-2')).not.toBe(weekLater.clusterOf('harbor-1'));
  });

  it("needs more than the outlet's own town and council to join a cluster holding its report", async () => {
    const stream = [wrenfieldCarPark, wrenfieldLibraryHours, wrenfieldCarParkRadio, wrenfieldCarParkFollowUp];
    // Without the rule the library story joins the car park through "Wrenfield Town Council" and
    // the town's name alone, above the bar for its length but below ownOutletBar.
    const unguarded = await run(stream, new Engine({ ownOutletBar: 0 }));
    const glued = unguarded.outcomes[1]?.assignment;
    expect(glued?.clusterId).toBe(unguarded.clusterOf('wrenfield-1'));
    expect(glued?.similarity).toBeGreaterThan(0.15);
    expect(glued?.similarity).toBeLessThan(new Engine().config.ownOutletBar);

    const { outcomes, clusterOf } = await run(stream);
    expect(outcomes[1]?.assignment.decidedBy).toBe('new');
    // Another outlet's rewrite and the paper's own follow-up still join the story.
    expect(clusterOf('downs-1')).toBe(clusterOf('wrenfield-1'));
    expect(clusterOf('wrenfield-3')).toBe(clusterOf('wrenfield-1'));
    expect(outcomes[3]?.assignment.similarity).toBeGreaterThan(0.5);
  });

  it('keeps cluster fields filled for readers', async () => {
    const { index, clusterOf } = await run([millFireHarbor, millFireValley]);
    const [cluster] = await index.getClusters([clusterOf('harbor-1') ?? '']);
    expect(cluster?.size).toBe(2);
    expect(cluster?.sources).toEqual(['harbor-daily.test', 'valley-times.test']);
    expect(cluster?.title).toBeTruthy();
    expect(['harbor-1', 'valley-1']).toContain(cluster?.representativeId);
    expect(cluster?.postedTerms.length).toBeGreaterThan(0);
  });
});

describe('Engine: publisher boilerplate', () => {
  it("keeps one outlet's different stories apart despite shared furniture, from the first article on", async () => {
    const { outcomes } = await run(gazetteArticles);
    expect(new Set(outcomes.map((o) => o.assignment.clusterId)).size).toBe(4);
    expect(outcomes.map((o) => o.assignment.decidedBy)).toEqual(['new', 'new', 'new', 'new']);
  });

  it('keeps short items apart when one shared term would carry the whole match', async () => {
    // Both items are the Gazette's, so ownOutletBar would keep them apart too: it is off here.
    const { outcomes } = await run([...gazetteArticles, ...gazetteShortItems], new Engine({ ownOutletBar: 0 }));
    expect(outcomes.slice(4).map((o) => o.assignment.decidedBy)).toEqual(['new', 'new']);
    // With the rule off, "road" alone joins them: the test would catch its loss.
    const { outcomes: unguarded } = await run([...gazetteArticles, ...gazetteShortItems], new Engine({ maxTermShare: 1, ownOutletBar: 0 }));
    expect(unguarded[5]?.assignment.clusterId).toBe(unguarded[4]?.assignment.clusterId);
  });

  it('still finds a republished copy of an article as a duplicate', async () => {
    const original = gazetteArticles[1] as Article;
    const copy = { ...original, id: 'gazette-budget-copy' };
    const nearCopy = {
      ...original,
      id: 'gazette-budget-updated',
      text: `${original.text}\nThe board meets again on March 3.`,
    };
    const { outcomes } = await run([...gazetteArticles, copy, nearCopy]);
    const [exact, near] = outcomes.slice(4).map((o) => o.assignment);
    expect(exact).toMatchObject({ duplicateOf: 'gazette-budget', decidedBy: 'exact', similarity: 1 });
    expect(near?.decidedBy).toBe('minhash');
    expect(['gazette-budget', 'gazette-budget-copy']).toContain(near?.duplicateOf);
    expect(near?.clusterId).toBe(outcomes[1]?.assignment.clusterId);
  });

  it('finds wire copy republished under a headline of its own', async () => {
    const body = [
      'Rescue crews freed 14 hikers trapped overnight by a rockfall on the Corran Ridge trail above Vessby, the regional mountain service said on Sunday.',
      'The group, on a guided walk organised by the Vessby Alpine Club, sheltered in a hut after the slide buried the only path down at about six in the evening.',
    ].join('\n');
    const wire: Article = { id: 'wire-ridge', source: 'pressline.test', title: 'Fourteen hikers rescued after rockfall on Corran Ridge', text: body, publishedAt: '2031-05-04T08:00:00Z' };
    const copy: Article = {
      id: 'daily-ridge',
      source: 'valley-daily.test',
      title: 'Helicopter lifts stranded walkers to safety in dramatic Sunday dawn operation near Vessby',
      text: `${body} (Pressline)`,
      publishedAt: '2031-05-04T09:30:00Z',
    };
    const { outcomes } = await run([wire, copy]);
    expect(outcomes[1]?.assignment).toMatchObject({ decidedBy: 'minhash', duplicateOf: 'wire-ridge' });
  });

  it("learns an outlet's own tagline and drops it from later articles", async () => {
    const tagline = 'The Fenwick Gazette has covered the valley towns since 1921 for Harrow Media Group.';
    const tagged = gazetteArticles.map((a) => ({ ...a, text: `${a.text}\n${tagline}` }));
    const { index, outcomes } = await run(tagged);
    expect(new Set(outcomes.map((o) => o.assignment.clusterId)).size).toBe(4);
    const terms = async (id: string) => (await index.getArticle(id))?.vector.terms ?? [];
    // Seen in an earlier article by the second: boilerplate from then on.
    expect(await terms('gazette-bridge')).toContain('harrow');
    expect(await terms('gazette-budget')).not.toContain('harrow');
    expect(await terms('gazette-marathon')).not.toContain('harrow');
    expect(await terms('gazette-zoo')).not.toContain('harrow');
  });

  it('learns furniture of articles with no known source too (files without a Source line)', async () => {
    const tagline = 'The Fenwick Gazette has covered the valley towns since 1921 for Harrow Media Group.';
    const anonymous = gazetteArticles.map(({ source: _source, url: _url, ...rest }) => ({
      ...rest,
      text: `${rest.text}\n${tagline}`,
    }));
    const { index, outcomes } = await run(anonymous);
    expect(new Set(outcomes.map((o) => o.assignment.clusterId)).size).toBe(4);
    expect((await index.getArticle('gazette-zoo'))?.vector.terms).not.toContain('harrow');
  });

  it("never strips an article's own headline, even when an earlier page of the outlet printed it", async () => {
    const headline = 'Harbour tolls to double in spring as quay repairs overrun';
    const [first, second] = gazetteArticles;
    const teaser = { ...(first as Article), text: `${first?.text}\n${headline}` };
    const tolls: Article = {
      id: 'gazette-tolls',
      source: second?.source,
      title: headline,
      text: 'Boat owners will pay twice as much to moor at the town quay from April. The council blamed repairs to the quay wall that have run eight months late. Owners said the rise would drive visiting yachts to other harbours.',
    };
    const { index } = await run([teaser, tolls]);
    // "toll" is only in the headline: stripped, it would be gone from the whole article.
    expect((await index.getArticle('gazette-tolls'))?.vector.terms).toContain('toll');
  });
});

describe('Engine: state', () => {
  it('is deterministic: same input twice gives identical signatures and clusters', async () => {
    const input = [millFireHarbor, ...gazetteArticles, millFireValley, paperWorksFire];
    const a = await run(input);
    const b = await run(input);
    expect(b.outcomes.map((o) => o.assignment)).toEqual(a.outcomes.map((o) => o.assignment));
    for (const { id } of input) {
      const [x, y] = [await a.index.getArticle(id), await b.index.getArticle(id)];
      expect(y?.signature).toEqual(x?.signature);
      expect(y?.vector).toEqual(x?.vector);
    }
  });

  it('is idempotent: the same id with the same content changes nothing', async () => {
    const { engine, index } = await run([millFireHarbor, millFireValley]);
    const before = {
      article: await index.getArticle('valley-1'),
      clusters: await index.listClusters({ sort: 'size', limit: 10, offset: 0 }),
      df: await index.documentFrequencies(['quillsbi', 'pellegrini']),
    };
    const again = await engine.assign({ ...millFireValley }, index, NOW + 1000);
    expect(again.changed).toBe(false);
    expect(again.merges).toEqual([]);
    expect(again.assignment).toMatchObject({ articleId: 'valley-1', clusterSize: 2, at: before.article?.at });
    expect(await index.getArticle('valley-1')).toEqual(before.article);
    expect(await index.listClusters({ sort: 'size', limit: 10, offset: 0 })).toEqual(before.clusters);
    expect(await index.documentFrequencies(['quillsbi', 'pellegrini'])).toEqual(before.df);
  });

  it('re-decides an article whose date, outlet or URL alone was corrected', async () => {
    const { engine, index } = await run([millFireHarbor, millFireValley]);
    // Moved a month later, out of the window: it leaves the story.
    const redated = await engine.assign({ ...millFireValley, publishedAt: '2031-04-20T00:00:00Z' }, index, NOW + 1000);
    expect(redated.changed).toBe(true);
    expect(redated.assignment.clusterId).not.toBe((await index.getArticle('harbor-1'))?.clusterId);
    expect((await index.getArticle('valley-1'))?.publishedAt).toBe(Date.parse('2031-04-20T00:00:00Z'));
    const moved = await engine.assign({ ...millFireValley, publishedAt: '2031-04-20T00:00:00Z', url: 'https://valley-times.test/mill-fire' }, index, NOW + 2000);
    expect(moved.changed).toBe(true);
    expect((await index.getArticle('valley-1'))?.url).toBe('https://valley-times.test/mill-fire');
    const same = await engine.assign({ ...millFireValley, publishedAt: '2031-04-20T00:00:00Z', url: 'https://valley-times.test/mill-fire' }, index, NOW + 3000);
    expect(same.changed).toBe(false);
  });

  it('re-decides an updated article: it leaves its old cluster and joins the right one', async () => {
    const marathon = gazetteArticles[2] as Article;
    const { engine, index, clusterOf } = await run([millFireHarbor, millFireValley, marathon]);
    const fireCluster = clusterOf('harbor-1') as string;
    const rewritten = { ...marathon, id: 'valley-1', source: 'valley-times.test' };
    const outcome = await engine.assign(rewritten, index, NOW);
    expect(outcome.changed).toBe(true);
    expect(outcome.assignment.clusterId).toBe(clusterOf('gazette-marathon'));
    expect(outcome.assignment.clusterSize).toBe(2);
    const [fire] = await index.getClusters([fireCluster]);
    expect(fire?.size).toBe(1);
    expect((await index.clusterMembers(fireCluster)).map((m) => m.id)).toEqual(['harbor-1']);
    expect(fire?.sources).toEqual(['harbor-daily.test']);
    // Its document frequencies were moved, not double counted.
    expect((await index.documentFrequencies([])).docCount).toBe(3);
  });

  it('deletes a cluster that an update leaves empty', async () => {
    const { engine, index, clusterOf } = await run([millFireHarbor, paperWorksFire]);
    const lone = clusterOf('ridge-1') as string;
    const outcome = await engine.assign({ ...millFireValley, id: 'ridge-1' }, index, NOW);
    expect(outcome.assignment.clusterId).toBe(clusterOf('harbor-1'));
    expect(await index.getClusters([lone])).toEqual([]);
    // Said in the outcome, so that live views can drop it.
    expect(outcome.removals).toEqual([{ type: 'removal', clusterId: lone, at: new Date(NOW).toISOString() }]);
  });

  it('merges two clusters an article bridges, keeping the oldest id', async () => {
    // A strict join bar keeps the two rewrites apart (cosine ~0.8); an article telling both versions
    // matches the newer cluster best (~0.93) and the older one too (~0.9): they merge into the older.
    const engine = new Engine({ clusterThreshold: 0.85, sizeGrowth: 0, fullLengthTerms: 1, mergeThreshold: 0.5 });
    const bridge: Article = {
      id: 'bridge-1',
      source: 'wire.test',
      publishedAt: '2031-03-04T12:00:00Z',
      text: `${millFireValley.text}\n${millFireHarbor.text?.split('\n').slice(0, 3).join('\n')}`,
    };
    const { outcomes, index } = await run([millFireHarbor, millFireValley, bridge], engine);
    const [a, b, c] = outcomes.map((o) => o.assignment);
    expect(a?.clusterId).not.toBe(b?.clusterId);
    expect(c?.clusterId).toBe(a?.clusterId);
    expect(outcomes[2]?.merges).toEqual([
      { type: 'merge', clusterId: a?.clusterId, merged: [b?.clusterId], clusterSize: 3, at: new Date(NOW).toISOString() },
    ]);
    expect(await index.getClusters([b?.clusterId ?? ''])).toEqual([]);
    expect((await index.getArticle('valley-1'))?.clusterId).toBe(a?.clusterId);
  });

  it('gives an article with no content left (only furniture) a cluster of its own, matching nothing', async () => {
    const furniture = (id: string): Article => ({ id, source: 'ads.test', text: 'Advertisement\nShare this article' });
    const { outcomes, index } = await run([furniture('f-1'), furniture('f-2'), millFireHarbor]);
    expect(outcomes.map((o) => o.assignment.decidedBy)).toEqual(['new', 'new', 'new']);
    expect(new Set(outcomes.map((o) => o.assignment.clusterId)).size).toBe(3);
    expect((await index.getArticle('f-1'))?.bandKeys).toEqual([]);
  });

  it('never joins articles further apart in time than the window', async () => {
    const later = { ...millFireValley, publishedAt: '2031-04-20T00:00:00Z' };
    const { clusterOf } = await run([millFireHarbor, later]);
    expect(clusterOf('valley-1')).not.toBe(clusterOf('harbor-1'));
  });
});

describe('Engine: input', () => {
  // A library caller's article gets the checks the API, queue and CLI give it, before anything is indexed.
  it.each([
    ['no id', { text: 'A bridge closed for repairs on Monday.' }, 'id'],
    ['no text or html', { id: 'x-1' }, 'text'],
    ['whitespace text', { id: 'x-1', text: '   ' }, 'text'],
    ['text of the wrong type', { id: 'x-1', text: 42 }, 'text'],
    ['a title object', { id: 'x-1', text: 'Words.', title: { en: 'Words' } }, 'title'],
    ['a year-last date', { id: 'x-1', text: 'Words.', publishedAt: '05/11/2026' }, 'publishedAt'],
    ['an absurd date', { id: 'x-1', text: 'Words.', publishedAt: '9999-01-01' }, 'publishedAt'],
    ['an unknown field', { id: 'x-1', text: 'Words.', body: 'More words.' }, 'body'],
  ])('refuses an article with %s, naming the field, and indexes nothing', async (_, article, field) => {
    const index = new MemoryIndex();
    await expect(new Engine().assign(article as unknown as Article, index, NOW)).rejects.toMatchObject({
      name: 'ArticleValidationError',
      field,
    });
    expect((await index.listClusters({ sort: 'size', limit: 10, offset: 0 })).total).toBe(0);
  });

  it('refuses a value that is not an article object', async () => {
    await expect(new Engine().assign(null as unknown as Article, new MemoryIndex(), NOW)).rejects.toMatchObject({
      name: 'ArticleValidationError',
    });
  });
});

describe('Engine: settings', () => {
  it.each([
    [{ clusterThreshold: 45 }, /clusterThreshold is 45: it must be a number from 0 to 1/],
    [{ windowMs: -1 }, /windowMs is -1/],
    [{ shingleSize: 0 }, /shingleSize is 0: it must be an integer/],
    [{ numPerm: 100_000 }, /numPerm is 100000/],
    [{ postedTerms: 2.5 }, /postedTerms is 2.5: it must be an integer/],
    [{ clusterThresold: 0.3 }, /unknown setting "clusterThresold"/],
  ])('refuses %j, naming the setting', (config, message) => {
    expect(() => new Engine(config as Partial<EngineConfig>)).toThrow(message);
  });
});
