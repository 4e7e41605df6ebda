import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ArticleSchema, parseArticle, yearLastDateProblem } from '../contracts/article.js';
import type { Article } from '../engine/types.js';
import iconv from 'iconv-lite';
import { FeedError, headText, sniff } from '../feeds/detect.js';
import { describeItem, itemConversion } from '../feeds/item.js';
import { XmlFeedReader, type XmlEvent } from '../feeds/xml-reader.js';

/**
 * Reads articles from files for the CLI commands:
 * - `.txt`: one article; id = file name without extension, text = the content. An optional header
 *   block of `Title:`, `Source:`, `URL:`, `Published:` (or `Date:`), `Lang:` lines ended by a blank
 *   line sets those fields; `Author:`, `Byline:` and `By:` lines are allowed in it and ignored. The
 *   block is read only when every line before the first blank line is such a header line. Its date
 *   must be ISO 8601 (YYYY-MM-DD, optionally with a time).
 * - `.html` / `.htm`: one article; id = file name without extension; the engine extracts the text.
 * - `.json`: one article object or an array of them. `.jsonl`: one article object per line.
 *   Fields that are not Article fields (e.g. a dataset's `label`) are kept apart in `extra` and
 *   never reach the article.
 * - `.xml` / `.rss` / `.atom`: an RSS 2.0 or Atom 1.0 feed; each item is an article, read as
 *   `samestory dedup` reads it (id = guid, else link; the source is the link's host).
 * - `-`: stdin, JSON Lines or (starting with "<") an RSS or Atom feed. Directories are walked
 *   (sorted, dot-files skipped).
 *
 * Files are UTF-8 (a byte-order mark is dropped; Windows line ends are fine) or UTF-16 with a
 * byte-order mark. A file with NUL bytes or bytes that are not UTF-8 is refused, as are numeric
 * dates with the year last (05/11/2026: day or month first?) in any format.
 *
 * A bad file, line or article is yielded as an `error` record naming `file:line` and the field, so
 * each command decides whether to skip it or stop.
 */
export type InputRecord =
  | { kind: 'article'; article: Article; extra: Record<string, unknown>; where: string; bytes: number; warnings?: string[] }
  | { kind: 'error'; message: string; where: string; bytes: number };

export const articleFileExtensions = ['.txt', '.html', '.htm', '.json', '.jsonl', '.xml', '.rss', '.atom'] as const;
const feedFileExtensions = new Set(['.xml', '.rss', '.atom']);

/** None of the paths given on the command line can be used. */
export class InputPathError extends Error {
  override name = 'InputPathError';
}

export interface ArticleFiles {
  files: string[];
  /** Sum of the file sizes (stdin counts 0): the total for a progress bar. */
  totalBytes: number;
  /** Paths that cannot be used (missing, unsupported type, no article files): to report and skip. */
  unusable: { path: string; message: string }[];
}

/**
 * Expands the given paths (files, directories, `-`) into article files. A path that cannot be used
 * is listed in `unusable` for the caller to report, and the others go on; only when none of them
 * can be used does it throw an InputPathError naming them all.
 */
export async function listArticleFiles(paths: readonly string[]): Promise<ArticleFiles> {
  const files: string[] = [];
  const unusable: ArticleFiles['unusable'] = [];
  let totalBytes = 0;
  for (const path of paths) {
    if (path === '-') {
      files.push(path);
      continue;
    }
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      unusable.push({ path, message: describeFsError(error) });
      continue;
    }
    if (info.isDirectory()) {
      const unreadable = unusable.length;
      const found = await walk(path, unusable);
      if (found.length === 0 && unusable.length === unreadable) {
        unusable.push({ path, message: `no article files (${articleFileExtensions.join(', ')}) in this directory` });
      }
      for (const file of found) {
        files.push(file.path);
        totalBytes += file.size;
      }
    } else if (isArticleFile(path)) {
      files.push(path);
      totalBytes += info.size;
    } else {
      const expected = `${articleFileExtensions.join(', ')} or a directory`;
      unusable.push({ path, message: `unsupported file type (expected ${expected})` });
    }
  }
  if (files.length === 0 && unusable.length > 0) {
    const named = unusable.map((u) => `${u.path}: ${u.message}`);
    throw new InputPathError(named.length === 1 ? (named[0] as string) : `no usable input:\n  ${named.join('\n  ')}`);
  }
  return { files, totalBytes, unusable };
}

