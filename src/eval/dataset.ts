import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readArticleFiles } from '../cli/read-articles.js';
import type { Article } from '../engine/types.js';

/** An article with its true story label. The label never reaches the engine. */
export interface LabelledArticle {
  article: Article;
  label: string;
  /** file:line, for messages */
  where?: string;
}

/** A labelled set that cannot be evaluated as it stands; the message names file:line and field. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/**
 * Streams a labelled JSON Lines set (`{id, text, label, title?, source?, url?, publishedAt?}` per
 * line). Only Article fields go into `article`; `label` is kept apart. Unlike `samestory cluster`,
 * the first bad line stops the run: metrics over a silently shortened set would mislead.
 */
export async function* readLabelledSet(file: string): AsyncGenerator<LabelledArticle & { bytes: number }> {
  for await (const record of readArticleFiles([file])) {
    if (record.kind === 'error') throw new DatasetError(`${record.where}: ${record.message}`);
    const label = record.extra.label;
    if ((typeof label !== 'string' || label.trim() === '') && typeof label !== 'number') {
      throw new DatasetError(`${record.where}: label: a labelled set needs a non-empty string or number label`);
    }
    yield { article: record.article, label: String(label), where: record.where, bytes: record.bytes };
  }
}

/**
 * Where the labelled sets live: `dir` if given, else $SAMESTORY_DATA, else ../shared/data beside the
 * project root (found from this module's location, so it works from src/ under tsx and from dist/).
 */
export function dataDir(dir?: string): string {
  if (dir) return resolve(dir);
  const fromEnv = process.env.SAMESTORY_DATA;
  if (fromEnv) return resolve(fromEnv);
  return resolve(projectRoot(), '..', 'shared', 'data');
}

/** Labelled set files `<dir>/<set>/<split>.jsonl` for each split, sorted by set then split order. */
export async function findLabelledSets(dir: string, splits: readonly string[]): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new DatasetError(`no labelled data at ${dir} (give --data DIR or set SAMESTORY_DATA)`);
  });
  const sets = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  const files = sets.flatMap((set) => splits.map((split) => join(dir, set, `${split}.jsonl`)));
  const found = files.filter((file) => existsSync(file));
  if (found.length === 0) {
    throw new DatasetError(`no ${splits.join('/')} splits (<set>/<split>.jsonl) under ${dir}`);
  }
  return found;
}

/** A short name for a set file: `<parent dir>/<file name without extension>`, e.g. basil-triplets/test. */
export function datasetName(file: string): string {
  return `${basename(dirname(resolve(file)))}/${basename(file, extname(file))}`;
}

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new DatasetError('cannot locate the samestory project root; give --data DIR');
    dir = parent;
  }
  return dir;
}
