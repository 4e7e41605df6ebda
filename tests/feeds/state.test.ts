import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';
import type { Article } from '../../src/engine/types.js';
import { decide } from '../../src/feeds/dedup.js';
import { loadState, saveState, StateError } from '../../src/feeds/state.js';
import { items } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samestory-state-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const articles = items.map((i) => ({ id: i.id, url: i.link, title: i.title, text: i.text, publishedAt: i.date }));

describe('dedup state file', () => {
  it('saves and reloads the index: what was decided before is seen, and new reports still join their story', async () => {
    const engine = new Engine();
    const path = join(dir, 'state.json');
    expect(await loadState(path, engine.config)).toBeInstanceOf(MemoryIndex); // missing: a first run
    const index = new MemoryIndex();
    const start = new Date().toISOString();
    for (const a of articles.slice(0, 4)) await decide((x) => engine.assign(x, index), index, a, start);
    await saveState(path, index, engine.config);
    await saveState(path, index, engine.config); // replacing an existing state leaves no temporary files
    expect(await readdir(dir)).toEqual(['state.json']);

    const reloaded = await loadState(path, engine.config);
    const later = new Date().toISOString();
    const assignReloaded = (x: Article) => engine.assign(x, reloaded);
    expect((await decide(assignReloaded, reloaded, articles[0]!, later)).status).toBe('seen');
    // A feed that restamps an item on every fetch: still seen, and the index takes the new date.
    const restamped = { ...articles[1]!, publishedAt: new Date(Date.parse(articles[1]!.publishedAt!) + 3_600_000).toISOString() };
    expect((await decide(assignReloaded, reloaded, restamped, later)).status).toBe('seen');
    expect((await reloaded.getArticle(restamped.id))?.publishedAt).toBe(Date.parse(restamped.publishedAt));
    // Edited since: still seen (readers had it), and the index holds the new text.
    const edited = { ...articles[2]!, text: `${articles[2]!.text} Correction: the figure was revised on Friday.` };
    expect((await decide(assignReloaded, reloaded, edited, later)).status).toBe('seen');
    expect((await reloaded.getArticle(edited.id))?.contentHash).not.toBe((await loadState(path, engine.config).then((i) => i.getArticle(edited.id)))?.contentHash);
    const tidalB = await decide(assignReloaded, reloaded, articles[4]!, later);
    expect(tidalB).toMatchObject({ status: 'repeat', emit: false });
    expect(tidalB.assignment.clusterId).toBe((await reloaded.getArticle('tidal-a'))?.clusterId);
  });

  it('refuses a state written with other signature settings, or of the wrong shape', async () => {
    const engine = new Engine();
    const path = join(dir, 'other.json');
    await saveState(path, new MemoryIndex(), new Engine({ seed: 99 }).config);
    await expect(loadState(path, engine.config)).rejects.toThrow(/written with seed=99 but this run uses 1/);
    // A state from before the permutation family was recorded: refused, not silently matching nothing.
    const saved = JSON.parse(await readFile(path, 'utf8')) as { config: Record<string, unknown> };
    delete saved.config.signatureFamily;
    await writeFile(path, JSON.stringify(saved));
    await expect(loadState(path, engine.config)).rejects.toThrow(/MinHash signatures of another kind \(an earlier samestory version; this one uses xor-mul32\): start a new state file/);
    await writeFile(path, JSON.stringify({ samestory: 'dedup-state', version: 1, config: {}, index: { version: 1, seq: 1, articles: [{ id: 'a' }], clusters: [] } }));
    await expect(loadState(path, engine.config)).rejects.toThrow(StateError);
    await expect(loadState(path, engine.config)).rejects.toThrow(/is corrupt \(article 0 is malformed\)/);
    await writeFile(path, '[1,2,3]');
    await expect(loadState(path, engine.config)).rejects.toThrow(/not a samestory dedup state file/);
  });
});
