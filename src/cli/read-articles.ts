import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ArticleSchema, parseArticle } from '../contracts/article.js';
import type { Article } from '../engine/types.js';

/**
 * Reads articles from files for the CLI commands:
 * - `.txt`: one article; id = file name without extension, text = the content. An optional header
 *   block of `Title:`, `Source:`, `URL:`, `Published:`, `Lang:` lines ended by a blank line sets
 *   those fields (only when every line before the first blank line is such a header).
 * - `.html` / `.htm`: one article; id = file name without extension; the engine extracts the text.
 * - `.json`: one article object or an array of them. `.jsonl`: one article object per line.
 *   Fields that are not Article fields (e.g. a dataset's `label`) are kept apart in `extra` and
 *   never reach the article.
 * - `-`: JSON Lines on stdin. Directories are walked (sorted, dot-files skipped).
 *
 * A bad file, line or article is yielded as an `error` record naming `file:line` and the field, so
 * each command decides whether to skip it or stop.
 */
export type InputRecord =
  | { kind: 'article'; article: Article; extra: Record<string, unknown>; where: string; bytes: number }
  | { kind: 'error'; message: string; where: string; bytes: number };

export const articleFileExtensions = ['.txt', '.html', '.htm', '.json', '.jsonl'] as const;

/** A path given on the command line that cannot be used at all. */
export class InputPathError extends Error {
  override name = 'InputPathError';
}

export interface ArticleFiles {
  files: string[];
  /** Sum of the file sizes (stdin counts 0): the total for a progress bar. */
  totalBytes: number;
}

/** Expands the given paths (files, directories, `-`) into article files, checking each exists. */
export async function listArticleFiles(paths: readonly string[]): Promise<ArticleFiles> {
  const files: string[] = [];
  let totalBytes = 0;
  for (const path of paths) {
    if (path === '-') {
      files.push(path);
      continue;
    }
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new InputPathError(`cannot read ${path}: ${describeFsError(error)}`);
    });
    if (info.isDirectory()) {
      const found = await walk(path);
      if (found.length === 0) {
        throw new InputPathError(`${path}: no article files (${articleFileExtensions.join(', ')}) in this directory`);
      }
      for (const file of found) {
        files.push(file.path);
        totalBytes += file.size;
      }
    } else if (isArticleFile(path)) {
      files.push(path);
      totalBytes += info.size;
    } else {
      throw new InputPathError(
        `${path}: unsupported file type (expected ${articleFileExtensions.join(', ')} or a directory)`,
      );
    }
  }
  return { files, totalBytes };
}

/** Reads every article of `files` (as listed by listArticleFiles), in order. */
export async function* readArticleFiles(files: readonly string[]): AsyncGenerator<InputRecord> {
  for (const file of files) {
    if (file === '-' || extname(file).toLowerCase() === '.jsonl') {
      yield* readJsonLines(file);
      continue;
    }
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      yield { kind: 'error', where: file, message: `cannot read: ${describeFsError(error)}`, bytes: 0 };
      continue;
    }
    const bytes = Buffer.byteLength(content);
    const ext = extname(file).toLowerCase();
    if (ext === '.json') {
      yield* fromJsonFile(file, content, bytes);
    } else {
      const id = basename(file, extname(file));
      const fields = ext === '.txt' ? textArticle(content) : { html: content };
      yield toRecord({ id, ...fields }, file, bytes);
    }
  }
}

async function* readJsonLines(file: string): AsyncGenerator<InputRecord> {
  const where = file === '-' ? 'stdin' : file;
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      const bytes = Buffer.byteLength(line) + 1;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        yield { kind: 'error', where: `${where}:${lineNo}`, message: `invalid JSON: ${messageOf(error)}`, bytes };
        continue;
      }
      yield toRecord(value, `${where}:${lineNo}`, bytes);
    }
  } catch (error) {
    yield { kind: 'error', where, message: `cannot read: ${describeFsError(error)}`, bytes: 0 };
  }
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
  // Spread the file's size over its articles so a progress bar advances evenly.
  const share = value.length === 0 ? bytes : bytes / value.length;
  for (const [i, item] of value.entries()) yield toRecord(item, `${file}[${i}]`, share);
}

const articleFields = new Set(Object.keys(ArticleSchema.properties));

function toRecord(value: unknown, where: string, bytes: number): InputRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'error', where, message: 'expected a JSON object (an article)', bytes };
  }
  const fields: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) (articleFields.has(key) ? fields : extra)[key] = v;
  try {
    return { kind: 'article', article: parseArticle(fields), extra, where, bytes };
  } catch (error) {
    return { kind: 'error', where, message: `invalid article: ${messageOf(error)}`, bytes };
  }
}

const headerKeys: Record<string, keyof Article> = {
  title: 'title',
  source: 'source',
  url: 'url',
  published: 'publishedAt',
  publishedat: 'publishedAt',
  lang: 'lang',
};

/** A .txt file's article fields: the optional header block, then the text. */
function textArticle(content: string): Partial<Article> {
  const match = /^((?:[A-Za-z]+:[^\n]*\n)+)[ \t]*\r?\n/.exec(content);
  if (match) {
    const header: Partial<Record<keyof Article, string>> = {};
    const ok = (match[1] as string).split('\n').every((line) => {
      if (line === '') return true;
      const [, key = '', value = ''] = /^([A-Za-z]+):(.*)$/.exec(line) ?? [];
      const field = headerKeys[key.toLowerCase()];
      if (field) header[field] = value.trim();
      return field !== undefined;
    });
    if (ok) return { ...header, text: content.slice(match[0].length) };
  }
  return { text: content };
}

async function walk(dir: string): Promise<{ path: string; size: number }[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new InputPathError(`cannot read ${dir}: ${describeFsError(error)}`);
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const found: { path: string; size: number }[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else if (entry.isFile() && isArticleFile(path)) found.push({ path, size: (await stat(path)).size });
  }
  return found;
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
