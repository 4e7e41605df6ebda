import { Command, Option } from 'commander';
import { Engine } from '../engine/engine.js';
import type { Index } from '../engine/index-store.js';
import { MemoryIndex } from '../engine/memory-index.js';
import type { Article, DecidedBy } from '../engine/types.js';
import { dataDir, datasetName, findLabelledSets, readLabelledSet } from '../eval/dataset.js';
import { evaluate, type Evaluation } from '../eval/evaluate.js';
import { parseEngineConfigOption } from './engine-config.js';
import { exitQuietlyWhenStdoutCloses } from './output.js';
import { startProgress } from './progress.js';
import { plural, readInPublicationOrder, reportSkipped } from './each-article.js';
import { listArticleFiles } from './read-articles.js';
import { formatTable } from './table.js';

/** Commands that run the engine in-process: `samestory cluster` and `samestory eval`. */
export function registerEmbeddedCommands(program: Command): void {
  program
    .command('cluster')
    .description('Group article files into stories, in-process (no Redis needed).')
    .argument('<paths...>', 'files (.txt, .html, .json, .jsonl; RSS or Atom feeds as .xml, .rss, .atom), directories (walked), or - for stdin (JSON Lines, or a feed)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'jsonl']).default('table'))
    .option('--config <json|file>', 'engine settings as inline JSON or a JSON file (see src/engine/config.ts)')
    .option('--redis <url>', "decide against the service's index in Redis instead of an in-process one")
    .option('--prefix <prefix>', 'Redis key prefix (with --redis; default $SAMESTORY_PREFIX or samestory)', process.env.SAMESTORY_PREFIX ?? 'samestory')
    .addHelpText(
      'after',
      `
A .txt file may start with header lines (Title:, Source:, URL:, Published: or Date:, Lang:; Author:,
Byline: and By: are allowed and ignored) ended by a blank line; dates are ISO 8601 (2026-03-04 or
2026-03-04T14:30:00Z). Files are UTF-8 (a BOM and Windows line ends are fine) or UTF-16 with a BOM.
Extra fields in JSON input (e.g. "label") are ignored. Each item of an RSS or Atom feed is an article
(id: guid or entry id, else link), read as \`samestory dedup\` reads it. Two inputs with one id are one
article: the later replaces the earlier (stderr says so). An article without a date is placed at the
current time (stderr says how many when others have a date); articles further apart than the
engine's time window never share a cluster.

Articles are decided in publication order (undated ones last), so the first report of a story is the
earliest whatever the files are called; output keeps the input order. jsonl output has one line per
article: id, clusterId and clusterSize as they stand after the whole input (merges included), and
duplicateOf, similarity and decidedBy as decided when the article's turn came.

A missing path, an unsupported file type, a directory without article files, a bad file, line or
article is reported on stderr and skipped; the exit code is then 2.
Exit codes: 0 ok, 1 no usable path, bad arguments or a failure, 2 some inputs were skipped.`,
    )
    .action(async (paths: string[], options: ClusterOptions) => {
      await clusterCommand(paths, options);
    });

  program
    .command('eval')
    .description('Score the engine on labelled JSON Lines sets (B-cubed, NMI, pairwise, speed).')
    .argument('[datasets...]', 'labelled .jsonl files; none means every split under the data directory')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--all', 'run every <set>/<split>.jsonl under the data directory (the default without datasets)')
    .option('--split <names>', 'comma-separated splits for --all, e.g. dev,test', 'test')
    .option('--data <dir>', 'data directory for --all (default: $SAMESTORY_DATA or ../shared/data beside the project)')
    .option('--config <json|file>', 'engine settings as inline JSON or a JSON file')
    .addHelpText(
      'after',
      `
Each line of a set is an article plus "label" (same label = same story); the label never reaches the
engine. Articles are assigned in publication order, as \`cluster\` decides them (by date, undated ones
last; a set without dates in file order), over a fresh in-memory index; scores use the final
clusters. NMI uses arithmetic-mean normalisation. articles/s counts time inside the engine only.
--format json prints one JSON object per set. A bad line stops the run (exit 1), naming file:line.`,
    )
    .action(async (datasets: string[], options: EvalOptions) => {
      await evalCommand(datasets, options);
    });
}

interface ClusterRow {
  article: Article;
  duplicateOf: string | null;
  similarity: number;
  decidedBy: DecidedBy;
}

interface ClusterOptions {
  format: 'table' | 'jsonl';
  config?: string;
  redis?: string;
  prefix: string;
}

async function clusterCommand(paths: string[], options: ClusterOptions) {
  exitQuietlyWhenStdoutCloses();
  const config = options.config === undefined ? {} : parseEngineConfigOption(options.config);
  const input = await listArticleFiles(paths);
  const engine = new Engine(config);
  const index = options.redis === undefined ? new MemoryIndex() : await connectRedis(options.redis, options.prefix);
  const rows: ClusterRow[] = [];
  const firstSeen = new Map<string, string>();
  let skipped: number;
  let final: FinalRow[];
  try {
    const read = await readInPublicationOrder(input, 'reading', engine, Date.now());
    const { inputs, order } = read;
    skipped = read.skipped;
    for (const i of order) {
      const { article, where, text } = inputs[i]!;
      // Same id = same article (an update): two files or feed items sharing one would otherwise
      // leave only the later in the clusters, without a word.
      const earlier = firstSeen.get(article.id);
      if (earlier === undefined) firstSeen.set(article.id, where);
      else process.stderr.write(`samestory: ${where}: id ${JSON.stringify(article.id)} was already used by ${earlier}; this one replaces it (an update)\n`);
      const { assignment } = await engine.assign(article, index, Date.now(), text);
      const { duplicateOf, similarity, decidedBy } = assignment;
      rows[i] = { article, duplicateOf, similarity, decidedBy };
    }
    final = await finalRows(index, rows);
  } finally {
    await index.close();
  }

  if (options.format === 'jsonl') {
    for (const r of final) {
      const { duplicateOf, similarity, decidedBy, clusterId, clusterSize } = r;
      process.stdout.write(
        `${JSON.stringify({ id: r.article.id, clusterId, duplicateOf, similarity, decidedBy, clusterSize })}\n`,
      );
    }
  } else {
    process.stdout.write(clusterTable(final));
  }
  // Dates come from the article or, for an HTML page, from its markup: the index knows which had one.
  const undatedTimes = final.flatMap((r) => (r.undatedTime === undefined ? [] : [r.undatedTime]));
  const undated = undatedTimes.length;
  if (undated > 0 && undated < rows.length) {
    const at = new Date(Math.min(...undatedTimes)).toISOString().replace(/\.\d+Z$/, 'Z');
    const [have, they] = undated === 1 ? ['has', 'it was'] : ['have', 'they were'];
    process.stderr.write(
      `samestory: ${undated} of ${rows.length} articles ${have} no date (no Published: header, publishedAt or date in the page's markup); ` +
        `${they} placed at the current time, ${at}, so ${undated === 1 ? 'it' : 'they'} cannot join dated ` +
        `articles more than ${duration(engine.config.windowMs)} from that time\n`,
    );
  }
  reportSkipped(skipped);
}

/** A time window in words: "7 days", "36 hours", "90 minutes". */
function duration(ms: number): string {
  const units: [string, number][] = [['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000]];
  for (const [unit, size] of units) {
    const n = ms / size;
    if (Number.isInteger(n)) return `${n} ${unit}${n === 1 ? '' : 's'}`;
  }
  return `${ms / 3_600_000} hours`;
}

/** The service's Redis index, loaded only when asked for (the embedded path never loads ioredis). */
async function connectRedis(url: string, prefix: string): Promise<Index> {
  const { connectRedisIndex } = await import('../storage/redis-index.js');
  return connectRedisIndex(url, { prefix });
}

type FinalRow = ClusterRow & {
  clusterId: string;
  clusterSize: number;
  title?: string;
  /** For an article without a date: the time it was placed at (when it was indexed). */
  undatedTime?: number;
};

/** Rows with their final cluster and its size: a later article may have merged earlier clusters. */
async function finalRows(index: Index, rows: readonly ClusterRow[]): Promise<FinalRow[]> {
  const stored = new Map((await index.getArticles(rows.map((r) => r.article.id))).map((a) => [a.id, a]));
  const clusterIds = [...new Set([...stored.values()].map((a) => a.clusterId))];
  const sizes = new Map((await index.getClusters(clusterIds)).map((c) => [c.id, c.size]));
  return rows.map((row) => {
    const article = stored.get(row.article.id);
    const clusterId = article?.clusterId ?? '';
    const undated = article?.publishedAt === null ? { undatedTime: article.time } : {};
    return { ...row, clusterId, clusterSize: sizes.get(clusterId) ?? 0, title: article?.title ?? row.article.title, ...undated };
  });
}

/** Stories with several articles first (in order of first appearance), then the articles alone. */
function clusterTable(rows: readonly FinalRow[]): string {
  const groups = new Map<string, FinalRow[]>();
  for (const row of rows) {
    const group = groups.get(row.clusterId);
    if (group) group.push(row);
    else groups.set(row.clusterId, [row]);
  }
  const multi = [...groups.values()].filter((g) => g.length > 1);
  const alone = [...groups.values()].filter((g) => g.length === 1).flat();
  const out = [`${plural(rows.length, 'article')} in ${plural(groups.size, 'cluster')} (${multi.length} with more than one article)\n`];
  for (const group of multi) {
    const first = group[0] as FinalRow;
    out.push(`\n${first.clusterId}: ${group.length} articles\n`);
    out.push(
      indent(
        formatTable(
          ['id', 'decided', 'similarity', 'duplicate of', 'title'],
          group.map((r) => [r.article.id, r.decidedBy, r.similarity.toFixed(3), r.duplicateOf ?? '', headline(r)]),
          [false, false, true],
        ),
      ),
    );
  }
  if (alone.length > 0) {
    out.push(`\nalone (${alone.length}):\n`);
    out.push(indent(formatTable(['id', 'cluster', 'title'], alone.map((r) => [r.article.id, r.clusterId, headline(r)]))));
  }
  return out.join('');
}

function headline(row: FinalRow): string {
  const text = row.title ?? row.article.text ?? '';
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 70 ? `${oneLine.slice(0, 69)}…` : oneLine;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, '  ');
}

interface EvalOptions {
  format: 'table' | 'json';
  all?: boolean;
  split: string;
  data?: string;
  config?: string;
}

async function evalCommand(datasets: string[], options: EvalOptions) {
  exitQuietlyWhenStdoutCloses();
  const config = options.config === undefined ? {} : parseEngineConfigOption(options.config);
  const splits = options.split.split(',').map((s) => s.trim()).filter(Boolean);
  const files = [...datasets];
  if (options.all || datasets.length === 0) files.push(...(await findLabelledSets(dataDir(options.data), splits)));

  const rows: (Evaluation & { dataset: string })[] = [];
  for (const file of files) {
    const dataset = datasetName(file);
    const { totalBytes } = await listArticleFiles([file]);
    const progress = startProgress(dataset, totalBytes);
    let evaluation: Evaluation;
    try {
      evaluation = await evaluate(readLabelledSet(file), {
        config,
        onAssigned: (item) => progress.advance(item.bytes),
      });
    } finally {
      progress.stop();
    }
    if (options.format === 'json') {
      process.stdout.write(`${JSON.stringify({ dataset, file, ...evaluation })}\n`);
    }
    rows.push({ dataset, ...evaluation });
  }
  if (options.format === 'table') process.stdout.write(evalTable(rows));
}

function evalTable(rows: readonly (Evaluation & { dataset: string })[]): string {
  const f = (x: number) => x.toFixed(3);
  return formatTable(
    ['dataset', 'articles', 'clusters/true', 'B3 P', 'B3 R', 'B3 F1', 'NMI', 'pair P', 'pair R', 'pair F1', 'dup P (links)', 'articles/s'],
    rows.map((r) => [
      r.dataset,
      String(r.articles),
      `${r.clusters}/${r.trueClusters}`,
      f(r.bcubed.precision),
      f(r.bcubed.recall),
      f(r.bcubed.f1),
      f(r.nmi),
      f(r.pairwise.precision),
      f(r.pairwise.recall),
      f(r.pairwise.f1),
      `${r.duplicates.precision === null ? '-' : f(r.duplicates.precision)} (${r.duplicates.count})`,
      r.articlesPerSecond.toFixed(0),
    ]),
    [false, true, true, true, true, true, true, true, true, true, true, true],
  );
}
