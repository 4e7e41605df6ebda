import { once } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import iconv from 'iconv-lite';
import type { Engine } from '../engine/engine.js';
import type { Index } from '../engine/index-store.js';
import type { Article, Assignment, AssignOutcome } from '../engine/types.js';
import { FeedError, headText, sniff, type FeedFormat } from './detect.js';
import { describeItem, itemConversion, jsonItemFields, type ItemFields } from './item.js';
import { createWriter, type Annotation, type FeedWriter, type ItemStatus, type OutputItem } from './writers.js';
import { XmlFeedReader } from './xml-reader.js';

export type DedupMode = 'drop' | 'annotate';

export interface ItemDecision {
  status: ItemStatus;
  /** Whether `drop` mode keeps the item: only the first report of a story. */
  emit: boolean;
  assignment: Assignment;
  /** The id was already decided earlier in this run (a repeated guid). */
  repeatedId: boolean;
}

/**
 * Decides one feed item: runs the engine, then names what drop mode does with it. An item whose id
 * was already indexed (e.g. by the previous cron run) is `seen` and never emitted again, also when
 * its date, link or text changed since (the index takes the new version: an update); a duplicate or
 * later report of a known story is a `repeat`, unless it joined its story by TF-IDF below
 * `minSimilarity`: a wrongly dropped item is news lost without a word, so a caller may keep the
 * doubtful joins (it is then `first`, with the cluster it joined).
 * `runStart` (ISO) tells a repeated id within this run from one remembered from an earlier run.
 */
export async function decide(
  assign: (article: Article) => Promise<AssignOutcome>,
  index: Index,
  article: Article,
  runStart: string,
  minSimilarity = 0,
): Promise<ItemDecision> {
  const previous = await index.getArticle(article.id);
  const { assignment } = await assign(article);
  const doubtful = assignment.decidedBy === 'tfidf' && assignment.similarity < minSimilarity;
  // Readers saw the item once: an edited or restamped version must not reach them again.
  const status: ItemStatus = previous !== null ? 'seen' : assignment.decidedBy === 'new' || doubtful ? 'first' : 'repeat';
  return { status, emit: status === 'first', assignment, repeatedId: previous !== null && previous.at >= runStart };
}

export function annotationOf({ assignment, status }: ItemDecision): Annotation {
  const { clusterId, duplicateOf, similarity, decidedBy } = assignment;
  return { clusterId, duplicateOf, similarity, decidedBy, status };
}

export interface DedupOptions {
  engine: Engine;
  index: Index;
  mode: DedupMode;
  /** A TF-IDF join below this similarity is not a repeat (see `decide`); default 0. */
  minSimilarity?: number;
  /** Output format; default: the input's. */
  format?: FeedFormat;
  /**
   * Link of a generated RSS channel / id of a generated Atom feed, before the input feed's own link
   * and the origin all item links share. A kept document keeps its own; JSON Lines has none.
   */
  feedLink?: string;
  /** One line for stderr (warnings and skipped items). */
  report: (message: string) => void;
  /** Called after each decided item, e.g. to prune the index. */
  afterItem?: (article: Article) => Promise<void> | void;
  now?: () => number;
  /**
   * Stops the run at the next item boundary: the item in hand is finished (decided and written),
   * nothing more is read, and the output is closed as a whole document.
   */
  signal?: AbortSignal;
}

export interface DedupSummary {
  inputFormat: FeedFormat;
  outputFormat: FeedFormat;
  items: number;
  emitted: number;
  /** Decided items that were a duplicate or later report of a known story (status `repeat`). */
  repeats: number;
  /** Decided items whose id was processed before (status `seen`). */
  seen: number;
  /** Items (or parts of the feed) that could not be used. */
  skipped: number;
  /** The run was stopped through `signal` before the input ended. */
  interrupted: boolean;
}

/**
 * Streams a feed from `input` to `output`, deciding each item as it is read and writing it (or
 * not) at once, waiting for `output` to drain. Memory does not grow with the number of items: only
 * the current item is held (plus whatever the index keeps). Throws FeedError when the input is not
 * a usable feed at all; a bad item is reported and skipped.
 */
