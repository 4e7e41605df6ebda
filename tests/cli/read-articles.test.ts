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

  it('walks directories in name order, skipping dot-files, other extensions and saved pages\' resource folders; html keeps its markup for the engine', async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'b'), { recursive: true });
    await writeFile(join(tree, 'b', 'page.html'), '<p>Hello</p>');
    await writeFile(join(tree, 'a.txt'), 'First.');
    await writeFile(join(tree, '.hidden.txt'), 'Hidden.');
    await writeFile(join(tree, 'notes.md'), 'Not an article.');
    // "Save page as, complete": Story.html and its Story_files folder (an ad frame in it).
    await mkdir(join(tree, 'Story_files'));
    await writeFile(join(tree, 'Story.html'), '<p>The story.</p>');
    await writeFile(join(tree, 'Story_files', 'saved_resource.html'), '<p>Winter tyres half price</p>');
    await mkdir(join(tree, 'old_files'));
    await writeFile(join(tree, 'old_files', 'kept.txt'), 'No page beside this folder.');
    const records = await readAll([tree]);
    expect(records.map((r) => r.kind === 'article' && r.article)).toEqual([
      { id: 'Story', html: '<p>The story.</p>' },
      { id: 'a', text: 'First.' },
      { id: 'page', html: '<p>Hello</p>' },
      { id: 'kept', text: 'No page beside this folder.' },
    ]);
  });

});

describe('listArticleFiles', () => {
  it('lists the usable paths and names each missing path, unsupported file and directory without articles', async () => {
    await writeFile(join(dir, 'data.csv'), 'a,b');
    await mkdir(join(dir, 'empty'));
    await mkdir(join(dir, 'folder.txt'));
    await writeFile(join(dir, 'good.txt'), 'A good article.');
    const listed = await listArticleFiles([
      join(dir, 'missing'),
      join(dir, 'data.csv'),
      join(dir, 'empty'),
      join(dir, 'folder.txt'),
      join(dir, 'good.txt'),
    ]);
    expect(listed.files).toEqual([join(dir, 'good.txt')]);
    expect(listed.totalBytes).toBe('A good article.'.length);
    expect(listed.unusable).toEqual([
      { path: join(dir, 'missing'), message: 'no such file or directory' },
      { path: join(dir, 'data.csv'), message: expect.stringMatching(/^unsupported file type \(expected \.txt, .*or a directory\)$/) },
      { path: join(dir, 'empty'), message: expect.stringMatching(/^no article files \(.*\) in this directory$/) },
      { path: join(dir, 'folder.txt'), message: expect.stringMatching(/^no article files/) },
    ]);
  });

  it('refuses the paths only when none of them can be used', async () => {
    await expect(listArticleFiles([join(dir, 'missing')])).rejects.toThrow(
      new InputPathError(`${join(dir, 'missing')}: no such file or directory`),
    );
    await writeFile(join(dir, 'data.csv'), 'a,b');
    await expect(listArticleFiles([join(dir, 'missing'), join(dir, 'data.csv')])).rejects.toThrow(
      /^no usable input:\n {2}.*missing: no such file or directory\n {2}.*data\.csv: unsupported file type/,
    );
    await expect(listArticleFiles(['-'])).resolves.toMatchObject({ files: ['-'], unusable: [] });
  });
});

