import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusteringMetrics } from '../../../src/eval/metrics.js';

describe('clusteringMetrics', () => {
  // Six articles, three stories. Predicted x={1,2} (A,A), y={3,4,5} (A,B,B), z={6} (C).
  const truth = ['A', 'A', 'A', 'B', 'B', 'C'];
  const predicted = ['x', 'x', 'y', 'y', 'y', 'z'];

  it('computes B-cubed by hand', () => {
    const m = clusteringMetrics(predicted, truth);
    // precision per article: 1, 1, 1/3, 2/3, 2/3, 1 -> 14/3 / 6
    expect(m.bcubed.precision).toBeCloseTo(7 / 9, 12);
    // recall per article: 2/3, 2/3, 1/3, 1, 1, 1 -> 14/3 / 6
    expect(m.bcubed.recall).toBeCloseTo(7 / 9, 12);
    expect(m.bcubed.f1).toBeCloseTo(7 / 9, 12);
  });

  it('computes pairwise precision and recall by hand', () => {
    const m = clusteringMetrics(predicted, truth);
    // predicted pairs: x 1 + y 3 = 4; true pairs: A 3 + B 1 = 4; shared: (1,2) and (4,5).
    expect(m.pairwise).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
  });

  it('computes NMI with arithmetic-mean normalisation by hand', () => {
    const m = clusteringMetrics(predicted, truth);
    // I = 1/3 ln2 + 1/6 ln(2/3) + 1/3 ln2 + 1/6 ln6 = ln 2; both entropies are those of sizes {3,2,1}.
    const h = (Math.log(3) / 3) + (Math.log(2) / 2) + (Math.log(6) / 6);
    expect(m.nmi).toBeCloseTo(Math.log(2) / h, 12);
    expect(m.clusters).toBe(3);
    expect(m.trueClusters).toBe(3);
    expect(m.articles).toBe(6);
  });

  it('scores duplicate links by whether both ends share a label', () => {
    const links = [
      { article: 1, duplicateOf: 0 },
      { article: 4, duplicateOf: 3 },
      { article: 2, duplicateOf: 3 },
    ];
    expect(clusteringMetrics(predicted, truth, links).duplicates).toEqual({ count: 3, precision: 2 / 3 });
    expect(clusteringMetrics(predicted, truth).duplicates).toEqual({ count: 0, precision: null });
  });

  it('all singletons against one story: perfect precision, recall 1/n, no information', () => {
    const m = clusteringMetrics(['a', 'b', 'c', 'd'], ['s', 's', 's', 's']);
    expect(m.bcubed.precision).toBe(1);
    expect(m.bcubed.recall).toBe(0.25);
    expect(m.bcubed.f1).toBeCloseTo(0.4, 12);
    expect(m.pairwise).toEqual({ precision: 1, recall: 0, f1: 0 });
    expect(m.nmi).toBe(0);
  });

  it('one cluster for everything: recall 1, precision by story sizes', () => {
    const m = clusteringMetrics(['k', 'k', 'k', 'k'], ['s', 's', 't', 'u']);
    // precision per article: 2/4, 2/4, 1/4, 1/4
    expect(m.bcubed.precision).toBe(0.375);
    expect(m.bcubed.recall).toBe(1);
    expect(m.pairwise.precision).toBeCloseTo(1 / 6, 12);
    expect(m.nmi).toBe(0);
  });

  it('does not confuse cluster/label pairs whose concatenations coincide', () => {
    // ("a", "b:c") and ("a:b", "c") must be different cells.
    const m = clusteringMetrics(['a', 'a:b'], ['b:c', 'c']);
    expect(m.bcubed.precision).toBe(1);
    expect(m.bcubed.recall).toBe(1);
  });

  it('rejects mismatched lengths', () => {
    expect(() => clusteringMetrics(['a'], [])).toThrow(/1 predictions for 0 labels/);
  });

  it('identical partitions score 1 whatever the names; all scores stay in [0, 1]', () => {
    const labels = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(labels, labels, (a, b) => {
        const same = clusteringMetrics(
          a.map((x) => `c${x}`),
          a.map((x) => `label-${x * 7}`),
        );
        expect(same.bcubed.f1).toBeCloseTo(1, 12);
        expect(same.pairwise.f1).toBeCloseTo(1, 12);
        expect(same.nmi).toBeCloseTo(1, 12);
        const n = Math.min(a.length, b.length);
        const m = clusteringMetrics(
          a.slice(0, n).map(String),
          b.slice(0, n).map(String),
        );
        for (const v of [m.bcubed.precision, m.bcubed.recall, m.bcubed.f1, m.nmi, m.pairwise.f1]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
