import { combine32, fmix32, hash32 } from './hash.js';

/** The Mersenne prime 2^31 - 1: permutations are (a*x + b) mod P, folded without 64-bit integers. */
const P = 2147483647;
const TWO31 = 2147483648;
const INV_TWO31 = 1 / TWO31;

/**
 * Word shingles as 32-bit hashes (deduplicated). Each word is hashed once and a shingle's hash is
 * the chained combination of its words' hashes, so no shingle strings are built. Texts shorter than
 * a few shingles fall back to smaller shingles (down to single words) so they still get a signature.
 */
export function shingles(words: readonly string[], size: number): Uint32Array {
  const n = words.length;
  if (n === 0) return new Uint32Array(0);
  // At least ~4 shingles' worth of words per shingle length: a 12-word snippet uses 3-word shingles.
  const k = Math.max(1, Math.min(size, Math.floor(n / 4), n));
  const wordHashes = new Uint32Array(n);
  for (let i = 0; i < n; i++) wordHashes[i] = hash32(words[i] ?? '');
  const all = new Uint32Array(n - k + 1);
  for (let i = 0; i + k <= n; i++) {
    let h = k;
    for (let j = i; j < i + k; j++) h = combine32(h, wordHashes[j] ?? 0);
    all[i] = h;
  }
  // Deduplicate by sorting (typed-array sort is numeric and fast).
  all.sort();
  let m = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[m++] = all[i] ?? 0;
  return all.slice(0, m);
}

/**
 * MinHash over 32-bit shingle hashes with `numPerm` seeded universal permutations
 * h(x) = (a*x + b) mod (2^31 - 1). a is split into 15+16 bits so every intermediate stays below 2^53
 * and is exact in doubles (no 64-bit integers); the modulus is folded with the Mersenne identity
 * 2^31 = 1 (mod P).
 */
export class MinHasher {
  readonly numPerm: number;
  private readonly aHi: Float64Array;
  private readonly aLo: Float64Array;
  private readonly b: Float64Array;

  constructor(numPerm: number, seed: number) {
    if (!Number.isInteger(numPerm) || numPerm < 1) throw new RangeError('numPerm must be a positive integer');
    this.numPerm = numPerm;
    this.aHi = new Float64Array(numPerm);
    this.aLo = new Float64Array(numPerm);
    this.b = new Float64Array(numPerm);
    // A seeded counter-mode generator (no Math.random): same seed, same permutations.
    let state = fmix32(seed ^ 0x5bd1e995);
    const next = (): number => (state = fmix32(state + 0x9e3779b9)) % P;
    for (let i = 0; i < numPerm; i++) {
      const a = next() || 1;
      this.aHi[i] = Math.floor(a / 65536);
      this.aLo[i] = a % 65536;
      this.b[i] = next();
    }
  }

  /** Signature of a shingle set; an empty set gets all-maximum values (similar to nothing). */
  signature(hashes: Uint32Array): Uint32Array {
    const n = hashes.length;
    // Per shingle, x mod P and (x * 2^16) mod P, so that for a = aHi * 2^16 + aLo
    // a*x + b = aHi * (x * 2^16) + aLo * x + b (mod P) stays below 2^49: one fold per value.
    const xs = new Float64Array(n);
    const xs16 = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const x = (hashes[j] ?? 0) % P;
      xs[j] = x;
      xs16[j] = mod(x * 65536);
    }
    const sig = new Uint32Array(this.numPerm);
    for (let k = 0; k < this.numPerm; k++) {
      const ah = this.aHi[k] ?? 0;
      const al = this.aLo[k] ?? 0;
      const b = this.b[k] ?? 0;
      let min = P;
      for (let j = 0; j < n; j++) {
        const v = ah * (xs16[j] ?? 0) + al * (xs[j] ?? 0) + b; // < 2^49, exact
        const q = Math.floor(v * INV_TWO31);
        let h = v - q * TWO31 + q; // 2^31 = 1 (mod P)
        if (h >= P) h -= P;
        if (h < min) min = h;
      }
      sig[k] = min;
    }
    return sig;
  }
}