describe('readArticleFiles: .txt headers', () => {
  const body = 'The ferry timetable changes on Monday.\r\n';

  it('reads a header block with Windows line ends, a UTF-8 byte-order mark, or both', async () => {
    const header = 'Title: Ferry timetable changes\r\nSource: Harbour Gazette\r\nPublished: 2026-03-04T08:15:00Z\r\n\r\n';
    await writeFile(join(dir, 'crlf.txt'), header + body);
    await writeFile(join(dir, 'bom-crlf.txt'), `\uFEFF${header}${body}`);
    await writeFile(join(dir, 'bom-lf.txt'), `\uFEFF${header.replace(/\r\n/g, '\n')}Body.\n`);
    const records = await readAll([join(dir, 'crlf.txt'), join(dir, 'bom-crlf.txt'), join(dir, 'bom-lf.txt')]);
    const fields = { title: 'Ferry timetable changes', source: 'Harbour Gazette', publishedAt: '2026-03-04T08:15:00Z' };
    expect(records.map((r) => r.kind === 'article' && r.article)).toEqual([
      { id: 'crlf', ...fields, text: body },
      { id: 'bom-crlf', ...fields, text: body },
      { id: 'bom-lf', ...fields, text: 'Body.\n' },
    ]);
  });

  it('takes Date: as Published: and passes over Author:, Byline: and By: lines', async () => {
    await writeFile(
      join(dir, 'extra-keys.txt'),
      'Title: Ferry timetable changes\nAuthor: A. Writer\nByline: Staff reporter\nBY: Desk\nDate: 2026-03-04\n\nBody.\n',
    );
    const [record] = await readAll([join(dir, 'extra-keys.txt')]);
    expect(record?.kind === 'article' && record.article).toEqual({
      id: 'extra-keys',
      title: 'Ferry timetable changes',
      publishedAt: '2026-03-04',
      text: 'Body.\n',
    });
  });

  it('still reads the whole file as text when one line before the first blank line is not a header', async () => {
    const content = 'Author: A. Writer\nThe ferry timetable changes on Monday.\n\nMore.\n';
    await writeFile(join(dir, 'not-a-header.txt'), content);
    const [record] = await readAll([join(dir, 'not-a-header.txt')]);
    expect(record?.kind === 'article' && record.article).toEqual({ id: 'not-a-header', text: content });
  });

  it('refuses slash dates and other dates that are not ISO 8601, naming the file and the header', async () => {
    const dates = ['05/11/2026', '19/11/2026', '11.05.2026', 'May 11, 2026', '2026/05/11', '2026-02-30', 'yesterday'];
    const files = dates.map((date, i) => join(dir, `date-${i}.txt`));
    await Promise.all(dates.map((date, i) => writeFile(files[i] as string, `Title: T\nPublished: ${date}\n\nBody.\n`)));
    await writeFile(join(dir, 'date-key.txt'), 'Date: 03/04/2026\n\nBody.\n');
    const records = await readAll([...files, join(dir, 'date-key.txt')]);
    expect(records.map((r) => r.kind)).toEqual(Array(dates.length + 1).fill('error'));
    expect(records[0]).toEqual({
      kind: 'error',
      where: files[0],
      message: 'invalid article: Published: "05/11/2026" is ambiguous (5 November or May 11?); write an ISO 8601 date: 2026-11-05 or 2026-05-11',
      bytes: expect.any(Number),
    });
    expect(records[1]?.kind === 'error' && records[1].message).toBe(
      'invalid article: Published: "19/11/2026" is not an ISO 8601 date; write 2026-11-19',
    );
    expect(records[2]?.kind === 'error' && records[2].message).toMatch(/Published: "11\.05\.2026" is ambiguous/);
    for (const record of records.slice(3, dates.length)) {
      expect(record.kind === 'error' && record.message).toMatch(/^invalid article: Published: ".*" is not (an ISO 8601|a real) date/);
    }
    const last = records[dates.length];
    expect(last?.kind === 'error' && last.message).toMatch(/^invalid article: Date: "03\/04\/2026" is ambiguous/);
  });

  it('accepts ISO 8601 dates and date-times in a header', async () => {
    const dates = ['2026-03-04', '2026-03-04T08:15', '2026-03-04T08:15:30.250Z', '2026-03-04T08:15:30+01:00', '2026-03-04 08:15Z'];
    const files = dates.map((date, i) => join(dir, `iso-${i}.txt`));
    await Promise.all(dates.map((date, i) => writeFile(files[i] as string, `Published: ${date}\n\nBody.\n`)));
    const records = await readAll(files);
    expect(records.map((r) => r.kind === 'article' && r.article.publishedAt)).toEqual(dates);
  });
});

