import type { Command } from 'commander';
import { Engine } from '../engine/engine.js';
import type { Article } from '../engine/types.js';
import { connectService } from '../queue/service.js';
import { runWorker } from '../queue/worker.js';
import { loadServiceConfig } from '../service/config.js';
import type { SubmitResult } from '../service/ports.js';
import { exitQuietlyWhenStdoutCloses } from './output.js';
import { forEachArticle, readInPublicationOrder, reportSkipped } from './each-article.js';
import { listArticleFiles } from './read-articles.js';

/** Commands that talk to the service over Redis: `samestory worker` and `samestory submit`. */
export function registerServiceCommands(program: Command): void {
  program
    .command('worker')
    .description('Run a queue worker: assigns submitted articles into the Redis index.')
    .option('--concurrency <n>', 'jobs run at once (default: $WORKER_CONCURRENCY or 4)')
    .addHelpText(
      'after',
      `
Configuration comes from the environment (REDIS_URL, SAMESTORY_PREFIX, WORKER_CONCURRENCY,
SAMESTORY_WINDOW_HOURS, LOG_LEVEL, ...; see src/service/config.ts). Logs are JSON lines (pino) on
stdout. SIGTERM/SIGINT: active jobs finish, then the worker exits; a second signal exits at once.
Run as many workers as you like, on any machines sharing the Redis: they give the same clusters as one.`,
    )
    .action(async (options: { concurrency?: string }) => {
      const config = loadServiceConfig();
      if (options.concurrency !== undefined) {
        const n = Number(options.concurrency);
        if (!Number.isInteger(n) || n < 1 || n > 256) {
          throw new Error(`--concurrency: "${options.concurrency}" must be an integer from 1 to 256`);
        }
        config.concurrency = n;
      }
      await runWorker(config);
    });

  program
    .command('submit')
    .description('Submit article files to a running service (queue on $REDIS_URL).')
    .argument('<paths...>', 'files (.txt, .html, .json, .jsonl; RSS or Atom feeds as .xml, .rss, .atom), directories (walked), or - for stdin (JSON Lines, or a feed)')
    .option('--wait', 'wait for each assignment and print it')
    .option('--timeout <ms>', 'longest wait per batch of 100 with --wait (articles not decided by then print as "queued")', '60000')
    .addHelpText(
      'after',
      `
Files are submitted in publication order (undated ones last), the order in which \`cluster\` decides
them, so the service's clusters match cluster's; stdin (-) is submitted as it arrives.
Prints one JSON line per article, as submitted: {"articleId","jobId","status"} and, with --wait, "assignment".
Re-submitting an article with the same id and content is a no-op (the existing job is reported).
A bad file, line or article is reported on stderr and skipped.
Exit codes: 0 ok, 1 unusable arguments or a failure, 2 some inputs were skipped.`,
    )
    .action(async (paths: string[], options: { wait?: boolean; timeout: string }) => {
      const timeoutMs = Number(options.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
        throw new Error(`--timeout: "${options.timeout}" must be a positive integer (ms)`);
      }
      await submitCommand(paths, { wait: options.wait === true, timeoutMs });
    });
}

const batchSize = 100;

async function submitCommand(paths: string[], options: { wait: boolean; timeoutMs: number }): Promise<void> {
  exitQuietlyWhenStdoutCloses();
  const config = loadServiceConfig();
  const input = await listArticleFiles(paths);
  const service = await connectService(config);
  let skipped: number;
  let batch: Article[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const results: SubmitResult[] = await service.submitter.submitMany(batch, options);
    batch = [];
    process.stdout.write(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  };
  const add = async (article: Article) => {
    batch.push(article);
    if (batch.length >= batchSize) await flush();
  };
  try {
    if (input.files.includes('-')) {
      // A pipeline may never end: what arrives goes on at once, in arrival order.
      skipped = await forEachArticle(input, 'submitting', add);
    } else {
      // Workers decide in submission order: submitted as `cluster` decides them, files give the
      // service the clusters `cluster` gives.
      const read = await readInPublicationOrder(input, 'reading', new Engine(), Date.now());
      skipped = read.skipped;
      for (const i of read.order) await add(read.inputs[i]!.article);
    }
    await flush();
  } finally {
    await service.close();
  }
  reportSkipped(skipped);
}
