import { readArticleFiles } from '../cli/read-articles.js';
import type { Article } from '../engine/types.js';

/** An article with its true story label. The label never reaches the engine. */
export interface LabelledArticle {
  article: Article;
  label: string;
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
    if (typeof label !== 'string' && typeof label !== 'number') {
      throw new DatasetError(`${record.where}: label: a labelled set needs a string or number label`);
    }
    yield { article: record.article, label: String(label), bytes: record.bytes };
  }
}
