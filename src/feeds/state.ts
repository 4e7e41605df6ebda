import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { EngineConfig } from '../engine/config.js';
import { MemoryIndex, type MemoryIndexSnapshot } from '../engine/memory-index.js';
import { SIGNATURE_FAMILY } from '../engine/minhash.js';

/**
 * The `--state FILE` of `samestory dedup`: the embedded index saved between runs, so a cron job
 * over overlapping feeds never emits a story twice. Written atomically (temporary file, fsync,
 * rename: write-file-atomic), so a crash mid-write leaves the previous state whole.
 */
export interface DedupState {
  samestory: 'dedup-state';
  version: 1;
  savedAt: string;
  /** Settings the stored signatures depend on: a state is only valid with the same ones. */
  config: Pick<EngineConfig, 'numPerm' | 'seed' | 'shingleSize'> & { signatureFamily: string };
  index: MemoryIndexSnapshot;
}

export class StateError extends Error {
  override name = 'StateError';
}

/**
 * Loads the index saved in `path`; a missing file means a first run (an empty index). The file's
 * directory must take a new file (the atomic save writes one beside it), checked now by writing
 * one rather than after the whole feed went out unremembered. Asking for write permission is not
 * enough: root is granted it on /sys or /proc, where no file can be created.
 */
export async function loadState(path: string, config: EngineConfig): Promise<MemoryIndex> {
  const dir = dirname(resolve(path));
  const probe = join(dir, `.samestory-probe-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
    await rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StateError(`cannot write state file ${path}: its directory ${dir} is not writable (${code})`, { cause: error });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new MemoryIndex();
    throw new StateError(`cannot read state file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const corrupt = (why: string) =>
    new StateError(`state file ${path} is corrupt (${why}); move it away to start with an empty state`);
  let state: DedupState;
  try {
    state = JSON.parse(text) as DedupState;
  } catch (error) {
    throw corrupt(`not valid JSON: ${(error as Error).message}`);
  }
  const why = shapeProblem(state);
  if (why) throw corrupt(why);
  // Written before the family was recorded (or by another one): its signatures would silently
  // match nothing, so near-duplicates of remembered items would pass as new reports.
  if (state.config.signatureFamily !== SIGNATURE_FAMILY) {
    throw new StateError(
      `state file ${path} holds MinHash signatures of another kind (${state.config.signatureFamily ?? 'an earlier samestory version'}; this one uses ${SIGNATURE_FAMILY}): start a new state file`,
    );
  }
  for (const key of ['numPerm', 'seed', 'shingleSize'] as const) {
    if (state.config[key] !== config[key]) {
      throw new StateError(
        `state file ${path} was written with ${key}=${state.config[key]} but this run uses ${config[key]}: use the same --config or a new state file`,
      );
    }
  }
  try {
    return MemoryIndex.fromSnapshot(state.index);
  } catch (error) {
    throw corrupt((error as Error).message);
  }
}

export async function saveState(path: string, index: MemoryIndex, config: EngineConfig): Promise<void> {
  const state: DedupState = {
    samestory: 'dedup-state',
    version: 1,
    savedAt: new Date().toISOString(),
    config: { numPerm: config.numPerm, seed: config.seed, shingleSize: config.shingleSize, signatureFamily: SIGNATURE_FAMILY },
    index: index.toSnapshot(),
  };
  await writeFileAtomic(path, JSON.stringify(state), { fsync: true });
}

/** What is wrong with a parsed state file's shape, or null. Checks what a rebuild relies on. */
function shapeProblem(s: DedupState): string | null {
  if (typeof s !== 'object' || s === null || s.samestory !== 'dedup-state') return 'not a samestory dedup state file';
  if (s.version !== 1 || s.index?.version !== 1) return `unsupported version ${String(s.version)}`;
  if (typeof s.config !== 'object' || s.config === null) return 'no config';
  if (!Number.isInteger(s.index.seq) || !Array.isArray(s.index.articles) || !Array.isArray(s.index.clusters)) {
    return 'index is incomplete';
  }
  const badArticle = s.index.articles.findIndex(
    (a) =>
      typeof a?.id !== 'string' ||
      typeof a.clusterId !== 'string' ||
      typeof a.signature !== 'string' ||
      typeof a.source !== 'string' ||
      typeof a.time !== 'number' ||
      ![a.bandKeys, a.dfTerms, a.sentenceKeys, a.vector?.terms, a.vector?.weights].every(Array.isArray),
  );
  if (badArticle >= 0) return `article ${badArticle} is malformed`;
  const badCluster = s.index.clusters.findIndex(
    (c) => typeof c?.id !== 'string' || !Array.isArray(c.postedTerms) || typeof c.lastTime !== 'number',
  );
  if (badCluster >= 0) return `cluster ${badCluster} is malformed`;
  return null;
}
