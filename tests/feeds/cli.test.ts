import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cliCommand, hasScript, projectRoot, runCli, runCliInTerminal } from '../cli/run-cli.js';
import { deletePrefix, redisUrl, testPrefix } from '../integration/redis-helpers.js';
import { items, jsonLines, rssFeed } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'samestory-feeds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const guids = (xml: string) => [...xml.matchAll(/<guid[^>]*>([^<]+)</g)].map((m) => m[1]);

describe('samestory dedup', () => {
  it('remembers stories across runs with --state: the second run over an overlapping feed emits only new stories', async () => {
    const state = join(dir, 'state.json');
    await writeFile(join(dir, 'run1.xml'), rssFeed(items.slice(0, 4)));
    await writeFile(join(dir, 'run2.xml'), rssFeed(items.slice(2)));
    const first = await runCli(['dedup', join(dir, 'run1.xml'), '--state', state]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(guids(first.stdout)).toEqual(['avelin-post-1', 'tidal-a', 'library-1']);
    expect(JSON.parse(await readFile(state, 'utf8'))).toMatchObject({ samestory: 'dedup-state', version: 1 });

    const second = await runCli(['dedup', '-', '--state', state], { input: rssFeed(items.slice(2)) });
    expect(second.code).toBe(0);
    expect(XMLValidator.validate(second.stdout)).toBe(true);
    expect(guids(second.stdout)).toEqual(['football-1']);

    // Run where a .env lies about: stdout must still be nothing but the JSON Lines.
    await writeFile(join(dir, '.env'), 'SOME_SETTING=1\n');
    const again = await runCli(['dedup', join(dir, 'run2.xml'), '--state', state, '--mode', 'annotate', '--format', 'jsonl'], { cwd: dir });
    const statuses = again.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).samestory.status);
    expect(statuses).toEqual(['seen', 'seen', 'seen', 'seen', 'seen']);
  });

  it('with --state, remembers a stale feed whole even when one item has no date or a future one', async () => {
    // Dated months ago (older than the 14-day memory), one item undated, one dated next year: the
    // newest date must come from the dated items up to tomorrow, or everything else is forgotten.
    const stale = items.slice(0, 4).map((i, n) => ({ ...i, date: `2026-03-0${n + 1}T08:00:00Z` }));
    const feed = rssFeed([...stale, { ...(items[6] as (typeof items)[number]), date: '2027-06-01T00:00:00Z' }])
      .replace(/<pubDate>[^<]*03 Mar 2026[^<]*<\/pubDate>/, ''); // the library item loses its date
    expect(feed).not.toContain('03 Mar 2026');
    await writeFile(join(dir, 'stale.xml'), feed);
    const state = join(dir, 'stale-state.json');
    const first = await runCli(['dedup', join(dir, 'stale.xml'), '--state', state]);
    expect(first.code, first.stderr).toBe(0);
    expect(guids(first.stdout)).toEqual(['avelin-post-1', 'tidal-a', 'library-1', 'football-1']);
    const second = await runCli(['dedup', join(dir, 'stale.xml'), '--state', state]);
    expect(second.code, second.stderr).toBe(0);
    expect(guids(second.stdout)).toEqual([]);
  });

  it('with --redis, decides against the service index: a second run emits nothing already seen', async () => {
    const prefix = testPrefix();
    try {
      const first = await runCli(['dedup', '--redis', redisUrl, '--prefix', prefix], { input: rssFeed(items.slice(0, 4)) });
      expect(first.code).toBe(0);
      expect(guids(first.stdout)).toEqual(['avelin-post-1', 'tidal-a', 'library-1']);
      const second = await runCli(['dedup', '--redis', redisUrl, '--prefix', prefix], { input: rssFeed(items.slice(2)) });
      expect(guids(second.stdout)).toEqual(['football-1']);
    } finally {
      await deletePrefix(prefix);
    }
  });

  it('refuses a corrupt state file with a clear message and exit code 1, leaving it untouched', async () => {
    const state = join(dir, 'corrupt.json');
    await writeFile(state, '{"samestory":"dedup-state","version":1,"index":');
    const run = await runCli(['dedup', '--state', state], { input: rssFeed(items.slice(0, 1)) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/state file .*corrupt\.json is corrupt \(not valid JSON/);
    expect(run.stdout).toBe('');
    expect(await readFile(state, 'utf8')).toBe('{"samestory":"dedup-state","version":1,"index":');
  });

  it('refuses a state file it could not write before reading the feed, not after writing it all', async () => {
    const state = join(dir, 'no-such-dir', 'state.json');
    const run = await runCli(['dedup', '--state', state], { input: rssFeed(items.slice(0, 2)) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot write state file .*no-such-dir.*state\.json: its directory .* is not writable \(ENOENT\)/);
    expect(run.stdout).toBe('');
    // A directory where no file can be created, even by root, who is granted write permission there.
    const sys = await runCli(['dedup', '--state', '/proc/samestory-state.json'], { input: rssFeed(items.slice(0, 2)) });
    expect(sys.code).toBe(1);
    expect(sys.stderr).toMatch(/cannot write state file \/proc\/samestory-state\.json: its directory \/proc is not writable/);
    expect(sys.stdout).toBe('');
  });

  it('skips bad items of a malformed feed, names them, keeps the good ones and exits 2', async () => {
    const bomb = `<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>`;
    const feed = rssFeed(items.slice(0, 4))
      .replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0" encoding="UTF-8"?>\n${bomb}`)
      .replace('<description>Greyhaven library reopens</description>', '<description>&b;</description>');
    const truncated = feed.slice(0, feed.lastIndexOf('</item>'));
    const run = await runCli(['dedup'], { input: truncated });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/DOCTYPE declares entities/);
    expect(run.stderr).toMatch(/skipped item 3 \("library-1"\): malformed XML: .*undefined entity/);
    expect(run.stderr).toMatch(/skipped item 4 \("coast-times-7"\): the feed ends inside this item \(truncated\)/);
    expect(guids(run.stdout)).toEqual(['avelin-post-1', 'tidal-a']);
    expect(XMLValidator.validate(run.stdout)).toBe(true);
    expect(run.stdout).not.toContain('ENTITY');
  });

  it('--feed-link gives a JSON Lines -> RSS channel its link; a link that is not an absolute http(s) URL is refused', async () => {
    const input = `${JSON.stringify({ guid: 'lib', link: '/library', text: items[2]!.text })}\n`;
    const run = await runCli(['dedup', '--format', 'rss', '--feed-link', 'https://greyhaven.example/'], { input });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('<channel>\n<title>samestory dedup</title>\n<link>https://greyhaven.example/</link>\n');
    const relative = await runCli(['dedup', '--format', 'rss', '--feed-link', 'greyhaven.example'], { input });
    expect(relative.code).toBe(1);
    expect(relative.stderr).toBe('samestory: --feed-link: expected an absolute http(s) URL, got "greyhaven.example"\n');
  });

  it('fails with exit code 1 and one clear line on unusable input', async () => {
    const unknown = await runCli(['dedup'], { input: '<?xml version="1.0" encoding="x-martian"?><rss version="2.0"/>' });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('samestory: unknown encoding "x-martian" in the XML declaration\n');
    const missing = await runCli(['dedup', join(dir, 'nope.xml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*nope\.xml: ENOENT/);
    const notFeed = await runCli(['dedup'], { input: '<html><body>hello</body></html>' });
    expect(notFeed.code).toBe(1);
    expect(notFeed.stderr).toMatch(/unsupported XML root element <html>/);
  });

  it.skipIf(!hasScript)('with no input at a terminal, exits 1 at once asking for a feed file or a pipe, rather than waiting on the keyboard', async () => {
    for (const args of [['dedup'], ['dedup', '-', '--mode', 'annotate']]) {
      const run = await runCliInTerminal(args, { timeoutMs: 10_000 });
      expect(run.timedOut, run.stdout).toBe(false);
      expect(run.code).toBe(1);
      expect(run.stdout.trim()).toBe('samestory: no input: stdin is a terminal; give a feed file (samestory dedup feed.xml) or pipe a feed in (curl -s URL | samestory dedup)');
    }
    // Piped stdin is read as before.
    const piped = await runCli(['dedup'], { input: rssFeed(items.slice(0, 2)) });
    expect(piped.code).toBe(0);
    expect(guids(piped.stdout)).toEqual(['avelin-post-1', 'tidal-a']);
  });

  it('--summary ends the run with one line on stderr counting what was read, dropped or marked, and written', async () => {
    const drop = await runCli(['dedup', '--summary'], { input: rssFeed(items) });
    expect(drop.code).toBe(0);
    expect(guids(drop.stdout)).toEqual(['avelin-post-1', 'tidal-a', 'library-1', 'football-1']);
    expect(drop.stderr).toBe('samestory dedup: 7 items read, 3 repeats dropped, 4 written\n');
    const annotate = await runCli(['dedup', '--summary', '--mode', 'annotate', '--format', 'jsonl'], { input: rssFeed(items) });
    expect(annotate.code).toBe(0);
    expect(annotate.stderr).toBe('samestory dedup: 7 items read, 3 marked repeat, 7 written\n');

    // Items already seen and skipped ones are counted too (the summary replaces the "skipped" line).
    const state = join(dir, 'summary-state.json');
    expect((await runCli(['dedup', '--state', state], { input: jsonLines(items.slice(0, 4)) })).stderr).toBe('');
    const second = await runCli(['dedup', '--state', state, '--summary'], { input: `${jsonLines(items.slice(2))}not json\n` });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/^samestory: skipped line 6: invalid JSON: [^\n]+\nsamestory dedup: 6 items read, 2 repeats dropped, 2 already seen dropped, 1 skipped, 1 written\n$/);

    // Piped and not asked for: quiet, also when everything is dropped.
    const quiet = await runCli(['dedup'], { input: rssFeed(items.slice(3, 4).concat(items.slice(5, 6))) });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it.skipIf(!hasScript)('at a terminal, ends with the summary line unless --no-summary', async () => {
    const feed = join(dir, 'summary.xml');
    await writeFile(feed, rssFeed(items));
    const run = await runCliInTerminal(['dedup', feed]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/<\/rss>\s+samestory dedup: 7 items read, 3 repeats dropped, 4 written\r?\n$/);
    const quiet = await runCliInTerminal(['dedup', feed, '--no-summary']);
    expect(quiet.code, quiet.stdout).toBe(0);
    expect(quiet.stdout).not.toContain('samestory dedup:');
  });

  it('annotate writes the similarity rounded to 4 decimals in JSON Lines, as in RSS', async () => {
    const xml = await runCli(['dedup', '--mode', 'annotate'], { input: rssFeed(items) });
    const fromXml = [...xml.stdout.matchAll(/<samestory:similarity>([^<]+)</g)].map((m) => Number(m[1]));
    expect(fromXml).toContain(0.7968); // tidal-b joined tidal-a by TF-IDF at 0.79679...
    const fromRss = await runCli(['dedup', '--mode', 'annotate', '--format', 'jsonl'], { input: rssFeed(items) });
    expect(fromRss.code, fromRss.stderr).toBe(0);
    expect(fromRss.stdout).toMatch(/"similarity":0\.7968,/);
    expect(fromRss.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l).samestory.similarity)).toEqual(fromXml);
    // JSON Lines kept as JSON Lines: the same rounding (as a number).
    const kept = await runCli(['dedup', '--mode', 'annotate'], { input: jsonLines(items) });
    expect(kept.code, kept.stderr).toBe(0);
    const similarities = [...kept.stdout.matchAll(/"similarity":([^,}]+)/g)].map((m) => m[1] as string);
    expect(similarities).toHaveLength(items.length);
    expect(similarities.filter((x) => x !== '0')).toHaveLength(3);
    for (const x of similarities) expect(x).toMatch(/^(0|1|0\.\d{1,4})$/);
  });

  it('on SIGTERM mid-feed, closes the output and saves the state for exactly what was written (exit 143)', async () => {
    const state = join(dir, 'interrupted.json');
    const feed = rssFeed(items);
    const [command, argv] = cliCommand(['dedup', '--state', state]);
    const child = spawn(command, argv, { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The producer sends three items and then goes quiet, the pipe left open, as a slow upstream would.
    let third = 0;
    for (let i = 0; i < 3; i++) third = feed.indexOf('</item>', third) + '</item>'.length;
    child.stdin.write(feed.slice(0, third));
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('library-1')) resolve();
      });
    });
    child.kill('SIGTERM');
    expect(await closed).toBe(143);
    expect(stderr).toMatch(/SIGTERM: stopped after 3 item\(s\), 3 written/);
    expect(stderr).toContain(`state saved to ${state}`);
    expect(XMLValidator.validate(stdout)).toBe(true);
    expect(guids(stdout)).toEqual(['avelin-post-1', 'tidal-a', 'library-1']);

    // The whole feed next time: the three written items are remembered, so only the new story is emitted.
    const next = await runCli(['dedup', '--state', state], { input: feed });
    expect(next.code).toBe(0);
    expect(guids(next.stdout)).toEqual(['football-1']);
  });
});
