import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputPathError, listArticleFiles, readArticleFiles, type InputRecord } from '../../src/cli/read-articles.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samestory-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(paths: string[]): Promise<InputRecord[]> {
  const { files } = await listArticleFiles(paths);
  const records: InputRecord[] = [];
  for await (const record of readArticleFiles(files)) records.push(record);
  return records;
}

describe('readArticleFiles', () => {
  it('reads a .txt header block into fields, and leaves header-like prose alone', async () => {
    await writeFile(
      join(dir, 'with-header.txt'),
      'Title: Bridge reopens\nSource: The Daily Example\nPublished: 2026-01-02\n\nThe bridge reopened today.\n',
    );
    await writeFile(join(dir, 'prose.txt'), 'Update: the bridge reopened today.\n\nMore text follows.\n');
    const [header, prose] = await readAll([join(dir, 'with-header.txt'), join(dir, 'prose.txt')]);
    expect(header).toMatchObject({
      kind: 'article',
      article: {
        id: 'with-header',
        title: 'Bridge reopens',
        source: 'The Daily Example',
        publishedAt: '2026-01-02',
        text: 'The bridge reopened today.\n',
      },
    });
    expect(prose?.kind === 'article' && prose.article).toEqual({
      id: 'prose',
      text: 'Update: the bridge reopened today.\n\nMore text follows.\n',
    });
  });

  it('keeps non-Article fields out of the article, in extra', async () => {
    await writeFile(join(dir, 'set.jsonl'), `${JSON.stringify({ id: 'a', text: 'Words.', label: 7, score: 1 })}\n`);
    const [record] = await readAll([join(dir, 'set.jsonl')]);
    expect(record).toMatchObject({ kind: 'article', article: { id: 'a', text: 'Words.' }, extra: { label: 7, score: 1 } });
    expect(record?.kind === 'article' && Object.keys(record.article)).toEqual(['id', 'text']);
  });

  it('reads a .json array and says where a bad element or bad JSON is', async () => {
    await writeFile(join(dir, 'many.json'), JSON.stringify([{ id: 'x', text: 'One.' }, { id: 5, text: 'Two.' }]));
    await writeFile(join(dir, 'broken.json'), '{\n  "id": "y",\n  "text": "Three."\n  "title": "no comma"\n}');
    const records = await readAll([join(dir, 'many.json'), join(dir, 'broken.json')]);
    expect(records[0]).toMatchObject({ kind: 'article', where: `${join(dir, 'many.json')}[0]` });
    expect(records[1]).toMatchObject({ kind: 'error', where: `${join(dir, 'many.json')}[1]`, message: expect.stringMatching(/^invalid article: id:/) });
    expect(records[2]).toMatchObject({ kind: 'error', where: `${join(dir, 'broken.json')}:4`, message: expect.stringMatching(/^invalid JSON/) });
  });

  it('walks directories in name order, skipping dot-files and other extensions; html keeps its markup for the engine', async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'b'), { recursive: true });
    await writeFile(join(tree, 'b', 'page.html'), '<p>Hello</p>');
    await writeFile(join(tree, 'a.txt'), 'First.');
    await writeFile(join(tree, '.hidden.txt'), 'Hidden.');
    await writeFile(join(tree, 'notes.md'), 'Not an article.');
    const records = await readAll([tree]);
    expect(records.map((r) => r.kind === 'article' && r.article)).toEqual([
      { id: 'a', text: 'First.' },
      { id: 'page', html: '<p>Hello</p>' },
    ]);
  });

  it('refuses missing paths, unsupported files and directories without articles up front', async () => {
    await expect(listArticleFiles([join(dir, 'missing')])).rejects.toThrow(InputPathError);
    await writeFile(join(dir, 'data.csv'), 'a,b');
    await expect(listArticleFiles([join(dir, 'data.csv')])).rejects.toThrow(/unsupported file type/);
    await mkdir(join(dir, 'empty'));
    await expect(listArticleFiles([join(dir, 'empty')])).rejects.toThrow(/no article files/);
  });
});
