import { existsSync, readFileSync } from 'node:fs';
import { hash32 } from './hash.js';

/**
 * The shipped background document-frequency model (data/background-df.tsv, built by
 * scripts/build-background.ts from SUBTLEX-US subtitle word counts): `df` out of BACKGROUND_DOCS
 * pseudo-documents per stem. Stems it lacks (names, rare words) are treated as df 0.
 */
export const BACKGROUND_DOCS = 10_000;

/**
 * The model as an open-addressing table on hash32 of the stem: per slot the hash and the df (df 0
 * marks a free slot, as a stem of df 0 is one the model lacks), side by side, and the stem. Every
 * new term is looked up, and most (numbers, names) are not in the model: a miss here reads one
 * slot, where a Map's cost ~0.9 µs in cache misses down its chain.
 */
interface Model {
  /** hash, df of each slot. */
  entries: Int32Array;
  stems: string[];
}

let model: Model | undefined;

/** The background model, loaded once (a few ms) on first use. */
function backgroundModel(): Model {
  if (!model) {
    const lines = readFileSync(modelFile(), 'utf8').split('\n');
    const slots = 2 ** Math.ceil(Math.log2(2 * lines.length + 2));
    const loaded: Model = { entries: new Int32Array(2 * slots), stems: new Array<string>(slots).fill('') };
    for (const line of lines) {
      const tab = line.indexOf('\t');
      if (tab <= 0) continue;
      const stem = line.slice(0, tab);
      const hash = hash32(stem);
      const slot = slotOf(loaded, stem, hash);
      loaded.entries[2 * slot] = hash;
      loaded.entries[2 * slot + 1] = Number(line.slice(tab + 1));
      loaded.stems[slot] = stem;
    }
    model = loaded;
  }
  return model;
}

/** The slot holding `stem` (whose hash32 is `hash`), else the free slot ending its probe run. */
function slotOf(m: Model, stem: string, hash: number): number {
  const mask = m.stems.length - 1;
  let slot = hash & mask;
  while ((m.entries[2 * slot + 1] as number) !== 0 && !(m.entries[2 * slot] === (hash | 0) && m.stems[slot] === stem)) slot = (slot + 1) & mask;
  return slot;
}

/**
 * Share of the background pseudo-documents containing `term` (0 for terms the model lacks);
 * `hash` is hash32(term), for a caller that has it.
 */
export function backgroundShare(term: string, hash = hash32(term)): number {
  const m = backgroundModel();
  return (m.entries[2 * slotOf(m, term, hash) + 1] as number) / BACKGROUND_DOCS;
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