describe('readArticleFiles: JSON input', () => {
  it('reads .json, .jsonl and .html files that start with a UTF-8 byte-order mark', async () => {
    await writeFile(join(dir, 'bom.json'), `\uFEFF${JSON.stringify({ id: 'j', text: 'One.' })}`);
    await writeFile(join(dir, 'bom.jsonl'), `\uFEFF${JSON.stringify({ id: 'l', text: 'Two.' })}\r\n`);
    await writeFile(join(dir, 'bom.html'), '\uFEFF<p>Three.</p>');
    const records = await readAll([join(dir, 'bom.json'), join(dir, 'bom.jsonl'), join(dir, 'bom.html')]);
    expect(records.map((r) => (r.kind === 'article' ? r.article : r.message))).toEqual([
      { id: 'j', text: 'One.' },
      { id: 'l', text: 'Two.' },
      { id: 'bom', html: '<p>Three.</p>' },
    ]);
  });

  it('refuses an ambiguous day/month publishedAt in JSON, which Date.parse would read month first', async () => {
    await writeFile(
      join(dir, 'dates.jsonl'),
      [
        JSON.stringify({ id: 'a', text: 'One.', publishedAt: '05/11/2026' }),
        JSON.stringify({ id: 'b', text: 'Two.', publishedAt: '2026-05-11T10:00:00Z' }),
      ].join('\n'),
    );
    const records = await readAll([join(dir, 'dates.jsonl')]);
    expect(records[0]).toMatchObject({
      kind: 'error',
      where: `${join(dir, 'dates.jsonl')}:1`,
      message: expect.stringMatching(/^invalid article: publishedAt: "05\/11\/2026" is ambiguous/),
    });
    expect(records[1]).toMatchObject({ kind: 'article', article: { id: 'b' } });
  });

  it('reports an empty .jsonl file, and an empty .json array, as having no articles, and an empty .html or .txt as empty', async () => {
    await writeFile(join(dir, 'empty.jsonl'), '');
    await writeFile(join(dir, 'blank.jsonl'), '\n  \n');
    await writeFile(join(dir, 'empty-array.json'), '[]');
    await writeFile(join(dir, 'empty.html'), '');
    await writeFile(join(dir, 'blank.txt'), ' \n');
    const records = await readAll(['empty.jsonl', 'blank.jsonl', 'empty-array.json', 'empty.html', 'blank.txt'].map((f) => join(dir, f)));
    expect(records).toEqual([
      { kind: 'error', where: join(dir, 'empty.jsonl'), message: 'no articles in this file', bytes: 0 },
      { kind: 'error', where: join(dir, 'blank.jsonl'), message: 'no articles in this file', bytes: 0 },
      { kind: 'error', where: join(dir, 'empty-array.json'), message: 'no articles in this file (an empty array)', bytes: 2 },
      { kind: 'error', where: join(dir, 'empty.html'), message: 'the file is empty', bytes: 0 },
      { kind: 'error', where: join(dir, 'blank.txt'), message: 'the file is empty', bytes: 2 },
    ]);
  });
});

