import { publicationTime, type ArticleText, type Engine } from '../engine/engine.js';
import type { Article } from '../engine/types.js';
import { startProgress } from './progress.js';
import { readArticleFiles, type ArticleFiles } from './read-articles.js';

/**
 * Hands every valid article of `input` to `onArticle`, in order, under a progress bar. A path that
 * could not be used (listed in `input.unusable`), a bad file or a bad line is named on stderr and
 * skipped; returns how many were skipped.
 */
export async function forEachArticle(
  input: ArticleFiles,
  label: string,
  onArticle: (article: Article, where: string) => Promise<void>,
): Promise<number> {
  let skipped = 0;
  for (const { path, message } of input.unusable) {
    skipped++;
    process.stderr.write(`samestory: skipped ${path}: ${message}\n`);
  }
  const progress = startProgress(label, input.totalBytes);
  try {
    for await (const record of readArticleFiles(input.files)) {
      progress.advance(record.bytes);
      if (record.kind === 'error') {
        skipped++;
        process.stderr.write(`samestory: skipped ${record.where}: ${record.message}\n`);
        continue;
      }
      for (const warning of record.warnings ?? []) process.stderr.write(`samestory: ${record.where}: ${warning}\n`);
      await onArticle(record.article, record.where);
    }
  } finally {
    progress.stop();
  }
  return skipped;
}

export interface ReadArticle {
  article: Article;
  /** file or file:line, for messages */
  where: string;
  /** The engine's extraction of it (an HTML page's own date is in `text.page`). */
  text: ArticleText;
  /** Publication time (epoch ms): the article's date, else its page's, else `now`. */
  time: number;
}

/**
 * Reads (and extracts) every valid article of `input` first, as forEachArticle hands them over, and
 * orders them by publication: the first report of a story is then decided first, whatever the files
 * are called, as in a live stream. An undated article is placed at `now`, after the dated ones.
 * `inputs` keeps the input order; `order` lists their positions in publication order.
 */
export async function readInPublicationOrder(
  input: ArticleFiles,
  label: string,
  engine: Engine,
  now: number,
): Promise<{ inputs: ReadArticle[]; order: number[]; skipped: number }> {
  const inputs: ReadArticle[] = [];
  const skipped = await forEachArticle(input, label, async (article, where) => {
    const text = engine.text(article);
    inputs.push({ article, where, text, time: publicationTime(article, text.page) ?? now });
  });
  const order = [...inputs.keys()].sort((a, b) => inputs[a]!.time - inputs[b]!.time || a - b);
  return { inputs, order, skipped };
}

/** Ends with exit code 2 and a count when some inputs were skipped (the rest went through). */
export function reportSkipped(skipped: number): void {
  if (skipped === 0) return;
  process.stderr.write(`samestory: ${plural(skipped, 'input')} skipped\n`);
  process.exitCode = 2;
}

/** "1 article", "3 articles". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
