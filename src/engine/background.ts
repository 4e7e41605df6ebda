import { existsSync, readFileSync } from 'node:fs';

/**
 * The shipped background document-frequency model (data/background-df.tsv, built by
 * scripts/build-background.ts from SUBTLEX-US subtitle word counts): `df` out of BACKGROUND_DOCS
 * pseudo-documents per stem. Stems it lacks (names, rare words) are treated as df 0.
 */
export const BACKGROUND_DOCS = 10_000;

let model: Map<string, number> | undefined;

/** The background df per stem, loaded once (a few ms) on first use. */
export function backgroundDf(): ReadonlyMap<string, number> {
  if (!model) {
    model = new Map();
    const text = readFileSync(modelFile(), 'utf8');
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) model.set(line.slice(0, tab), Number(line.slice(tab + 1)));
    }
  }
  return model;
}

/** Share of the background pseudo-documents containing `term` (0 for terms the model lacks). */
export function backgroundShare(term: string): number {
  return (backgroundDf().get(term) ?? 0) / BACKGROUND_DOCS;
}

/** data/ sits at the package root: two levels above src/engine, three above dist/src/engine. */
function modelFile(): URL {
  const candidates = ['../../data/background-df.tsv', '../../../data/background-df.tsv'].map(
    (rel) => new URL(rel, import.meta.url),
  );
  const found = candidates.find((url) => existsSync(url));
  if (!found) throw new Error('samestory: data/background-df.tsv is missing from the package');
  return found;
}
