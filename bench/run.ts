import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench [-- SECTION...]`: runs the named benchmark sections (all when none is named),
 * prints each one's table and records its results in bench/results/latest.json, replacing that
 * section's previous entry and keeping the others (sections are often run one at a time). A section
 * is a module bench/<name>.ts exporting `run(): Promise<SectionResult>`; add it to `sections` below.
 */
export interface SectionResult {
  /** Human-readable table for the terminal. */
  table: string;
  /** Everything measured, for the JSON file. */
  results: unknown;
}

const sections: Record<string, () => Promise<{ run(): Promise<SectionResult> }>> = {
  signature: () => import('./signature.js'),
  service: () => import('./service.js'),
  'redis-index': () => import('./redis-index.js'),
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in sections));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}\n`);
  process.exit(1);
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
const recorded: Record<string, unknown> = await readFile(out, 'utf8')
  .then((text) => (JSON.parse(text) as { sections?: Record<string, unknown> }).sections ?? {})
  .catch(() => ({})); // no (readable) earlier results: start afresh
for (const name of requested.length > 0 ? requested : Object.keys(sections)) {
  const section = await (sections[name] as () => Promise<{ run(): Promise<SectionResult> }>)();
  process.stdout.write(`\n## ${name}\n\n`);
  const at = new Date().toISOString();
  // Timings are only comparable between runs on an otherwise idle machine: record how busy it was.
  const loadAverage1m = loadavg()[0];
  const { table, results } = await section.run();
  process.stdout.write(table);
  recorded[name] = { at, node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage1m, results };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify({ sections: recorded }, null, 2)}\n`);
}
process.stdout.write(`\nwrote ${out}\n`);
