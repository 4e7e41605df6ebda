import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { MemoryIndex } from '../../src/engine/memory-index.js';
import { dedupFeed } from '../../src/feeds/dedup.js';
import { FeedError } from '../../src/feeds/detect.js';
import { deletePrefix, redisUrl, testPrefix } from '../integration/redis-helpers.js';
import { runCli, type CliRun } from '../cli/run-cli.js';
import { sleep, startApi, startWorker, type CliProcess } from './harness.js';

/**
 * Bad input, table-driven, over the three ways in: the HTTP API (the real `samestory api` process
 * with a real worker and Redis), the CLI (`samestory cluster`), and the feed reader (in process,
 * plus `samestory dedup` for exit codes). Each case has a defined outcome (a 4xx JSON naming the field, a message and
 * exit code, or a documented result); after every HTTP case a good article is still accepted, and
 * at the end every accepted article is assigned and both processes are still running.
 */
const good = (id: string) => ({ id, title: 'Ferry service resumes', text: 'The ferry between Kesmere and Larkford resumed on Friday after the storm, the operator said.' });
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const tenMb = 'word '.repeat(2 * 1024 * 1024);
const hostileTitle = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"';
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>`;

interface HttpCase {
  name: string;
  body: string | Buffer;
  type?: string;
  url?: string;
  /** Expected status, and for 4xx the `error` and (when one field is at fault) `field`. */
  status: number;
  error?: string;
  field?: string;
}

const json = (value: unknown) => JSON.stringify(value);
const httpCases: HttpCase[] = [
  { name: 'empty text', body: json({ id: 'e1', text: '' }), status: 400, error: 'validation', field: 'text' },
  { name: 'whitespace-only text', body: json({ id: 'e2', text: ' \n\t\u00a0 ' }), status: 400, error: 'validation', field: 'text' },
  { name: '10 MB text', body: json({ id: 'e3', text: tenMb }), status: 413, error: 'payload_too_large' },
  { name: 'binary body declared as JSON', body: Buffer.from([0x00, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), status: 400, error: 'malformed_json' },
  { name: 'binary body as octet-stream', body: Buffer.from([0x00, 0xff, 0x10]), type: 'application/octet-stream', status: 415, error: 'unsupported_media_type', field: 'content-type' },
  { name: 'NUL byte in id', body: json({ id: 'a\u0000b', text: 'Some text here.' }), status: 400, error: 'validation', field: 'id' },
  { name: 'id is a number', body: json({ id: 5, text: 'Some text here.' }), status: 400, error: 'validation', field: 'id' },
  { name: 'text is an array', body: json({ id: 'e4', text: ['a'] }), status: 400, error: 'validation', field: 'text' },
  { name: 'title is an object', body: json({ id: 'e5', text: 'Some text.', title: { a: 1 } }), status: 400, error: 'validation', field: 'title' },
  { name: 'body is a JSON string', body: json('just a string'), status: 400, error: 'validation' },
  { name: 'body is null', body: 'null', status: 400 },
  { name: 'body is an array', body: json([good('e6')]), status: 400, error: 'validation' },
  { name: 'missing id', body: json({ text: 'Some text here.' }), status: 400, error: 'validation', field: 'id' },
  { name: '2,000-char id', body: json({ id: 'x'.repeat(2000), text: 'Some text here.' }), status: 400, error: 'validation', field: 'id' },
  { name: 'unknown field', body: json({ ...good('e7'), colour: 'red' }), status: 400, error: 'validation' },
  { name: 'date in year 0', body: json({ ...good('e8'), publishedAt: '0000-01-01T00:00:00Z' }), status: 400, error: 'validation', field: 'publishedAt' },
  { name: 'date in year 9999', body: json({ ...good('e9'), publishedAt: '9999-12-31T23:59:59Z' }), status: 400, error: 'validation', field: 'publishedAt' },
  { name: 'unparseable date', body: json({ ...good('e10'), publishedAt: 'yesterday-ish' }), status: 400, error: 'validation', field: 'publishedAt' },
  { name: 'deeply nested JSON (100,000 levels) in an unknown field', body: `{"id":"e11","text":"t","x":${deep(100_000)}}`, status: 400 },
  { name: 'deeply nested JSON (100,000 levels) as the title', body: `{"id":"e12","text":"t","title":${deep(100_000)}}`, status: 400 },
  { name: 'truncated JSON', body: '{"id":"e13","text":"abc', status: 400, error: 'malformed_json' },
  { name: 'XML entity expansion (billion laughs) as XML', body: `${billionLaughs}<a>&lol9;</a>`, type: 'application/xml', status: 415, error: 'unsupported_media_type' },
  { name: 'batch with no valid item', url: '/v1/articles/batch', body: json([{ id: 'b1', text: '' }, { id: 3 }]), status: 400, error: 'validation', field: '0.text' },
  { name: 'batch over the size limit', url: '/v1/articles/batch', body: json(Array.from({ length: 501 }, (_, i) => good(`big${i}`))), status: 400, error: 'validation' },
  { name: 'dedup with a wrongly typed item', url: '/v1/dedup', body: json({ items: [{ title: 5 }] }), status: 400, error: 'validation' },
  { name: 'dedup of HTML nested 10,000 deep (was a 500)', url: '/v1/dedup', body: json({ items: [{ id: 'deep', html: `${'<div>'.repeat(10_000)}Deep harbour text.${'</div>'.repeat(10_000)}` }] }), status: 200 },
];

/** Accepted with a defined result (checked once the worker has assigned them). */
const acceptedCases: { name: string; article: Record<string, unknown>; check: (stored: { article: Record<string, unknown> }) => void }[] = [
  {
    name: 'invalid UTF-8 inside a string (decoded as U+FFFD)',
    article: { id: 'ok-utf8', text: 'Caf\u00e9 owners in Kesmere protest the new tariff again.', title: 'Tariff protest' },
    check: (stored) => expect(stored.article.title).toContain('\uFFFD'),
  },
  {
    name: 'NUL bytes in the text',
    article: { id: 'ok-nul', text: 'The harbour\u0000 crane was inspected\u0000 on Tuesday.' },
    check: () => undefined,
  },
  {
    // Readability's cost explodes with depth (10,000 levels overflowed its stack and failed the job).
    name: 'HTML nested 10,000 elements deep (extracted without Readability)',
    article: { id: 'ok-deep', html: `${'<div>'.repeat(10_000)}Harbour crane inspected in Kesmere on Tuesday.${'</div>'.repeat(10_000)}` },
    check: () => undefined,
  },
  {
    name: 'hostile HTML and script in the title (stored verbatim, served as JSON)',
    article: { id: 'ok-hostile', title: hostileTitle, html: `<p>${hostileTitle}</p><script>document.title='pwned'</script><p>Council approves the new Larkford bridge budget.</p>` },
    check: (stored) => expect(stored.article.title).toBe(hostileTitle),
  },
];

async function post(base: string, url: string, body: string | Buffer, type = 'application/json'): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(base + url, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { status: res.status, json: null };
  }
}

describe('reliability: bad input over HTTP (samestory api + worker)', () => {
  const prefix = testPrefix();
  let api: CliProcess & { base: string };
  let worker: CliProcess;
  const accepted: string[] = [];
  let n = 0;

  beforeAll(async () => {
    [api, worker] = await Promise.all([startApi(redisUrl, prefix), startWorker(redisUrl, prefix, 2)]);
  });

  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    await deletePrefix(prefix);
  });

  /** A good article right after a bad one: the API still accepts work. */
  async function followUp(): Promise<void> {
    const id = `good-${n++}`;
    const res = await post(api.base, '/v1/articles', JSON.stringify(good(id)));
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    accepted.push(id);
  }

  it.each(httpCases)('$name → $status', async (c) => {
    const res = await post(api.base, c.url ?? '/v1/articles', c.body, c.type);
    expect(res.status, JSON.stringify(res.json)?.slice(0, 300)).toBe(c.status);
    expect(res.json, 'a JSON body').not.toBeNull();
    if (c.status >= 400) expect(typeof res.json?.message).toBe('string');
    if (c.error) expect(res.json?.error).toBe(c.error);
    if (c.field) expect(res.json?.field).toBe(c.field);
    await followUp();
  });

  it('a batch with bad items names each (index and field) and accepts the good ones', async () => {
    const res = await post(api.base, '/v1/articles/batch', JSON.stringify([good('batch-ok-1'), { id: 'bad', text: '  ' }, { id: 7 }, good('batch-ok-2')]));
    expect(res.status).toBe(202);
    expect(res.json?.rejected).toEqual([
      expect.objectContaining({ index: 1, field: 'text' }),
      expect.objectContaining({ index: 2, field: 'id' }),
    ]);
    expect((res.json?.accepted as unknown[]).length).toBe(2);
    accepted.push('batch-ok-1', 'batch-ok-2');
  });

  it.each(acceptedCases)('accepted with a defined result: $name', async (c) => {
    let body: string | Buffer = JSON.stringify(c.article);
    // Raw bytes that are not UTF-8 (C3 28, FF) at the end of the title.
    if (c.article.id === 'ok-utf8') body = Buffer.concat([Buffer.from(body.slice(0, -2)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]);
    const res = await post(api.base, '/v1/articles', body);
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    accepted.push(c.article.id as string);
  });

  it('nothing accepted is lost: every accepted article gets assigned; api and worker still run', async () => {
    const deadline = Date.now() + 30_000;
    const pending = new Set(accepted);
    while (pending.size > 0 && Date.now() < deadline) {
      for (const id of [...pending]) {
        const res = await fetch(`${api.base}/v1/articles/${encodeURIComponent(id)}`);
        if (res.status === 200) {
          const stored = (await res.json()) as { article: Record<string, unknown> };
          acceptedCases.find((c) => c.article.id === id)?.check(stored);
          pending.delete(id);
        }
      }
      if (pending.size > 0) await sleep(200);
    }
    expect([...pending]).toEqual([]);
    expect(accepted.length).toBe(httpCases.length + 2 + acceptedCases.length);
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`${api.base}/health`)).status).toBe(200);
  });
});

describe('reliability: bad input to the CLI (samestory cluster)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'samestory-bad-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const lines: { name: string; line: string | Buffer; skipped: boolean }[] = [
    { name: 'good article', line: json(good('c-good-1')), skipped: false },
    { name: 'empty text', line: json({ id: 'c1', text: '' }), skipped: true },
    { name: 'whitespace-only text', line: json({ id: 'c2', text: '   ' }), skipped: true },
    { name: 'binary garbage', line: Buffer.from([0x00, 0xff, 0xfe, 0x01, 0x7b]), skipped: true },
    { name: 'invalid UTF-8 in a string', line: Buffer.concat([Buffer.from('{"id":"c3","text":"Tariff protest in Kesmere '), Buffer.from([0xc3, 0x28]), Buffer.from(' again"}')]), skipped: true },
    { name: 'NUL in id', line: json({ id: 'c\u00004', text: 'Some text here.' }), skipped: true },
    { name: 'id is a number', line: json({ id: 4, text: 'Some text here.' }), skipped: true },
    { name: 'missing id', line: json({ text: 'Some text here.' }), skipped: true },
    { name: '2,000-char id', line: json({ id: 'y'.repeat(2000), text: 'Some text here.' }), skipped: true },
    { name: 'date in year 0', line: json({ ...good('c5'), publishedAt: '0000-01-01' }), skipped: true },
    { name: 'date in year 9999', line: json({ ...good('c6'), publishedAt: '9999-12-31' }), skipped: true },
    { name: 'deeply nested JSON', line: `{"id":"c7","text":"t","title":${deep(50_000)}}`, skipped: true },
    { name: 'not an object', line: '[1,2,3]', skipped: true },
    { name: 'hostile title', line: json({ id: 'c8', title: hostileTitle, text: 'Council approves the Larkford bridge budget.' }), skipped: false },
    { name: 'good article after the bad ones', line: json(good('c-good-2')), skipped: false },
  ];

  it('a JSON Lines file with every bad line: each reported by line number, good lines clustered, exit 2', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, Buffer.concat(lines.flatMap((l) => [Buffer.from(l.line), Buffer.from('\n')])));
    const run = await runCli(['cluster', '--format', 'jsonl', file]);
    expect(run.code, run.stderr).toBe(2);
    lines.forEach((l, i) => {
      const mentioned = run.stderr.includes(`bad.jsonl:${i + 1}:`);
      expect(mentioned, `${l.name} (line ${i + 1}) ${l.skipped ? 'reported' : 'not reported'}:\n${run.stderr}`).toBe(l.skipped);
    });
    const out = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    expect(out.map((o) => o.id)).toEqual(['c-good-1', 'c8', 'c-good-2']);
  });

  it('files that are not articles: clear messages, no crash', async () => {
    const cases: { name: string; file: string; content: string | Buffer }[] = [
      { name: 'empty file', file: 'empty.txt', content: '' },
      { name: 'whitespace-only file', file: 'blank.txt', content: ' \n\n\t\n' },
      { name: '10 MB .txt', file: 'huge.txt', content: tenMb },
      { name: 'broken .json', file: 'broken.json', content: '{"id": "x", "text": ' },
    ];
    for (const c of cases) writeFileSync(join(dir, c.file), c.content);
    // A binary .txt is refused by name, not read as replacement-character text.
    writeFileSync(join(dir, 'binary.txt'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)));
    writeFileSync(join(dir, 'fine.txt'), 'Title: Ferry resumes\n\nThe ferry between Kesmere and Larkford resumed on Friday after the storm.\n');
    const run: CliRun = await runCli(['cluster', '--format', 'jsonl', ...cases.map((c) => join(dir, c.file)), join(dir, 'binary.txt'), join(dir, 'fine.txt')]);
    expect(run.code, run.stderr).toBe(2);
    for (const c of [...cases, { name: 'binary', file: 'binary.txt' }]) expect(run.stderr, c.name).toContain(c.file);
    expect(run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // a message, not a stack trace
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('reliability: bad input to the feed reader (dedupFeed, and samestory dedup)', () => {
  const item = (title: string, body: string, extra = '') => `<item><guid>${title.length}-${body.length}</guid><title>${title}</title><description>${body}</description>${extra}</item>`;
  const rss = (items: string, head = '<?xml version="1.0" encoding="UTF-8"?>') => `${head}<rss version="2.0"><channel><title>t</title>${items}</channel></rss>`;
  const fine = item('Ferry resumes', 'The ferry between Kesmere and Larkford resumed on Friday after the storm.');
  const laughs = rss(item('&lol9;', '&lol9;') + fine, billionLaughs.replace('lolz', 'rss'));

  /** `error`: the whole input is refused (FeedError, exit 1); else items decided/skipped (exit 0/2). */
  const feeds: { name: string; input: string | Buffer; error?: RegExp; skipped?: number; emitted?: number; reports?: RegExp; output?: RegExp }[] = [
    { name: 'empty input', input: '', error: /empty/ },
    { name: 'whitespace only', input: '  \n\n ', error: /empty/ },
    { name: 'binary', input: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x13]), error: /unrecognised input/ },
    { name: 'billion laughs: entities never expanded, the item using them skipped', input: laughs, skipped: 1, emitted: 1, reports: /DOCTYPE declares entities/, output: /Ferry resumes/ },
    { name: 'invalid UTF-8 inside an item (decoded as U+FFFD)', input: Buffer.concat([Buffer.from(rss(item('Caf', 'Tariff protest in Kesmere XX again today.')).split('XX')[0] as string), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(rss(item('Caf', 'Tariff protest in Kesmere XX again today.')).split('XX')[1] as string)]), skipped: 0, emitted: 1, output: /\uFFFD/ },
    { name: 'NUL byte inside an item: that item skipped', input: rss(item('Ferry\u0000resumes', 'Text.') + fine), skipped: 1, emitted: 1, reports: /disallowed character/ },
    { name: 'empty item, then a good one', input: rss(item('', '') + fine), skipped: 1, emitted: 1, reports: /skipped item 1/ },
    { name: 'pubDate in year 0 and 9999: the date is ignored with a warning, the item kept', input: rss(item('Old', 'Ancient ferry news from Kesmere harbour.', '<pubDate>0000-01-01T00:00:00Z</pubDate>') + item('Future', 'Future ferry news from Larkford harbour.', '<pubDate>9999-12-31T00:00:00Z</pubDate>')), skipped: 0, reports: /year 0 is outside[^]*year 9999 is outside/ },
    { name: 'hostile HTML in a title (kept, escaped as XML)', input: rss(item('&lt;script&gt;alert(1)&lt;/script&gt;', 'Council approves the Larkford bridge budget.')), skipped: 0, emitted: 1, output: /&lt;script&gt;alert\(1\)&lt;\/script&gt;/ },
    { name: 'elements nested 100 deep: read', input: rss(`<item><title>Deep</title><description>${'<x>'.repeat(100)}${'</x>'.repeat(100)}Deep text about the harbour.</description></item>`), skipped: 0, emitted: 1 },
    // Parsing time grows with the square of the depth (20,000 levels took ~8 s): refused at once.
    { name: 'elements nested 100,000 deep: refused', input: rss(`<item><title>Deep</title><description>${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}</description></item>`), error: /nested deeper than 256 levels/ },
    { name: 'truncated feed', input: rss(fine + fine.replace('Ferry', 'Ferry two')).slice(0, -30), skipped: 1, reports: /truncated/ },
    { name: 'JSON Lines with wrong types', input: `${json({ id: 1, title: 5 })}\n${json(good('j1'))}\n`, skipped: 1, emitted: 1, reports: /line 1/, output: /j1/ },
    { name: 'JSON Lines, 10 MB line', input: `${json({ id: 'big', text: tenMb })}\n${json(good('j2'))}\n`, skipped: 1, emitted: 1, output: /j2/ },
  ];

  it.each(feeds)('$name', async (f) => {
    const reports: string[] = [];
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output += chunk.toString('utf8');
        callback();
      },
    });
    const input = (async function* () {
      yield Buffer.from(f.input);
    })();
    const run = dedupFeed(input, sink, { engine: new Engine(), index: new MemoryIndex(), mode: 'drop', report: (m) => reports.push(m) });
    if (f.error) {
      await expect(run).rejects.toThrow(FeedError);
      await expect(run).rejects.toThrow(f.error);
      return;
    }
    const summary = await run;
    if (f.skipped !== undefined) expect(summary.skipped, reports.join('\n')).toBe(f.skipped);
    if (f.emitted !== undefined) expect(summary.emitted, reports.join('\n')).toBe(f.emitted);
    if (f.reports) expect(reports.join('\n')).toMatch(f.reports);
    if (f.output) expect(output).toMatch(f.output);
  });

  it('samestory dedup: billion laughs exits 2 with a message; binary input exits 1 with a message', async () => {
    const [laughing, binary] = await Promise.all([
      runCli(['dedup', '-'], { input: laughs }),
      runCli(['dedup', '-'], { input: '\u0000\u00ff\u0013 not a feed' }),
    ]);
    expect(laughing.code, laughing.stderr).toBe(2);
    expect(laughing.stderr).toMatch(/DOCTYPE declares entities/);
    expect(laughing.stdout).toMatch(/Ferry resumes/);
    expect(laughing.stdout).not.toContain('lollol');
    expect(binary.code, binary.stderr).toBe(1);
    expect(binary.stderr).toMatch(/^samestory: .*unrecognised input/m);
    for (const run of [laughing, binary]) expect(run.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });
});