/** Reads every article of `files` (as listed by listArticleFiles), in order. */
export async function* readArticleFiles(files: readonly string[]): AsyncGenerator<InputRecord> {
  for (const file of files) {
    if (file === '-') {
      yield* readStdin();
      continue;
    }
    if (extname(file).toLowerCase() === '.jsonl') {
      yield* readJsonLines(file, createReadStream(file));
      continue;
    }
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (error) {
      yield { kind: 'error', where: file, message: `cannot read: ${describeFsError(error)}`, bytes: 0 };
      continue;
    }
    const bytes = raw.length;
    if (feedFileExtensions.has(extname(file).toLowerCase())) {
      yield* readFeedFile(file, raw);
      continue;
    }
    const decoded = decodeText(raw, ['.html', '.htm'].includes(extname(file).toLowerCase()));
    if ('error' in decoded) {
      yield { kind: 'error', where: file, message: decoded.error, bytes };
      continue;
    }
    const content = decoded.text;
    const ext = extname(file).toLowerCase();
    if (content.trim() === '') {
      yield { kind: 'error', where: file, message: 'the file is empty', bytes };
    } else if (ext === '.json') {
      yield* fromJsonFile(file, content, bytes);
    } else if (ext === '.txt') {
      const { fields, dateKey } = textArticle(content);
      yield toRecord({ id: basename(file, extname(file)), ...fields }, file, bytes, dateKey);
    } else {
      yield toRecord({ id: basename(file, extname(file)), html: content }, file, bytes);
    }
  }
}

/**
 * The items of an RSS or Atom file, as articles (see itemToArticle). An item that cannot be used,
 * or a problem outside the items, is an error record naming the item; a file that is not a feed at
 * all is one error record. The file's bytes are counted once, with its first record.
 */
async function* readFeedFile(file: string, raw: Buffer): AsyncGenerator<InputRecord> {
  let bytes = raw.length;
  const counted = () => {
    const n = bytes;
    bytes = 0;
    return n;
  };
  const reader = new XmlFeedReader();
  let events: XmlEvent[];
  try {
    const sniffed = sniff(raw);
    if (sniffed.syntax !== 'xml') throw new FeedError('not an RSS 2.0 or Atom 1.0 feed (XML)');
    events = [...reader.write(iconv.decode(raw, sniffed.encoding)), ...reader.end()];
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    yield { kind: 'error', where: file, message: error.message, bytes: counted() };
    return;
  }
  let items = 0;
  for (const event of events) {
    if (event.kind === 'warning') yield { kind: 'error', where: file, message: event.message, bytes: counted() };
    if (event.kind !== 'item') continue;
    items++;
    const where = `${file} item ${event.position}`;
    const conversion = itemConversion(event.fields, event.problems, reader.feedLink);
    if ('error' in conversion) {
      yield { kind: 'error', where: describeItem(where, event.fields), message: conversion.error, bytes: counted() };
    } else {
      yield { kind: 'article', article: conversion.article, extra: {}, where, bytes: counted(), warnings: conversion.warnings };
    }
  }
  if (items === 0) yield { kind: 'error', where: file, message: 'the feed has no items', bytes: counted() };
}

/**
 * stdin: an RSS or Atom feed when its first non-blank character is "<" (read whole, then as a feed
 * file), else JSON Lines, read as they arrive.
 */
async function* readStdin(): AsyncGenerator<InputRecord> {
  const chunks = process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let first: string | undefined;
  while (first === undefined) {
    const next = await chunks.next();
    if (next.done) break;
    head.push(next.value);
    first = headText(Buffer.concat(head))[0];
  }
  const rest = { [Symbol.asyncIterator]: () => chunks };
  if (first === '<') {
    const parts = [...head];
    for await (const chunk of rest) parts.push(chunk);
    yield* readFeedFile('stdin', Buffer.concat(parts));
    return;
  }
  async function* replayed(): AsyncGenerator<Buffer> {
    yield* head;
    yield* rest;
  }
  yield* readJsonLines('-', replayed());
}