export async function dedupFeed(input: AsyncIterable<Buffer | string>, output: Writable, options: DedupOptions): Promise<DedupSummary> {
  const now = options.now ?? Date.now;
  const runStart = new Date(now()).toISOString();
  const chunks = input[Symbol.asyncIterator]();
  // A pending read (an idle pipe) must not hold an interrupted run open: the abort ends it.
  const stopped = new Promise<IteratorResult<Buffer | string>>((resolve) => {
    if (options.signal?.aborted) resolve({ done: true, value: undefined });
    options.signal?.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true });
  });
  const nextChunk = () => Promise.race([chunks.next(), stopped]);
  const head = await readHead(nextChunk);
  if (head.length === 0) throw new FeedError(options.signal?.aborted ? 'interrupted before any input arrived' : 'the input is empty');
  const sniffed = sniff(head);
  const decoder = iconv.getDecoder(sniffed.encoding);
  async function* text(): AsyncGenerator<string> {
    yield decoder.write(head);
    for (let next = await nextChunk(); !next.done; next = await nextChunk()) yield decoder.write(toBuffer(next.value));
    if (options.signal?.aborted) return;
    const tail = decoder.end();
    if (tail) yield tail;
  }

  const summary: DedupSummary = { inputFormat: 'jsonl', outputFormat: 'jsonl', items: 0, emitted: 0, repeats: 0, seen: 0, skipped: 0, interrupted: false };
  const interrupted = () => options.signal?.aborted === true;
  // Chosen once the input format is known (for XML: at the root element).
  const out: { writer?: FeedWriter } = {};
  let encode: (text: string) => Buffer = (t) => Buffer.from(t, 'utf8');
  /** Whitespace after the last written markup: dropped with the item it indents. */
  let held = '';
  /** The origin every item link read so far shares: undefined before the first, null once they differ. */
  let sharedOrigin: string | null | undefined;
  const put = async (data: string) => {
    if (data === '') return;
    if (!output.write(encode(data))) await once(output, 'drain');
  };
  const start = async (inputFormat: FeedFormat, feed?: XmlFeedReader, root?: { prolog: string; tag: string }) => {
    summary.inputFormat = inputFormat;
    summary.outputFormat = options.format ?? inputFormat;
    const sameFormat = summary.outputFormat === inputFormat;
    if (sameFormat && inputFormat !== 'jsonl' && sniffed.encoding !== 'utf-8') {
      const encoder = iconv.getEncoder(sniffed.encoding, { addBOM: false });
      encode = (t) => encoder.write(t);
    }
    if (sameFormat && sniffed.bom.length > 0) output.write(sniffed.bom);
    if (options.feedLink !== undefined && (sameFormat || summary.outputFormat === 'jsonl')) {
      options.report(`--feed-link not used: ${summary.outputFormat === 'jsonl' ? 'JSON Lines has no feed link' : "the output keeps the input's own feed elements as read"}`);
    }
    out.writer = createWriter({
      format: summary.outputFormat,
      sameFormat,
      annotate: options.mode === 'annotate',
      feedTitle: () => feed?.feedTitle,
      feedLink: () => options.feedLink ?? feed?.feedLink ?? (sharedOrigin ? `${sharedOrigin}/` : undefined),
      warn: options.report,
      now,
    });
    await put((sameFormat && root ? root.prolog : '') + out.writer.begin(root?.tag));
  };
  const passThrough = async (text: string) => {
    if (!out.writer?.keepsText) return;
    const body = text.trimEnd();
    if (body === '') {
      held += text;
      return;
    }
    await put(held + body);
    held = text.slice(body.length);
  };
  const handleItem = async (where: string, fields: ItemFields, problems: readonly string[], item: Omit<OutputItem, 'article'>, feedLink?: string) => {
    // Items already read from the last chunk are left alone once interrupted: neither decided nor
    // written, so the saved state and the output agree.
    if (interrupted()) return;
    summary.items++;
    const name = describeItem(where, fields);
    const conversion = itemConversion(fields, problems, feedLink);
    if ('error' in conversion) {
      summary.skipped++;
      options.report(`skipped ${name}: ${conversion.error}`);
      return;
    }
    for (const warning of conversion.warnings) options.report(`${name}: ${warning}`);
    if (conversion.article.url !== undefined) {
      const origin = httpOrigin(conversion.article.url);
      sharedOrigin = sharedOrigin === undefined || sharedOrigin === origin ? origin : null;
    }
    const decision = await decide((a) => options.engine.assign(a, options.index, now()), options.index, conversion.article, runStart, options.minSimilarity);
    if (decision.status === 'repeat') summary.repeats++;
    else if (decision.status === 'seen') summary.seen++;
    if (decision.repeatedId) {
      options.report(`${name}: id already used by an earlier item of this feed; treated as the same article`);
    }
    const annotate = options.mode === 'annotate';
    if (annotate || decision.emit) {
      summary.emitted++;
      await put(held + (out.writer?.item({ ...item, article: conversion.article }, annotate ? annotationOf(decision) : undefined) ?? ''));
    }
    held = '';
    await options.afterItem?.(conversion.article);
  };

  if (sniffed.syntax === 'jsonl') {
    await start('jsonl');
    const lines = createInterface({ input: Readable.from(text()), crlfDelay: Infinity });
    let lineNo = 0;
    for await (const line of lines) {
      if (interrupted()) break;
      lineNo++;
      if (line.trim() === '') continue;
      let value: unknown;
      let fields: ItemFields;
      try {
        value = JSON.parse(line);
        fields = jsonItemFields(value);
      } catch (error) {
        summary.items++;
        summary.skipped++;
        options.report(`skipped line ${lineNo}: ${error instanceof SyntaxError ? 'invalid JSON: ' : ''}${(error as Error).message}`);
        continue;
      }
      await handleItem(`line ${lineNo}`, fields, [], { json: { value: value as Record<string, unknown>, line } });
    }
  } else {
    const reader = new XmlFeedReader();
    const handle = async (events: ReturnType<XmlFeedReader['write']>) => {
      for (const event of events) {
        if (event.kind === 'root') await start(event.format, reader, event);
        else if (event.kind === 'text') {
          await passThrough(event.text);
        } else if (event.kind === 'warning') {
          // An interrupted feed is cut short on purpose: its unfinished markup is no news.
          if (interrupted()) continue;
          if (event.skipped) summary.skipped++;
          options.report(event.message);
        } else await handleItem(`item ${event.position}`, event.fields, event.problems, { raw: event.raw }, reader.feedLink);
      }
    };
    for await (const chunk of text()) await handle(reader.write(chunk));
    // end() closes the kept document after the last written item (nothing was opened without a root).
    if (!(interrupted() && out.writer === undefined)) await handle(reader.end());
  }
  summary.interrupted = interrupted();
  await put(held + (out.writer?.finish() ?? ''));
  return summary;
}

/**
 * Reads chunks until the format and encoding can be told (see sniff): the first non-blank byte is
 * in hand, and for XML its first tag (the declaration) is complete, or 1 KB, or the end. No more:
 * a slow producer's first items are decided as soon as they arrive. Empty at an empty input.
 */
async function readHead(nextChunk: () => Promise<IteratorResult<Buffer | string>>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < 1024) {
    const next = await nextChunk();
    if (next.done) break;
    const buffer = toBuffer(next.value);
    parts.push(buffer);
    length += buffer.length;
    const start = headText(Buffer.concat(parts));
    if (start.startsWith('{') || (start.startsWith('<') && start.includes('>'))) break;
  }
  return Buffer.concat(parts);
}

/** `https://host[:port]` of an absolute http(s) URL, else null. */
function httpOrigin(url: string): string | null {
  if (!URL.canParse(url)) return null;
  const { protocol, origin } = new URL(url);
  return /^https?:$/.test(protocol) ? origin : null;
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}
