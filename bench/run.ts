import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench [-- SECTION...]`: runs the named benchmark sections (all when none is named),
 * prints each one's table and writes every result to bench/results/latest.json. A section is a
 * module bench/<name>.ts exporting `run(): Promise<SectionResult>`; add it to `sections` below.
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

const report: Record<string, unknown> = {
  at: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  // Timings are only comparable between runs on an otherwise idle machine: record how busy it was.
  loadAverage1m: loadavg()[0],
  sections: {},
};
for (const name of requested.length > 0 ? requested : Object.keys(sections)) {
  const section = await (sections[name] as () => Promise<{ run(): Promise<SectionResult> }>)();
  process.stdout.write(`\n## ${name}\n\n`);
  const { table, results } = await section.run();
  process.stdout.write(table);
  (report.sections as Record<string, unknown>)[name] = results;
}

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\nwrote ${out}\n`);
