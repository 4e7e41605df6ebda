import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCommand, projectRoot, runCli } from './run-cli.js';

interface Line {
  id: string;
  clusterId: string;
  duplicateOf: string | null;
  similarity: number;
  decidedBy: string;
  clusterSize: number;
}

const news = join(projectRoot, 'examples', 'news');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samestory-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parseLines(stdout: string): Line[] {
  return stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
}

describe('samestory cluster', () => {
  it('groups the examples: rewrites and republished copies together, one outlet\'s boilerplate apart', async () => {
    const run = await runCli(['cluster', '--format', 'jsonl', news]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = parseLines(run.stdout);
    // Input order: files sorted by name.
    expect(lines.map((l) => l.id)).toEqual([
      'continental-desalination',
      'courier-crane-collapse',
      'courier-desalination-wire',
      'ledger-crane-collapse',
      'riverside-bakery-closes',
      'riverside-bike-lanes-vote',
      'riverside-library-reopens',
      'riverside-robotics-title',
      'syndicated-crane-collapse',
    ]);
    const byId = new Map(lines.map((l) => [l.id, l]));
    const cluster = (id: string) => byId.get(id)?.clusterId;
    const crane = cluster('ledger-crane-collapse');
    expect(cluster('courier-crane-collapse')).toBe(crane);
    expect(cluster('syndicated-crane-collapse')).toBe(crane);
    expect(byId.get('ledger-crane-collapse')?.clusterSize).toBe(3);
    expect(cluster('courier-desalination-wire')).toBe(cluster('continental-desalination'));
    expect(byId.get('courier-desalination-wire')?.duplicateOf).toBe('continental-desalination');
    expect(byId.get('syndicated-crane-collapse')?.duplicateOf).toBe('ledger-crane-collapse');
    // Four Riverside Post stories share boilerplate but nothing else: four clusters of one.
    const riverside = lines.filter((l) => l.id.startsWith('riverside-'));
    expect(new Set(riverside.map((l) => l.clusterId)).size).toBe(4);
    expect(riverside.every((l) => l.clusterSize === 1 && l.duplicateOf === null)).toBe(true);
    expect(new Set(lines.map((l) => l.clusterId)).size).toBe(6);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['clusterId', 'clusterSize', 'decidedBy', 'duplicateOf', 'id', 'similarity']);
    }
  });

  it('prints the grouping as a table by default', async () => {
    const run = await runCli(['cluster', news]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^9 articles in 6 clusters \(2 with more than one article\)/);
    expect(run.stdout).toMatch(/: 3 articles\n/);
    expect(run.stdout).toContain('alone (4):');
  });

  it('keeps stdout clean JSON Lines even with a .env file in the working directory', async () => {
    await writeFile(join(dir, '.env'), 'SAMESTORY_TEST_DOTENV=1\nOTHER=2\n');
    const run = await runCli(['cluster', '--format', 'jsonl', news], { cwd: dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('reports bad lines with file:line and field, skips them, and exits 2', async () => {
    const file = join(dir, 'mixed.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ id: 'ok-1', text: 'The harbour crane fell onto a freighter during a storm.', label: 'x' }),
        '{"id": "broken", "text": ',
        JSON.stringify({ id: 'bad-date', text: 'Some words here.', publishedAt: 'yesterday-ish' }),
        JSON.stringify({ id: 'no-text', title: 'Only a title' }),
        '[1, 2]',
        JSON.stringify({ id: 'ok-2', text: 'A bakery on Old Quay Road will close after sixty-one years.' }),
      ].join('\n'),
    );
    const run = await runCli(['cluster', '--format', 'jsonl', file]);
    expect(run.code).toBe(2);
    expect(parseLines(run.stdout).map((l) => l.id)).toEqual(['ok-1', 'ok-2']);
    expect(run.stderr).toContain(`${file}:2: invalid JSON`);
    expect(run.stderr).toContain(`${file}:3: invalid article: publishedAt:`);
    expect(run.stderr).toContain(`${file}:4: invalid article: text:`);
    expect(run.stderr).toContain(`${file}:5: expected a JSON object`);
    expect(run.stderr).toContain('4 inputs skipped');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('skips a missing path, an unsupported file and a directory without articles, clusters the rest and exits 2', async () => {
    const good = join(dir, 'good.jsonl');
    await writeFile(good, `${JSON.stringify({ id: 'kept', text: 'The night ferry to Skerry Island was cancelled because of fog.' })}\n`);
    await writeFile(join(dir, 'report.pdf'), '%PDF-1.4\n');
    const empty = await mkdtemp(join(dir, 'empty-'));
    const missing = join(dir, 'nope.txt');
    const run = await runCli(['cluster', '--format', 'jsonl', missing, join(dir, 'report.pdf'), empty, good]);
    expect(run.code).toBe(2);
    expect(parseLines(run.stdout).map((l) => l.id)).toEqual(['kept']);
    expect(run.stderr).toContain(`samestory: skipped ${missing}: no such file or directory\n`);
    expect(run.stderr).toContain(`samestory: skipped ${join(dir, 'report.pdf')}: unsupported file type (expected .txt, .html, .htm, .json, .jsonl, .xml, .rss, .atom or a directory)\n`);
    expect(run.stderr).toContain(`samestory: skipped ${empty}: no article files (.txt, .html, .htm, .json, .jsonl, .xml, .rss, .atom) in this directory\n`);
    expect(run.stderr).toContain('samestory: 3 inputs skipped\n');
  });

  it('exits 1 with no output when none of the paths can be used, or on a bad --config, with no stack trace', async () => {
    const missing = await runCli(['cluster', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toBe(`samestory: ${join(dir, 'nope.jsonl')}: no such file or directory\n`);
    await writeFile(join(dir, 'notes.md'), '# not an article');
    const several = await runCli(['cluster', join(dir, 'notes.md'), join(dir, 'nope.jsonl')]);
    expect(several.code).toBe(1);
    expect(several.stdout).toBe('');
    expect(several.stderr).toBe(
      `samestory: no usable input:\n  ${join(dir, 'notes.md')}: unsupported file type (expected .txt, .html, .htm, .json, .jsonl, .xml, .rss, .atom or a directory)\n` +
        `  ${join(dir, 'nope.jsonl')}: no such file or directory\n`,
    );
    const config = await runCli(['cluster', '--config', '{"clusterThreshhold": 0.5}', news]);
    expect(config.code).toBe(1);
    expect(config.stderr).toContain('--config: unknown setting "clusterThreshhold"');
    expect(config.stdout).toBe('');
    // A value out of its range (45 typed for 0.45) is refused too, not run as nonsense.
    const range = await runCli(['cluster', '--config', '{"clusterThreshold": 45}', news]);
    expect(range.code).toBe(1);
    expect(range.stderr).toContain('--config: clusterThreshold is 45: it must be a number from 0 to 1');
  });

  it('skips a binary file, an empty .jsonl and a header with an ambiguous date, naming each, and exits 2', async () => {
    const inputs = await mkdtemp(join(dir, 'bad-'));
    await writeFile(join(inputs, 'a-photo.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    await writeFile(join(inputs, 'b-empty.jsonl'), '');
    await writeFile(join(inputs, 'c-slash-date.txt'), 'Title: Ferry cancelled\nPublished: 05/11/2026\n\nThe night ferry was cancelled.\n');
    await writeFile(join(inputs, 'd-good.txt'), '\uFEFFTitle: Fog closes the harbour\r\nAuthor: Desk\r\n\r\nFog closed the harbour on Tuesday.\r\n');
    const run = await runCli(['cluster', inputs]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^1 article in 1 cluster /);
    expect(run.stdout).toContain('d-good');
    expect(run.stdout).toContain('Fog closes the harbour');
    expect(run.stderr).toContain(`samestory: skipped ${join(inputs, 'a-photo.txt')}: not a text file: it contains NUL bytes`);
    expect(run.stderr).toContain(`samestory: skipped ${join(inputs, 'b-empty.jsonl')}: no articles in this file\n`);
    expect(run.stderr).toContain(
      `samestory: skipped ${join(inputs, 'c-slash-date.txt')}: invalid article: Published: "05/11/2026" is ambiguous (5 November or May 11?)`,
    );
    expect(run.stderr).toContain('samestory: 3 inputs skipped\n');
  });

  it('says on stderr how many articles had no date when others had one', async () => {
    const inputs = await mkdtemp(join(dir, 'dates-'));
    const text = 'Fog closed the harbour at Skerry Island on Tuesday and the night ferry was cancelled.';
    await writeFile(join(inputs, 'a.txt'), `Published: 2026-03-03\n\n${text}\n`);
    await writeFile(join(inputs, 'b.txt'), `Date: 2026-03-03T18:00:00Z\n\n${text} Passengers waited.\n`);
    await writeFile(join(inputs, 'c.txt'), `${text} Passengers were sent home.\n`);
    // Dated by its markup, not by a header: not counted as undated.
    await writeFile(
      join(inputs, 'd.html'),
      `<html><head><meta property="article:published_time" content="2026-03-03T19:00:00Z"></head><body><article><p>${text} The ferry sails again on Thursday.</p></article></body></html>`,
    );
    const mixed = await runCli(['cluster', '--format', 'jsonl', inputs]);
    expect(mixed.code).toBe(0);
    expect(mixed.stderr).toMatch(
      /^samestory: 1 of 4 articles has no date \(no Published: header, publishedAt or date in the page's markup\); it was placed at the current time, \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, so it cannot join dated articles more than 7 days from that time\n$/,
    );
    const dated = await runCli(['cluster', '--format', 'jsonl', join(inputs, 'a.txt'), join(inputs, 'b.txt')]);
    expect(dated.stderr).toBe('');
  });

  it('reads JSON Lines, or an RSS or Atom feed, from stdin with -', async () => {
    const input = `${JSON.stringify({ id: 'from-stdin', text: 'A council voted to build bike lanes on Mill Street.' })}\n`;
    const run = await runCli(['cluster', '--format', 'jsonl', '-'], { input });
    expect(run.code).toBe(0);
    expect(parseLines(run.stdout)).toMatchObject([{ id: 'from-stdin', decidedBy: 'new', clusterSize: 1, duplicateOf: null }]);

    const feed =
      '\n  <rss version="2.0"><channel><title>Gazette</title>' +
      '<item><guid>g-1</guid><title>Mill Street gets bike lanes</title><description>The council voted on Tuesday to paint bike lanes along Mill Street by June.</description></item>' +
      '</channel></rss>';
    const fromFeed = await runCli(['cluster', '--format', 'jsonl', '-'], { input: feed });
    expect(fromFeed.stderr).toBe('');
    expect(parseLines(fromFeed.stdout)).toMatchObject([{ id: 'g-1', decidedBy: 'new' }]);
  });

  it('decides against the service index in Redis with --redis, idempotently across runs', async () => {
    const prefix = `test:${Math.random().toString(36).slice(2)}`;
    const args = ['cluster', '--format', 'jsonl', '--redis', 'redis://127.0.0.1:6379', '--prefix', prefix, news];
    const redis = new Redis('redis://127.0.0.1:6379');
    try {
      const first = await runCli(args);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      const lines = parseLines(first.stdout);
      const byId = new Map(lines.map((l) => [l.id, l]));
      expect(byId.get('courier-crane-collapse')?.clusterId).toBe(byId.get('ledger-crane-collapse')?.clusterId);
      expect(new Set(lines.map((l) => l.clusterId)).size).toBe(6);
      expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
      // Same ids, same content: the stored decisions come back unchanged.
      const second = await runCli(args);
      expect(second.code).toBe(0);
      expect(parseLines(second.stdout)).toEqual(lines);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  it('clusters the items of RSS and Atom feeds, skips a file that is no feed, and warns of a repeated id', async () => {
    const feeds = join(dir, 'feeds');
    await mkdir(feeds);
    const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Harbour Courier</title><link>https://courier.example/</link><description>News</description>
<item><guid>courier-1</guid><link>https://courier.example/crane</link><title>Crane collapses at Pellmouth dock</title>
<description>A 60-metre harbour crane collapsed at Pellmouth's east dock on Monday, injuring two workers. Port director Anneli Corvo said the crane's jib snapped during a lift of wind-turbine blades.</description>
<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>
<item><guid>courier-2</guid><link>https://courier.example/choir</link><title>Choir wins county cup</title>
<description>The Lowen Crest youth choir took the county choral cup on Saturday with a programme of sea shanties.</description>
<pubDate>Sat, 28 Feb 2026 18:00:00 GMT</pubDate></item>
</channel></rss>`;
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast Ledger</title><id>urn:ledger</id><updated>2026-03-02T12:00:00Z</updated>
<entry><id>urn:ledger:77</id><title>Two hurt as wind-blade lift topples Pellmouth crane</title><updated>2026-03-02T12:00:00Z</updated>
<link href="https://ledger.example/77"/><summary>Two dock workers were hurt when a harbour crane at Pellmouth's east dock came down during a lift of wind-turbine blades on Monday. The jib snapped, port director Anneli Corvo told reporters.</summary></entry>
<entry><id>courier-2</id><title>Choir wins county cup</title><updated>2026-02-28T18:00:00Z</updated>
<summary>The Lowen Crest youth choir took the county choral cup on Saturday with a programme of sea shanties.</summary></entry>
</feed>`;
    await writeFile(join(feeds, 'courier.rss'), rss);
    await writeFile(join(feeds, 'ledger.atom'), atom);
    await writeFile(join(feeds, 'page.xml'), '<html><body>not a feed</body></html>');
    const run = await runCli(['cluster', '--format', 'jsonl', feeds]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('page.xml: unsupported XML root element <html>');
    expect(run.stderr).toMatch(/ledger\.atom item 2: id "courier-2" was already used by .*courier\.rss item 2/);
    const lines = parseLines(run.stdout);
    expect(lines.map((l) => l.id)).toEqual(['courier-1', 'courier-2', 'urn:ledger:77', 'courier-2']);
    const [crane, choir, rewrite] = lines;
    expect(rewrite?.clusterId).toBe(crane?.clusterId);
    expect(rewrite?.decidedBy).toBe('tfidf');
    expect(choir?.clusterId).not.toBe(crane?.clusterId);
  });

  it('decides in publication order, whatever the file names, and prints in input order', async () => {
    const order = join(dir, 'order');
    await mkdir(order);
    const story =
      'The Skerry Island ferry Morven ran aground off Castle Point on Sunday night. All 212 passengers ' +
      'were taken off by lifeboat, and operator Westsail said the hull was not breached.';
    await writeFile(join(order, 'a-copy.txt'), `Title: Ferry Morven aground off Castle Point\nPublished: 2026-03-09T08:00:00Z\n\n${story} Divers inspected the hull on Monday.`);
    await writeFile(join(order, 'b-original.txt'), `Title: Ferry Morven aground off Castle Point\nPublished: 2026-03-08T23:00:00Z\n\n${story}`);
    const run = await runCli(['cluster', '--format', 'jsonl', order]);
    expect(run.code).toBe(0);
    expect(parseLines(run.stdout)).toMatchObject([
      { id: 'a-copy', duplicateOf: 'b-original', decidedBy: 'minhash' },
      { id: 'b-original', duplicateOf: null, decidedBy: 'new' },
    ]);
  });

  it('ends quietly with exit 0 when stdout is closed early (| head)', async () => {
    // Enough output to overflow a pipe buffer (long ids), so a write after the reader has gone fails.
    const lines = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ id: `${'x'.repeat(480)}-${i}`, text: `Notice ${i}: the reading room opens at ${i} o'clock.` }),
    );
    const file = join(dir, 'many.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    const [command, args] = cliCommand(['cluster', '--format', 'jsonl', file]);
    const child = spawn(command, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