describe('readArticleFiles: encodings', () => {
  it('refuses binary files and text that is not UTF-8, naming the file', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 157 + 11) % 256));
    const latin1 = Buffer.from('Title: Caf\xe9 reopens\n\nThe caf\xe9 on Pier Street reopened.\n', 'latin1');
    await writeFile(join(dir, 'photo.txt'), png);
    await writeFile(join(dir, 'random.html'), random);
    await writeFile(join(dir, 'latin1.txt'), latin1);
    await writeFile(join(dir, 'binary.jsonl'), Buffer.concat([png, Buffer.from('\n'), random]));
    await writeFile(join(dir, 'binary.json'), png);
    const names = ['photo.txt', 'random.html', 'latin1.txt', 'binary.jsonl', 'binary.json'];
    const records = await readAll(names.map((name) => join(dir, name)));
    expect(records.map((r) => [r.kind, r.where])).toEqual(names.map((name) => ['error', join(dir, name)]));
    const messages = records.map((r) => (r.kind === 'error' ? r.message : ''));
    expect(messages[0]).toMatch(/^not a text file: it contains NUL bytes/);
    expect(messages[1]).toMatch(/^not a text file/);
    expect(messages[2]).toMatch(/^not UTF-8 text \(line 1\)/);
    expect(messages[3]).toMatch(/^not a text file: it contains NUL bytes/);
    expect(messages[4]).toMatch(/^not a text file/);
  });

  it('names the line of a .jsonl file that is not UTF-8 and reads the others', async () => {
    const good = JSON.stringify({ id: 'ok', text: 'Fine.' });
    await writeFile(
      join(dir, 'one-bad-line.jsonl'),
      Buffer.concat([Buffer.from(`${good}\n`), Buffer.from('{"id": "bad", "text": "caf\xe9"}\n', 'latin1')]),
    );
    const records = await readAll([join(dir, 'one-bad-line.jsonl')]);
    expect(records[0]).toMatchObject({ kind: 'article', article: { id: 'ok' } });
    expect(records[1]).toMatchObject({ kind: 'error', where: `${join(dir, 'one-bad-line.jsonl')}:2`, message: expect.stringMatching(/^not UTF-8 text/) });
    expect(records).toHaveLength(2);
  });

  it('decodes an HTML page in the encoding its <meta charset> names', async () => {
    // 0x92, 0x96 and 0x80 are ’ – € in windows-1252 (C1 controls in Latin-1).
    const page = (charset: string) =>
      Buffer.from(`<html><head><meta charset="${charset}"><title>Caf\xe9 reopens</title></head><body><p>The caf\xe9 on Pier Street reopened \x96 Ottilie\x92s, \x805 a cake.</p></body></html>`, 'latin1');
    await writeFile(join(dir, 'cp1252.html'), page('windows-1252'));
    await writeFile(join(dir, 'claims-utf8.html'), page('utf-8'));
    const records = await readAll([join(dir, 'cp1252.html'), join(dir, 'claims-utf8.html')]);
    expect(records[0]).toMatchObject({ kind: 'article', article: { html: expect.stringContaining('The caf\u00e9 on Pier Street reopened \u2013 Ottilie\u2019s, \u20ac5 a cake.') } });
    expect(records[1]).toMatchObject({ kind: 'error', message: expect.stringMatching(/^not UTF-8 text/) });
  });

  it('decodes UTF-16 files that start with a byte-order mark', async () => {
    const content = 'Title: Caf\u00e9 reopens\r\n\r\nThe caf\u00e9 on Pier Street reopened.\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(content, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    await writeFile(join(dir, 'utf16le.txt'), le);
    await writeFile(join(dir, 'utf16be.txt'), be);
    const line = JSON.stringify({ id: 'u', text: 'Caf\u00e9.' });
    await writeFile(join(dir, 'utf16.jsonl'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${line}\r\n${line.replace('"u"', '"v"')}\r\n`, 'utf16le')]));
    const records = await readAll([join(dir, 'utf16le.txt'), join(dir, 'utf16be.txt'), join(dir, 'utf16.jsonl')]);
    const article = { title: 'Caf\u00e9 reopens', text: 'The caf\u00e9 on Pier Street reopened.\r\n' };
    expect(records.map((r) => (r.kind === 'article' ? r.article : r.message))).toEqual([
      { id: 'utf16le', ...article },
      { id: 'utf16be', ...article },
      { id: 'u', text: 'Caf\u00e9.' },
      { id: 'v', text: 'Caf\u00e9.' },
    ]);
  });
});