/** v mod P for 0 <= v < 2^53, by the Mersenne fold. */
function mod(v: number): number {
  const q = Math.floor(v * INV_TWO31);
  let r = v - q * TWO31 + q;
  while (r >= P) r -= P;
  return r;
}

/** Estimated Jaccard similarity: the share of equal signature positions. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i] && a[i] !== P) same++;
  return same / n;
}

/** Probability that a pair with Jaccard `s` shares at least one of `b` bands of `r` rows: 1-(1-s^r)^b. */
export function sCurve(s: number, b: number, r: number): number {
  return 1 - (1 - s ** r) ** b;
}

/** datasketch's integration grid: midpoints of 0.001 steps from `from` while x < `to` (its scipy-free `_integration`). */
function midpoints(from: number, to: number): Float64Array {
  const step = 0.001;
  const xs: number[] = [];
  for (let x = from; x < to; x += step) xs.push(x + 0.5 * step);
  return Float64Array.from(xs);
}

export interface LshParams {
  bands: number;
  rows: number;
}

/**
 * LSH bands x rows for a Jaccard threshold, as datasketch's `_optimal_param`: over every b and
 * r <= numPerm / b, minimise fpWeight * (area under the S-curve below the threshold) + fnWeight *
 * (area above the S-curve beyond it).
 */
export function lshParams(threshold: number, numPerm: number, fpWeight = 0.5, fnWeight = 0.5): LshParams {
  const key = `${threshold}/${numPerm}/${fpWeight}/${fnWeight}`;
  const cached = lshCache.get(key);
  if (cached) return cached;
  const step = 0.001;
  const below = midpoints(0, threshold);
  const above = midpoints(threshold, 1);
  // error[b][r] for every pair. For each r, (1 - s^r)^b is built up by multiplying over b, which
  // avoids ~10^6 pow calls (this runs at every process start); summation order is datasketch's.
  const error = new Map<number, number>();
  for (let r = 1; r <= numPerm; r++) {
    const qBelow = below.map((s) => 1 - s ** r);
    const qAbove = above.map((s) => 1 - s ** r);
    const pBelow = new Float64Array(below.length).fill(1);
    const pAbove = new Float64Array(above.length).fill(1);
    for (let b = 1; b * r <= numPerm; b++) {
      let fp = 0;
      for (let i = 0; i < below.length; i++) {
        pBelow[i] = (pBelow[i] ?? 0) * (qBelow[i] ?? 0);
        fp += (1 - (pBelow[i] ?? 0)) * step; // area under the S-curve below the threshold
      }
      let fn = 0;
      for (let i = 0; i < above.length; i++) {
        pAbove[i] = (pAbove[i] ?? 0) * (qAbove[i] ?? 0);
        fn += (pAbove[i] ?? 0) * step; // area above the S-curve beyond it
      }
      error.set(b * (numPerm + 1) + r, fp * fpWeight + fn * fnWeight);
    }
  }
  // datasketch's scan order (b outer, r inner, strictly smaller wins) decides ties.
  let best = { bands: 0, rows: 0 };
  let minError = Infinity;
  for (let b = 1; b <= numPerm; b++) {
    for (let r = 1; r <= Math.floor(numPerm / b); r++) {
      const e = error.get(b * (numPerm + 1) + r) ?? Infinity;
      if (e < minError) {
        minError = e;
        best = { bands: b, rows: r };
      }
    }
  }
  lshCache.set(key, best);
  return best;
}

const lshCache = new Map<string, LshParams>();

/** Band keys `${band}:${hash of the band's rows}` under which a signature is filed. */
export function bandKeys(signature: Uint32Array, params: LshParams): string[] {
  const keys: string[] = [];
  for (let band = 0; band < params.bands; band++) {
    let h = params.rows;
    for (let r = band * params.rows; r < (band + 1) * params.rows; r++) h = combine32(h, signature[r] ?? 0);
    keys.push(`${band}:${h.toString(36)}`);
  }
  return keys;
}
