import { createReadStream } from 'node:fs';
import { Command, Option } from 'commander';
import { Engine } from '../engine/engine.js';
import type { Index } from '../engine/index-store.js';
import { MemoryIndex } from '../engine/memory-index.js';
import { feedFormats, type FeedFormat } from '../feeds/detect.js';
import { dedupFeed, type DedupMode, type DedupSummary } from '../feeds/dedup.js';
import { loadState, saveState } from '../feeds/state.js';
import { parseEngineConfigOption } from './engine-config.js';
import { exitQuietlyWhenStdoutCloses } from './output.js';

interface DedupCommandOptions {
  format?: FeedFormat;
  mode: DedupMode;
  state?: string;
  redis?: string;
  prefix: string;
  config?: string;
  maxEntries: string;
  maxAgeDays?: string;
  minSimilarity: string;
  feedLink?: string;
  /** --summary / --no-summary; unset: only when stderr is a terminal. */
  summary?: boolean;
}

/** Feed tools: `samestory dedup`. */
export function registerFeedCommands(program: Command): void {
  program
    .command('dedup')
    .description('Deduplicate an RSS, Atom or JSON Lines feed: keep the first report of each story, or annotate all.')
    .argument('[input]', 'feed file, or - for stdin (a pipe, not a terminal)', '-')
    .addOption(new Option('--format <format>', 'output format (default: the input format)').choices(feedFormats))
    .addOption(new Option('--mode <mode>', 'drop later reports, or annotate every item').choices(['drop', 'annotate']).default('drop'))
    .addOption(new Option('--state <file>', 'remember stories across runs in this file').conflicts('redis'))
    .option('--redis <url>', 'decide against the service index in Redis instead of an in-process one')
    .option('--prefix <prefix>', 'Redis key prefix (with --redis; $SAMESTORY_PREFIX when set)', process.env.SAMESTORY_PREFIX ?? 'samestory')
    .option('--config <json|file>', 'engine settings as inline JSON or a JSON file (see src/engine/config.ts)')
    .option('--max-entries <n>', 'in-process index: forget the oldest articles beyond this many', '20000')
    .option('--max-age-days <days>', 'in-process index: forget articles older than this (default: twice the engine window)')
    .option('--min-similarity <s>', 'a later report joined by TF-IDF below this cosine (0-1) is kept as a first report: fewer wrong drops, more repeats', '0')
    .option('--feed-link <url>', "link of a converted RSS channel (id of a converted Atom feed); default: the input feed's own, else the origin all item links share")
    .option('--summary', 'end with one line on stderr counting items read, dropped (or marked) and written (default: only when stderr is a terminal)')
    .option('--no-summary', 'no summary line, also at a terminal')
    .addHelpText(
      'after',
      `
The input format is detected from its first bytes (XML: RSS 2.0 <rss> or Atom 1.0 <feed>; JSON
Lines: one item object per line), and the encoding from the BOM or the XML declaration.
drop keeps the first item of each story; annotate keeps all items and adds samestory:cluster,
duplicateOf, similarity, decidedBy and status (namespace https://samestory.dev/ns/1.0; JSON Lines: a
"samestory" field). With --state, items already seen in an earlier run are never emitted again.
A bad item is reported on stderr (naming its position and id) and skipped. At a terminal (or with
--summary) the run ends with one line on stderr, e.g. "samestory dedup: 11 items read, 4 repeats
dropped, 7 written"; in pipelines and cron it stays quiet. See docs/feeds.md.
Exit codes: 0 ok, 1 unusable input/arguments or a failure, 2 some items were skipped.`,
    )
    .action(async (input: string, options: DedupCommandOptions) => {
      await dedupCommand(input, options);
    });
}

