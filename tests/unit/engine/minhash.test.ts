import { describe, expect, it } from 'vitest';
import { fmix32, hash32 } from '../../../src/engine/hash.js';
import { Engine } from '../../../src/engine/engine.js';
import { bandKeys, estimateJaccard, lshParams, MinHasher, sCurve, shingles } from '../../../src/engine/minhash.js';
import { seededRandom } from '../../shared/seeded-random.js';


/** Two sets of 32-bit values with exact Jaccard `shared / (shared + 2 * own)`. */
function pair(random: () => number, shared: number, own: number): [Uint32Array, Uint32Array, number] {
  const values = new Set<number>();
  while (values.size < shared + 2 * own) values.add(Math.floor(random() * 2 ** 32));
  const all = [...values];
  const common = all.slice(0, shared);
  const a = Uint32Array.from([...common, ...all.slice(shared, shared + own)]);
  const b = Uint32Array.from([...common, ...all.slice(shared + own)]);
  return [a, b, shared / (shared + 2 * own)];
}

/** Signature values of a fixed set under seed 1: a change of permutation family must show here. */
const PINNED = [3882209363, 3289630944, 3273338354, 2926255526];

describe('MinHash', () => {
  it('estimates Jaccard within 3 standard errors of the exact value', () => {
    const random = seededRandom(42);
    const hasher = new MinHasher(128, 7);
    let outside = 0;
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const shared = 20 + Math.floor(random() * 300);
      const own = Math.floor(random() * 200);
      const [a, b, exact] = pair(random, shared, own);
      const estimate = estimateJaccard(hasher.signature(a), hasher.signature(b));
      const se = Math.sqrt((exact * (1 - exact)) / 128);
      if (Math.abs(estimate - exact) > 3 * se + 1e-9) outside++;
    }
    // 3 sigma: about 0.3% of estimates fall outside; allow one in 60.
    expect(outside).toBeLessThanOrEqual(1);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const set = Uint32Array.from([1, 2, 3, 99, 12345, 4294967295]);
    expect(new MinHasher(64, 3).signature(set)).toEqual(new MinHasher(64, 3).signature(set));
    expect(new MinHasher(64, 3).signature(set)).not.toEqual(new MinHasher(64, 4).signature(set));
  });

  it('gives identical sets an estimate of 1 and an empty set similarity to nothing', () => {
    const hasher = new MinHasher(128, 1);
    const set = Uint32Array.from([5, 6, 7]);
    expect(estimateJaccard(hasher.signature(set), hasher.signature(set))).toBe(1);
    const empty = hasher.signature(new Uint32Array(0));
    expect(estimateJaccard(empty, empty)).toBe(0);
  });

  it('has estimation errors of the binomial size and no bias over many pairs (independent permutations)', () => {
    // Correlated permutations would widen the spread of (estimate - exact) beyond sqrt(J(1-J)/k),
    // a biased family would shift its mean: over 400 pairs both are pinned to within ~4 standard errors.
    const random = seededRandom(2024);
    const hasher = new MinHasher(128, 5);
    const z: number[] = [];
    for (let t = 0; t < 400; t++) {
      const [a, b, exact] = pair(random, 40 + Math.floor(random() * 400), 10 + Math.floor(random() * 200));
      z.push((estimateJaccard(hasher.signature(a), hasher.signature(b)) - exact) / Math.sqrt((exact * (1 - exact)) / 128));
    }
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / (z.length - 1);
    expect(Math.abs(mean)).toBeLessThan(0.2);
    expect(variance).toBeGreaterThan(0.7);
    expect(variance).toBeLessThan(1.3);
  });

  it('computes the family as written: min over shingles of a * (x ^ s) mod 2^32 in int32 order, seeded', () => {
    // Plain-JavaScript statement of the permutations that the WebAssembly kernel runs 16 at a time.
    const reference = (numPerm: number, seed: number, xs: Int32Array): Uint32Array => {
      let state = fmix32(seed ^ 0x5bd1e995);
      const next = (): number => (state = fmix32(state + 0x9e3779b9));
      const sig = new Uint32Array(numPerm);
      for (let k = 0; k < numPerm; k++) {
        const a = next() | 1;
        const s = next() | 0;
        let min = 0x7fffffff;
        for (const x of xs) min = Math.min(min, Math.imul(x ^ s, a));
        sig[k] = min;
      }
      return sig;
    };
    const random = seededRandom(99);
    for (const [numPerm, size] of [[128, 795], [7, 3], [20, 0], [33, 40_000], [128, 12]] as const) {
      const hasher = new MinHasher(numPerm, 42);
      const xs = Int32Array.from({ length: size }, () => Math.floor(random() * 2 ** 32) | 0);
      expect(hasher.signature(xs)).toEqual(reference(numPerm, 42, xs));
      // Uint32 input is read as the same bits.
      expect(hasher.signature(new Uint32Array(xs.buffer))).toEqual(reference(numPerm, 42, xs));
    }
  });

  it('gives the same values on every machine for a seed (the permutations depend on nothing else)', () => {
    const signature = new MinHasher(128, 1).signature(Int32Array.from([1, 2, 3, -5, 0x7fffffff]));
    expect([...signature.slice(0, 4)]).toEqual(PINNED);
    expect(signature.length).toBe(128);
  });

  it('shingles fall back to shorter shingles for short texts', () => {
    const hashes = (text: string) => text.split(' ').map((w) => hash32(w) | 0);
    const words = 'the quick brown fox jumps over the lazy dog again and again';
    expect(shingles(hashes(words), 5).length).toBe(12 - 3 + 1); // 12 words -> 3-word shingles
    expect(shingles(hashes('one two'), 5).length).toBe(2); // single words
    expect(shingles([], 5).length).toBe(0);
  });

  it('shingles are the windows\' polynomials (rolled from window to window), and wordSignature their signature', () => {
    // Each window evaluated afresh, as the rolling computation must reproduce.
    const reference = (words: Int32Array, size: number): Int32Array => {
      const k = Math.max(1, Math.min(size, Math.floor(words.length / 4), words.length));
      return Int32Array.from({ length: words.length === 0 ? 0 : words.length - k + 1 }, (_, i) => {
        let h = k;
        for (let j = i; j < i + k; j++) h = (Math.imul(h, 0x2c1b3c6f) + (words[j] as number)) | 0;
        return fmix32(h);
      });
    };
    const random = seededRandom(5);
    const hasher = new MinHasher(128, 3);
    // 40,000 words outgrow the kernel's first memory page.
    for (const n of [0, 1, 2, 3, 7, 19, 20, 795, 40_000, 12]) {
      const words = Int32Array.from({ length: n }, () => Math.floor(random() * 2 ** 32) | 0);
      expect(shingles(words, 5)).toEqual(reference(words, 5));
      expect(hasher.wordSignature(words, 5)).toEqual(hasher.signature(reference(words, 5)));
    }
  });

  it('shingles keep word order, and a repeated shingle does not change the signature', () => {
    const hashes = (text: string) => text.split(' ').map((w) => hash32(w) | 0);
    const text = 'a b c d e f g h i j k l m n o p q r s t';
    const swapped = 'a b c d e f g h i j k l m n o p q r t s';
    expect(new Set(shingles(hashes(text), 5))).not.toEqual(new Set(shingles(hashes(swapped), 5)));
    const hasher = new MinHasher(64, 9);
    const once = shingles(hashes(text), 5);
    expect(hasher.signature(Int32Array.from([...once, ...once.slice(3, 9)]))).toEqual(hasher.signature(once));
  });
});

