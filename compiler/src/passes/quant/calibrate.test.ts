import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from '@tsvdc/ir/testing/models';
import { calibrate, clippedBeyond, percentileOf } from './calibrate.js';

/** 1..n in a scrambled order (percentileOf must not rely on sorted input). */
const scrambled = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 7919) % n) + 1);

/** x [?, 1] -> relu: calibration records both values. */
function reluModule() {
  const b = new ModuleBuilder('r', 'addtree');
  return b.output(b.op('relu', [b.input([-1, 1], undefined, 'x')])).build();
}

/** 10 000 samples spread evenly over [-1, 1], then one outlier of 100. */
function withOutlier(): { x: { shape: number[]; data: Float64Array } }[] {
  const data = Float64Array.from({ length: 10_001 }, (_, i) => (i === 10_000 ? 100 : -1 + (2 * i) / 9_999));
  return [{ x: { shape: [data.length, 1], data } }];
}

describe('calibration', () => {
  it('percentileOf: the nearest-rank percentile of 1..100 and 1..1000', () => {
    const h = scrambled(100);
    // nearest rank: the smallest value with at least p% of the data at or below it
    expect([0.5, 1, 7, 14, 50, 57, 99, 99.5, 100].map((p) => percentileOf(h, p))).toEqual([1, 1, 7, 14, 50, 57, 99, 100, 100]);
    expect([99.9, 99.99, 0.1].map((p) => percentileOf(scrambled(1000), p))).toEqual([999, 1000, 1]);
    expect(percentileOf([3], 50)).toBe(3);
    expect(percentileOf([], 50)).toBe(0);
  });

  it('property: percentileOf has at least p% of the data at or below it, and fewer strictly below', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0.01, max: 100, noNaN: true }), (xs, p) => {
      const v = percentileOf(xs, p);
      const atOrBelow = xs.filter((x) => x <= v).length;
      const below = xs.filter((x) => x < v).length;
      expect(atOrBelow / xs.length).toBeGreaterThanOrEqual(p / 100 - 1e-12);
      expect(below / xs.length).toBeLessThan(p / 100);
    }), { numRuns: 500 });
  });

  it('an outlier sets the min/max range but not the percentile range, which clips it', () => {
    const m = reluModule();
    const relu = m.outputs[0]!;
    const minmax = calibrate(m, withOutlier(), 'minmax');
    const pct = calibrate(m, withOutlier(), 'percentile', 99.99);
    expect([minmax.range.get('x'), minmax.range.get(relu)]).toEqual([100, 100]);
    // 10 001 magnitudes: rank ceil(99.99% of 10 001) = 10 000 is the largest below the outlier, 1;
    // at 99.9, rank 9 991 is the 10th largest of the rest (magnitudes come in pairs): 1 - 8 / 9 999
    expect(pct.range.get('x')).toBe(1);
    expect(calibrate(m, withOutlier(), 'percentile', 99.9).range.get('x')).toBeCloseTo(1 - 8 / 9_999, 12);
    // beyond +-1.5 only the outlier; beyond +-0.5 every sample with |x| > 0.5 and the outlier
    expect(clippedBeyond(pct, 'x', 1.5)).toEqual({ clipped: 1, total: 10_001 });
    expect(clippedBeyond(pct, 'x', 0.5)).toEqual({ clipped: 2 * 2_500 + 1, total: 10_001 });
    // min/max keeps no samples: its range holds every value
    expect(clippedBeyond(minmax, 'x', 1.5)).toEqual({ clipped: 0, total: 0 });
  });
});