async function* readJsonLines(file: string, input: AsyncIterable<Buffer | string>): AsyncGenerator<InputRecord> {
  const where = file === '-' ? 'stdin' : file;
  let lineNo = 0;
  let nonBlank = 0;
  try {
    for await (const line of textLines(input)) {
      lineNo++;
      if ('error' in line) {
        if (line.wholeFile) {
          yield { kind: 'error', where, message: line.error, bytes: line.bytes };
          return;
        }
        nonBlank++;
        yield { kind: 'error', where: `${where}:${lineNo}`, message: line.error, bytes: line.bytes };
        continue;
      }
      if (line.text.trim() === '') continue;
      nonBlank++;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch (error) {
        const message = `invalid JSON: ${messageOf(error)}`;
        yield { kind: 'error', where: `${where}:${lineNo}`, message, bytes: line.bytes };
        continue;
      }
      yield toRecord(value, `${where}:${lineNo}`, line.bytes);
    }
  } catch (error) {
    yield { kind: 'error', where, message: `cannot read: ${describeFsError(error)}`, bytes: 0 };
    return;
  }
  // stdin may rightly be empty (a pipeline with nothing new); an empty file is a mistake.
  if (nonBlank === 0 && file !== '-') yield { kind: 'error', where, message: 'no articles in this file', bytes: 0 };
}

function* fromJsonFile(file: string, content: string, bytes: number): Generator<InputRecord> {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (error) {
    const position = /position (\d+)/.exec(messageOf(error))?.[1];
    const where = position === undefined ? file : `${file}:${lineAt(content, Number(position))}`;
    yield { kind: 'error', where, message: `invalid JSON: ${messageOf(error)}`, bytes };
    return;
  }
  if (!Array.isArray(value)) {
    yield toRecord(value, file, bytes);
    return;
  }
  if (value.length === 0) {
    yield { kind: 'error', where: file, message: 'no articles in this file (an empty array)', bytes };
    return;
  }
  // Spread the file's size over its articles so a progress bar advances evenly.
  const share = bytes / value.length;
  for (const [i, item] of value.entries()) yield toRecord(item, `${file}[${i}]`, share);
}

const articleFields = new Set(Object.keys(ArticleSchema.properties));

/**
 * An article record from parsed fields, or an error naming the field. `dateKey` is set for a .txt
 * header's date (the key as written, e.g. `Published`): it must then be ISO 8601. Any input's
 * publishedAt must not be a numeric date with the year last, which Date.parse (and so the article
 * contract) would read month first without a word.
 */
function toRecord(value: unknown, where: string, bytes: number, dateKey?: string): InputRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'error', where, message: 'expected a JSON object (an article)', bytes };
  }
  const fields: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) (articleFields.has(key) ? fields : extra)[key] = v;
  const date = fields.publishedAt;
  if (typeof date === 'string' && dateKey !== undefined) {
    const problem = isoDateProblem(date);
    if (problem) return { kind: 'error', where, message: `invalid article: ${dateKey}: ${problem}`, bytes };
  }
  try {
    return { kind: 'article', article: parseArticle(fields), extra, where, bytes };
  } catch (error) {
    return { kind: 'error', where, message: `invalid article: ${messageOf(error)}`, bytes };
  }
}

/**
 * Why a .txt header date is refused: anything but ISO 8601 YYYY-MM-DD, optionally with a time
 * (T or a space, HH:MM[:SS[.fff]], then Z or ±HH:MM, or nothing for local time). Null when fine.
 */
function isoDateProblem(date: string): string | null {
  const yearLast = yearLastDateProblem(date);
  if (yearLast) return yearLast;
  const hint = 'write YYYY-MM-DD, optionally with a time such as 2026-03-04T14:30:00Z';
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/.exec(date);
  if (!match) return `"${date}" is not an ISO 8601 date; ${hint}`;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => Number(part ?? 0));
  const calendar = new Date(Date.UTC(year as number, (month as number) - 1, day));
  const real = calendar.getUTCMonth() === (month as number) - 1 && calendar.getUTCDate() === day;
  if (!real || (hour as number) > 23 || (minute as number) > 59 || (second as number) > 59) {
    return `"${date}" is not a real date or time; ${hint}`;
  }
  return null;
}