describe('LSH', () => {
  it('reproduces datasketch _optimal_param results', () => {
    // Values from datasketch's documentation (computed there with scipy's quad).
    expect(lshParams(0.75, 256)).toEqual({ bands: 21, rows: 12 });
    expect(lshParams(0.75, 256, 0.1, 0.9)).toEqual({ bands: 28, rows: 9 });
  });

  it('picks for threshold 0.5 / 128 perms the argmin of the weighted error, computed independently', () => {
    // Independent check: Simpson's rule on a fine grid over every (b, r).
    const simpson = (f: (s: number) => number, a: number, b: number, n = 400): number => {
      const h = (b - a) / n;
      let sum = f(a) + f(b);
      for (let i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 ? 4 : 2);
      return (sum * h) / 3;
    };
    let best = { bands: 0, rows: 0 };
    let min = Infinity;
    for (let b = 1; b <= 128; b++) {
      for (let r = 1; r <= Math.floor(128 / b); r++) {
        const fp = simpson((s) => sCurve(s, b, r), 0, 0.5);
        const fn = simpson((s) => 1 - sCurve(s, b, r), 0.5, 1);
        if (0.5 * fp + 0.5 * fn < min) {
          min = 0.5 * fp + 0.5 * fn;
          best = { bands: b, rows: r };
        }
      }
    }
    expect(lshParams(0.5, 128)).toEqual(best);
    expect(best.bands * best.rows).toBeLessThanOrEqual(128);
  });

  it("sets the engine's bands for recall: near-duplicates just above the threshold are nearly always candidates", () => {
    const { bands, rows } = new Engine().lsh;
    // With datasketch's equal weights (9 x 13) a pair at Jaccard 0.86 was a candidate 75% of the time.
    expect(sCurve(0.86, bands, rows)).toBeGreaterThan(0.95);
    expect(sCurve(0.8, bands, rows)).toBeGreaterThan(0.8);
    expect(sCurve(0.3, bands, rows)).toBeLessThan(0.001);
  });

  it('finds candidate pairs with the probability of the S-curve', () => {
    const random = seededRandom(7);
    const hasher = new MinHasher(128, 11);
    const params = { bands: 16, rows: 8 };
    for (const [shared, own] of [
      [300, 40], // J = 0.79
      [200, 50], // J = 0.67
      [150, 75], // J = 0.5
    ] as const) {
      const pairs = 300;
      let hits = 0;
      let j = 0;
      for (let t = 0; t < pairs; t++) {
        const [a, b, exact] = pair(random, shared, own);
        j = exact;
        const ka = new Set(bandKeys(hasher.signature(a), params));
        if (bandKeys(hasher.signature(b), params).some((k) => ka.has(k))) hits++;
      }
      const p = sCurve(j, params.bands, params.rows);
      const se = Math.sqrt((p * (1 - p)) / pairs);
      expect(Math.abs(hits / pairs - p)).toBeLessThanOrEqual(4 * se + 0.02);
    }
  });
});
