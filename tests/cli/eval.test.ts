import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArticleFiles } from '../../src/cli/read-articles.js';
import { projectRoot, runCli } from './run-cli.js';

let dir: string;
let setFile: string;

/** A labelled set built from the invented example articles: 6 stories, 9 articles. */
const labels: Record<string, string> = {
  'continental-desalination.txt': 'desalination',
  'courier-crane-collapse.txt': 'crane',
  'courier-desalination-wire.txt': 'desalination',
  'ledger-crane-collapse.txt': 'crane',
  'riverside-bakery-closes.txt': 'bakery',
  'riverside-bike-lanes-vote.txt': 'bike-lanes',
  'riverside-library-reopens.txt': 'library',
  'riverside-robotics-title.txt': 'robotics',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samestory-eval-'));
  const lines = [];
  // The reader parses the files' header blocks (title, source), as `samestory cluster` would.
  for await (const record of readArticleFiles(Object.keys(labels).map((f) => join(projectRoot, 'examples', 'news', f)))) {
    if (record.kind === 'error') throw new Error(record.message);
    lines.push(JSON.stringify({ ...record.article, label: labels[`${record.article.id}.txt`] }));
  }
  setFile = join(dir, 'small', 'test.jsonl');
  await mkdir(join(dir, 'small'));
  await writeFile(setFile, `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('samestory eval', () => {
  it('prints one JSON object per set with the scores', async () => {
    const run = await runCli(['eval', '--format', 'json', setFile]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string);
    expect(result).toMatchObject({ dataset: 'small/test', articles: 8, trueClusters: 6, clusters: 6, nmi: 1 });
    expect(result.bcubed).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(result.pairwise).toEqual({ precision: 1, recall: 1, f1: 1 });
    expect(result.duplicates).toEqual({ count: 1, precision: 1 });
    expect(result.articlesPerSecond).toBeGreaterThan(0);
  });

  it('runs every split under --data and prints one table', async () => {
    const run = await runCli(['eval', '--all', '--data', dir]);
    expect(run.code).toBe(0);
    const [header, rule, row, ...rest] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^dataset\s+articles\s+clusters\/true\s+B3 P\s+B3 R\s+B3 F1\s+NMI/);
    expect(rule).toMatch(/^-+ +-+/);
    expect(row).toMatch(/^small\/test\s+8\s+6\/6\s+1\.000\s+1\.000\s+1\.000\s+1\.000/);
    expect(rest).toEqual([]);
  });

  it('stops at the first bad line of a set, naming file:line and field', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${JSON.stringify({ id: 'a', text: 'Words.', label: 'x' })}\n${JSON.stringify({ id: 'b', text: 'More words.' })}\n`);
    const run = await runCli(['eval', '--format', 'json', bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`samestory: ${bad}:2: label: a labelled set needs a non-empty string or number label\n`);
    await writeFile(bad, `${JSON.stringify({ id: 'a', text: 'Words.', label: ' ' })}\n`);
    const blank = await runCli(['eval', bad]);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toBe(`samestory: ${bad}:1: label: a labelled set needs a non-empty string or number label\n`);
  });

  it('stops with exit 1 on an empty set or a missing one, naming it', async () => {
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    const run = await runCli(['eval', '--format', 'json', empty]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`samestory: ${empty}: no articles in this file\n`);
    const missing = await runCli(['eval', '--format', 'json', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`samestory: ${join(dir, 'nope.jsonl')}: no such file or directory\n`);
  });

  it('says where to point it when there is no data directory', async () => {
    const run = await runCli(['eval', '--all'], { env: { SAMESTORY_DATA: join(dir, 'nowhere') } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`no labelled data at ${join(dir, 'nowhere')}`);
  });
});
