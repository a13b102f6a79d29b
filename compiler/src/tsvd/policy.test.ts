import { describe, expect, it } from 'vitest';
import { ternaryPolicy } from './policy.js';

const C = 0.8386;
const pol = (a: number[], c = C): number[] => Array.from(ternaryPolicy(Float64Array.from(a), c));

// Golden cases worked by hand from TSVD.md (scores = c_j / (sqrt(j) ||a||)).
describe('ternaryPolicy', () => {
  it('keeps the smallest count whose cosine reaches the threshold', () => {
    // ||a|| = 5: j=1 -> 4/5 = 0.8 < C; j=2 -> 7/(sqrt2*5) = 0.98995 >= C
    expect(pol([3, -4])).toEqual([1, -1]);
    // unit vector: j=1 -> 0.8; j=2 -> 1.4/sqrt2 = 0.98995
    expect(pol([0.6, -0.8, 0])).toEqual([1, -1, 0]);
    // ||a|| = sqrt(1.03): j=1 -> 0.98533 >= C
    expect(pol([1, 0.1, 0.1, -0.1])).toEqual([1, 0, 0, 0]);
    expect(pol([-1, 0.1, 0.1, -0.1])).toEqual([-1, 0, 0, 0]);
  });
  it('keeps every entry tied with the j-th largest magnitude', () => {
    // j=1 -> 0.5, j=2 -> 0.7071, j=3 -> 1.5/sqrt3 = 0.8660 >= C; the 4th ties with the 3rd
    expect(pol([0.5, -0.5, 0.5, -0.5])).toEqual([1, -1, 1, -1]);
    // norm sqrt(1.37): j=1 -> 0.6835, j=2 -> 1.4/(sqrt2 * 1.17047) = 0.8458 >= C; both 0.6 tie at the 2nd
    expect(pol([0.6, 0.6, -0.8, 0.1], C)).toEqual([1, 1, -1, 0]);
  });
  it('counts magnitudes within a relative 1e-9 of the j-th largest as tied (rounding noise)', () => {
    // [0.5, 0.5, -0.5, 0.5] computed with noise: j = 3 (0.866 >= C); the 4th is 1e-12 smaller and still kept
    expect(pol([0.5, 0.5 + 1e-12, -0.5, 0.5 - 1e-12])).toEqual([1, 1, -1, 1]);
    // a real gap of 1e-6 is not a tie
    expect(pol([0.5, 0.5 + 1e-6, -0.5, 0.5 - 1e-6])).toEqual([1, 1, -1, 0]);
  });
  it('accepts a score exactly equal to the threshold', () => {
    // j=1: 4/(1*5) = 0.8 exactly
    expect(pol([3, 4], 0.8)).toEqual([0, 1]);
  });
  it('takes the best score when no count reaches the threshold', () => {
    expect(pol([3, -4], 1.5)).toEqual([1, -1]); // 0.8 < 0.98995
    expect(pol([1, 0.1], 1.5)).toEqual([1, 0]); // 0.99504 > 1.1/(sqrt2*1.00499) = 0.77395
    // scores 0.5, 0.7071, 0.8660, 1.0: the last is best (all kept)
    expect(pol([0.5, 0.5, -0.5, 0.5], 1.01)).toEqual([1, 1, -1, 1]);
  });
  it('is the binary policy for a threshold <= 0, with sign(0) = +1', () => {
    expect(pol([0, -2, 3, -0.001], 0)).toEqual([1, -1, 1, -1]);
    expect(pol([0, -0, 5], -1)).toEqual([1, 1, 1]);
  });
  it('treats zeros as written: sign +1 when kept', () => {
    // all-zero vector: no score reaches C, j = 1, threshold 0, every |a| >= 0 is kept as +1
    expect(pol([0, 0, 0])).toEqual([1, 1, 1]);
    // a zero below the threshold is dropped
    expect(pol([0, 1, 0])).toEqual([0, 1, 0]);
  });
  it('does not depend on the scale of the vector', () => {
    expect(pol([3e-9, -4e-9])).toEqual([1, -1]);
    expect(pol([0.6e7, -0.8e7, 0])).toEqual([1, -1, 0]);
  });
  it('handles empty and single-entry vectors', () => {
    expect(pol([])).toEqual([]);
    expect(pol([-7])).toEqual([-1]);
  });
});