/** Header keys of a .txt file: the Article field each sets, or null for lines read and ignored. */
const headerKeys: Record<string, keyof Article | null> = {
  title: 'title',
  source: 'source',
  url: 'url',
  published: 'publishedAt',
  publishedat: 'publishedAt',
  date: 'publishedAt',
  lang: 'lang',
  author: null,
  byline: null,
  by: null,
};

/**
 * A .txt file's article fields: the optional header block, then the text. `dateKey` is the header
 * key the date came from (`Published`, `Date`, ...), for error messages.
 */
function textArticle(content: string): { fields: Partial<Article>; dateKey?: string } {
  const header: Partial<Record<keyof Article, string>> = {};
  let dateKey: string | undefined;
  const lineEnd = /\r?\n/g;
  let start = 0;
  let lines = 0;
  for (let end = lineEnd.exec(content); end !== null; end = lineEnd.exec(content)) {
    const line = content.slice(start, end.index);
    start = end.index + end[0].length;
    if (line.trim() === '') {
      if (lines === 0) break;
      return { fields: { ...header, text: content.slice(start) }, dateKey };
    }
    const [, key = '', value = ''] = /^([A-Za-z]+):(.*)$/.exec(line) ?? [];
    const field = headerKeys[key.toLowerCase()];
    if (field === undefined) break;
    lines++;
    if (field === null) continue;
    header[field] = value.trim();
    if (field === 'publishedAt') dateKey = key;
  }
  return { fields: { text: content } };
}

/**
 * The text of a whole file: UTF-8 (without its byte-order mark) or, after a byte-order mark,
 * UTF-16; an HTML page may name another encoding in its <meta charset> (saved pages of older sites
 * are often Windows-1252). Anything with NUL bytes or bytes that are not in its encoding is not an
 * article.
 */
function decodeText(raw: Buffer, html = false): { text: string } | { error: string } {
  const encoding = utf16Encoding(raw) ?? (html ? declaredCharset(raw) : null) ?? 'utf-8';
  let text: string;
  try {
    // Node's TextDecoder reads windows-1252 as Latin-1 (0x92 became the control U+0092, not ’, and
    // was then dropped as such): single- and multi-byte legacy encodings go through iconv-lite.
    // TextDecoder drops the byte-order mark itself.
    const legacy = encoding !== 'utf-8' && !encoding.startsWith('utf-16') && iconv.encodingExists(encoding);
    text = legacy ? iconv.decode(raw, encoding) : new TextDecoder(encoding, { fatal: true }).decode(raw);
  } catch {
    if (encoding.startsWith('utf-16')) return { error: `not valid ${encoding.toUpperCase()} text (it starts with a UTF-16 byte-order mark)` };
    if (raw.includes(0)) return { error: binaryMessage };
    if (encoding !== 'utf-8') return { error: `not valid ${encoding} text, the encoding its <meta charset> names` };
    return { error: `not UTF-8 text (line ${firstBadLine(raw)}); ${otherEncodingHint}` };
  }
  if (text.includes('\u0000')) return { error: binaryMessage };
  return { text };
}

/**
 * The encoding an HTML page declares in its first 1,024 bytes (<meta charset> or http-equiv
 * Content-Type), as TextDecoder names it; null when none is declared or it is not one TextDecoder knows.
 */
function declaredCharset(raw: Buffer): string | null {
  const head = raw.subarray(0, 1024).toString('latin1');
  const label = /<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)/i.exec(head)?.[1];
  if (!label) return null;
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

const binaryMessage = 'not a text file: it contains NUL bytes (binary data, or UTF-16 without a byte-order mark?)';
const otherEncodingHint = 'if it is Latin-1 or Windows-1252, convert it first (e.g. iconv -f windows-1252 -t utf-8)';

function utf16Encoding(raw: Buffer): 'utf-16le' | 'utf-16be' | null {
  if (raw[0] === 0xff && raw[1] === 0xfe) return 'utf-16le';
  if (raw[0] === 0xfe && raw[1] === 0xff) return 'utf-16be';
  return null;
}

function firstBadLine(raw: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for (let start = 0; start < raw.length; line++) {
    const end = raw.indexOf(10, start);
    const stop = end === -1 ? raw.length : end;
    try {
      decoder.decode(raw.subarray(start, stop));
    } catch {
      return line;
    }
    start = stop + 1;
  }
  return line;
}