async function dedupCommand(input: string, options: DedupCommandOptions): Promise<void> {
  // The input defaults to stdin: typed at a terminal with no file, it would wait on the keyboard
  // without a word.
  if (input === '-' && process.stdin.isTTY) {
    throw new Error('no input: stdin is a terminal; give a feed file (samestory dedup feed.xml) or pipe a feed in (curl -s URL | samestory dedup)');
  }
  exitQuietlyWhenStdoutCloses();
  const engine = new Engine(options.config === undefined ? {} : parseEngineConfigOption(options.config));
  const maxEntries = positiveNumber('--max-entries', options.maxEntries);
  const minSimilarity = Number(options.minSimilarity);
  if (!(minSimilarity >= 0 && minSimilarity <= 1)) throw new Error(`--min-similarity: expected a number from 0 to 1, got ${JSON.stringify(options.minSimilarity)}`);
  if (options.feedLink !== undefined && !(URL.canParse(options.feedLink) && /^https?:\/\//i.test(options.feedLink))) {
    throw new Error(`--feed-link: expected an absolute http(s) URL, got ${JSON.stringify(options.feedLink)}`);
  }
  const maxAgeMs =
    options.maxAgeDays === undefined ? 2 * engine.config.windowMs : positiveNumber('--max-age-days', options.maxAgeDays) * 86_400_000;

  let index: Index;
  let memory: MemoryIndex | null = null;
  if (options.redis !== undefined) {
    index = await connectRedis(options.redis, options.prefix);
  } else {
    memory = options.state === undefined ? new MemoryIndex() : await loadState(options.state, engine.config);
    index = memory;
  }

  // The in-process index is bounded: articles far older than the newest one seen, and the oldest
  // beyond --max-entries, are forgotten (checked every 1,000 items, so the cost is amortised). Never
  // an item of this run by age, though: it is still in the feed, and forgotten it would be written
  // again on the next run (a stale feed with one undated or future-dated item did exactly that).
  let newest = -Infinity;
  let oldest = Infinity;
  let sincePrune = 0;
  const prune = () => memory?.prune(Math.min(newest - maxAgeMs, oldest), maxEntries);
  const stream = input === '-' ? process.stdin : createReadStream(input);
  // SIGINT / SIGTERM (Ctrl-C, `timeout`, a container stop) end the run at the next item: the
  // output is closed and the state saved for exactly what was written, then the usual 128+n exit.
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => interrupt.abort(signal);
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.once(signal, onSignal);
  try {
    const summary = await dedupFeed(stream, process.stdout, {
      engine,
      index,
      mode: options.mode,
      minSimilarity,
      format: options.format,
      feedLink: options.feedLink,
      report: (message) => process.stderr.write(`samestory: ${message}\n`),
      signal: interrupt.signal,
      afterItem(article) {
        const time = article.publishedAt === undefined ? Date.now() : Date.parse(article.publishedAt);
        newest = Math.max(newest, time);
        oldest = Math.min(oldest, time);
        if (++sincePrune >= 1000) {
          sincePrune = 0;
          prune();
        }
      },
    });
    // At a terminal a run ends with what it did (a run that drops everything otherwise says
    // nothing); pipelines and cron stay quiet unless --summary asks.
    const showSummary = options.summary ?? process.stderr.isTTY === true;
    if (summary.interrupted) {
      const signal = interrupt.signal.reason as NodeJS.Signals;
      process.stderr.write(`samestory: ${signal}: stopped after ${summary.items} item(s), ${summary.emitted} written\n`);
      process.exitCode = 128 + (signal === 'SIGINT' ? 2 : 15);
    } else if (summary.skipped > 0) {
      // The summary line counts the skipped items too.
      if (!showSummary) process.stderr.write(`samestory: ${summary.skipped} item(s) skipped, ${summary.emitted} of ${summary.items} written\n`);
      process.exitCode = 2;
    }
    if (showSummary) process.stderr.write(`${summaryLine(summary, options.mode)}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') throw new Error(`cannot read ${input}: ${code}`, { cause: error });
    throw error;
  } finally {
    // Save even after a failure part-way: the items already written must stay remembered.
    if (memory && options.state !== undefined) {
      prune();
      await saveState(options.state, memory, engine.config);
      if (interrupt.signal.aborted) process.stderr.write(`samestory: state saved to ${options.state}\n`);
    }
    await index.close();
    for (const signal of signals) process.off(signal, onSignal);
    // A read still pending on an idle pipe would keep the process alive after an interrupt.
    if (interrupt.signal.aborted) stream.destroy();
  }
}

/**
 * One line saying what a run did, e.g. `samestory dedup: 11 items read, 4 repeats dropped, 7 written`
 * (annotate: `4 marked repeat`); items already seen and skipped items are named when there are any.
 */
export function summaryLine(summary: DedupSummary, mode: DedupMode): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const drop = mode === 'drop';
  const parts = [
    `${count(summary.items, 'item')} read`,
    drop ? `${count(summary.repeats, 'repeat')} dropped` : `${summary.repeats} marked repeat`,
    ...(summary.seen > 0 ? [drop ? `${summary.seen} already seen dropped` : `${summary.seen} marked seen`] : []),
    ...(summary.skipped > 0 ? [`${summary.skipped} skipped`] : []),
    `${summary.emitted} written`,
  ];
  return `samestory dedup: ${parts.join(', ')}`;
}

/** The service's Redis index, loaded only when asked for (the embedded path never loads ioredis). */
async function connectRedis(url: string, prefix: string): Promise<Index> {
  const { connectRedisIndex } = await import('../storage/redis-index.js');
  return connectRedisIndex(url, { prefix });
}

function positiveNumber(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: expected a positive number, got ${JSON.stringify(value)}`);
  return n;
}
