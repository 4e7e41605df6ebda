import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/engine/engine.js';
import { MemoryIndex } from '../src/engine/memory-index.js';
import { dedupFeed } from '../src/feeds/dedup.js';
import { seededRandom, syntheticArticle } from './synthetic.js';

/**
 * `npx tsx bench/feeds-memory.ts [N...]`: generates JSON Lines feeds of N items (default 25,000 and
 * 100,000) from a fixed seed — synthetic text, one item a minute, a quarter of them republications
 * of a recent item by another outlet — and runs `samestory dedup` over each in a child process,
 * reporting wall time, items/s and peak RSS (from /usr/bin/time -v). Peak RSS should not grow with
 * N once the index is bounded (window and --max-entries pruning). Not a test: it takes minutes.
 *
 * `node --expose-gc --import tsx bench/feeds-memory.ts --heap N CAP`: runs the same dedup in-process
 * with an index capped at CAP articles and prints the heap in use after a full GC every N/8 items:
 * a steady figure means memory is bounded (RSS alone also moves with when V8 chooses to collect).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function generate(path: string, count: number): Promise<void> {
  const random = seededRandom(20261123);
  const out = createWriteStream(path);
  const recent: string[] = [];
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const outlet = `outlet${Math.floor(random() * 40)}.example`;
    let text: string;
    if (recent.length > 0 && random() < 0.25) {
      text = `${recent[Math.floor(random() * recent.length)]} Published by ${outlet}.`;
    } else {
      text = syntheticArticle(random, 100 + Math.floor(random() * 80));
      recent.push(text);
      if (recent.length > 50) recent.shift();
    }
    const item = { guid: `item-${i}`, link: `https://${outlet}/${i}`, title: text.slice(0, 60), text, pubDate: new Date(start + i * 60_000).toISOString() };
    if (!out.write(`${JSON.stringify(item)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
}

interface Measure {
  items: number;
  inputMB: number;
  seconds: number;
  itemsPerSecond: number;
  peakRssMB: number;
  outputLines: number;
  exitCode: number | null;
}

async function measure(path: string, items: number): Promise<Measure> {
  const args = ['-v', process.execPath, '--import', 'tsx', join(root, 'src', 'cli', 'main.ts'), 'dedup', path, '--mode', 'drop'];
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let outputLines = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    for (const byte of chunk) if (byte === 10) outputLines++;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
  if (exitCode !== 0) process.stderr.write(stderr.slice(-2000));
  return {
    items,
    inputMB: (await stat(path)).size / 1e6,
    seconds,
    itemsPerSecond: items / seconds,
    peakRssMB: rssKb / 1024,
    outputLines,
    exitCode,
  };
}

/** Heap in use after a full GC, sampled while deduplicating `path` in-process. */
async function heapProfile(path: string, items: number, cap: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('--heap needs node --expose-gc');
  const index = new MemoryIndex();
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const step = Math.max(1000, Math.floor(items / 8));
  let n = 0;
  await dedupFeed(createReadStream(path), sink, {
    engine: new Engine(),
    index,
    mode: 'drop',
    report: () => {},
    afterItem() {
      if (++n % 1000 === 0) index.prune(-Infinity, cap);
      if (n % step === 0) {
        gc();
        process.stdout.write(`${n} items: heap used after GC ${(process.memoryUsage().heapUsed / 1e6).toFixed(1)} MB\n`);
      }
    },
  });
}

const args = process.argv.slice(2);
const heap = args[0] === '--heap';
const counts = (heap ? args.slice(1, 2) : args).map(Number);
const dir = await mkdtemp(join(tmpdir(), 'samestory-feeds-bench-'));
try {
  if (heap) {
    const count = counts[0] ?? 40_000;
    const path = join(dir, `feed-${count}.jsonl`);
    await generate(path, count);
    await heapProfile(path, count, Number(args[2] ?? 2000));
  }
  const results: Measure[] = [];
  for (const count of heap ? [] : counts.length > 0 ? counts : [25_000, 100_000]) {
    const path = join(dir, `feed-${count}.jsonl`);
    await generate(path, count);
    const m = await measure(path, count);
    results.push(m);
    process.stdout.write(
      `${count} items (${m.inputMB.toFixed(1)} MB): ${m.seconds.toFixed(1)} s, ${m.itemsPerSecond.toFixed(0)} items/s, ` +
        `peak RSS ${m.peakRssMB.toFixed(0)} MB, ${m.outputLines} items kept, exit ${m.exitCode}\n`,
    );
  }
  if (!heap) process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), node: process.version, results })}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