type TextLine = { text: string; bytes: number } | { error: string; bytes: number; wholeFile: boolean };

/**
 * The lines of a stream, decoded like decodeText: a line that is not UTF-8 is an error of its own
 * (the others are still read); NUL bytes in the first chunk, or UTF-16 that does not decode, make
 * the whole stream an error. A trailing \r is left on the line (JSON ignores it).
 */
async function* textLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<TextLine> {
  const chunks = input[Symbol.asyncIterator]();
  const next = async (): Promise<Buffer | null> => {
    const result = await chunks.next();
    if (result.done) return null;
    return typeof result.value === 'string' ? Buffer.from(result.value) : result.value;
  };
  // Enough of the start to see a byte-order mark.
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 3) {
    const more = await next();
    if (more === null) break;
    head = head.length === 0 ? more : Buffer.concat([head, more]);
  }
  const utf16 = utf16Encoding(head);
  if (utf16) {
    const decoder = new TextDecoder(utf16, { fatal: true });
    let pending = '';
    for (let chunk: Buffer | null = head; chunk !== null; chunk = await next()) {
      try {
        pending += decoder.decode(chunk, { stream: true });
      } catch {
        yield { error: `not valid ${utf16.toUpperCase()} text (it starts with a UTF-16 byte-order mark)`, bytes: 0, wholeFile: true };
        return;
      }
      const lines = pending.split('\n');
      pending = lines.pop() as string;
      for (const text of lines) yield { text, bytes: 2 * text.length + 2 };
    }
    if (pending !== '') yield { text: pending, bytes: 2 * pending.length };
    return;
  }
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const decode = (bytes: Buffer, first: boolean): TextLine => {
    const body = first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
    // A first line that is not text means a binary or otherwise encoded file, refused whole;
    // further down, only the line is refused.
    if (body.includes(0)) return { error: binaryMessage, bytes: bytes.length + 1, wholeFile: first };
    try {
      return { text: decoder.decode(body), bytes: bytes.length + 1 };
    } catch {
      const binary = first && head.includes(0);
      return { error: binary ? binaryMessage : `not UTF-8 text; ${otherEncodingHint}`, bytes: bytes.length + 1, wholeFile: first };
    }
  };
  let first = true;
  let pending = Buffer.alloc(0);
  for (let chunk: Buffer | null = head; chunk !== null; chunk = await next()) {
    const buffer = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let start = 0;
    for (let end = buffer.indexOf(10); end !== -1; end = buffer.indexOf(10, start)) {
      yield decode(buffer.subarray(start, end), first);
      first = false;
      start = end + 1;
    }
    pending = Buffer.from(buffer.subarray(start));
  }
  if (pending.length > 0) yield decode(pending, first);
}

/** Article files under `dir`; a directory or file that cannot be read goes into `unusable`. */
async function walk(dir: string, unusable: ArticleFiles['unusable']): Promise<{ path: string; size: number }[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    unusable.push({ path: dir, message: `cannot read this directory: ${describeFsError(error)}` });
    return [];
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found: { path: string; size: number }[] = [];
  const names = new Set(entries.map((e) => e.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory() && savedPageResources(entry.name, names)) continue;
    if (entry.isDirectory()) {
      found.push(...(await walk(path, unusable)));
    } else if (entry.isFile() && isArticleFile(path)) {
      try {
        found.push({ path, size: (await stat(path)).size });
      } catch (error) {
        unusable.push({ path, message: describeFsError(error) });
      }
    }
  }
  return found;
}

/**
 * A browser's "Save page as, complete" puts a page's images, scripts and frames in a folder beside
 * it ("Story.html" and "Story_files"): its .html files are ads and widgets, not articles.
 */
function savedPageResources(dirName: string, siblings: ReadonlySet<string>): boolean {
  const match = /^(.+)_files$/.exec(dirName);
  return match !== null && ['.html', '.htm'].some((ext) => siblings.has(`${match[1]}${ext}`));
}

function isArticleFile(path: string): boolean {
  return (articleFileExtensions as readonly string[]).includes(extname(path).toLowerCase());
}

function lineAt(content: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < content.length; i++) if (content.charCodeAt(i) === 10) line++;
  return line;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
