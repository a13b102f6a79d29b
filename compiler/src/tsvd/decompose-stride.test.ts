/**
 * decompose with a stride k >= 2 (several components per step). The shapes of
 * decompose.test.ts (at most 20 x 20, 20 steps) all have k = 1, so nothing there
 * could tell k distinct components per step from k copies of one.
 */
import { ternaryToInt8 } from '@tsvdc/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../linalg/random.js';
import { makeMatrix, residual, spectralNormRef } from './conv-testing.js';
import { decompose } from './decompose.js';
import { paperTsvd } from './paper-testing.js';
import { transitionStride } from './retransition.js';
import type { DecomposeResult, Matrix } from './types.js';

/** Component l as strings of its U column and V row, for comparisons. */
function components(f: DecomposeResult, rows: number, cols: number): Array<{ u: string; v: string }> {
  const U = ternaryToInt8(f.U);
  const V = ternaryToInt8(f.V);
  return Array.from({ length: f.rank }, (_, l) => ({
    u: Array.from({ length: rows }, (_, i) => U[i * f.rank + l]).join(','),
    v: Array.from(V.subarray(l * cols, (l + 1) * cols)).join(','),
  }));
}

/** Pairs of identical components (same U column and same V row) added by the same step. */
function duplicatesWithinSteps(f: DecomposeResult, rows: number, cols: number): number {
  const comps = components(f, rows, cols);
  let dups = 0;
  let from = 0;
  for (const { rank } of f.steps) {
    const seen = new Set<string>();
    for (let l = from; l < rank; l++) {
      const key = `${comps[l]!.u}|${comps[l]!.v}`;
      if (seen.has(key)) dups++;
      seen.add(key);
    }
    from = rank;
  }
  return dups;
}

function residualNorm(A: Matrix, f: DecomposeResult): number {
  return spectralNormRef({ rows: A.rows, cols: A.cols, data: residual(A, f) }) / spectralNormRef(A);
}

/**
 * A = sum_i c_i a_i b_i^T with ternary a_i (b_i) of pairwise disjoint supports, so
 * the singular triplets are exactly (c_i sqrt(|a_i| |b_i|), a_i / |a_i|^.5, b_i / |b_i|^.5),
 * with singular values 3 * 0.8^i (distinct, so each triplet is unique up to sign).
 * Returns A and the components as sign-normalized keys.
 */
function planted(rows: number, cols: number, r: number, seed: number): { A: Matrix; keys: string[] } {
  const rng = new Rng(seed);
  const supports = (len: number): Int8Array[] => {
    // a random permutation cut into r near-equal parts: disjoint supports whose sizes
    // differ by at most one, so the refit's damping (1e-5 rms(K) / K_ii) stays ~1e-5
    const perm = Array.from({ length: len }, (_, i) => i);
    for (let i = len - 1; i > 0; i--) {
      const j = rng.nextU32() % (i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const bounds = Array.from({ length: r + 1 }, (_, c) => Math.round((c * len) / r));
    return Array.from({ length: r }, (_, c) => {
      const t = new Int8Array(len);
      for (let p = bounds[c]!; p < bounds[c + 1]!; p++) t[perm[p]!] = rng.nextU32() & 1 ? 1 : -1;
      return t;
    });
  };
  const as = supports(rows);
  const bs = supports(cols);
  const data = new Float64Array(rows * cols);
  const nz = (t: Int8Array): number => t.reduce((acc, x) => acc + (x !== 0 ? 1 : 0), 0);
  for (let c = 0; c < r; c++) {
    const scale = (3 * 0.8 ** c) / Math.sqrt(nz(as[c]!) * nz(bs[c]!));
    for (let i = 0; i < rows; i++) if (as[c]![i]) for (let j = 0; j < cols; j++) data[i * cols + j]! += scale * as[c]![i]! * bs[c]![j]!;
  }
  return { A: { rows, cols, data }, keys: as.map((a, c) => componentKey(a, bs[c]!)).sort() };
}

/** A component (u, v) up to the joint sign flip (-u, -v). */
function componentKey(u: ArrayLike<number>, v: ArrayLike<number>): string {
  const flip = Array.from(u).find((x) => x !== 0)! < 0 ? -1 : 1;
  return `${Array.from(u, (x) => x * flip + 0).join(',')}|${Array.from(v, (x) => x * flip + 0).join(',')}`;
}

describe('decompose: k >= 2 components per step', () => {
  it('recovers exactly ternary, orthogonal components one for one, k per step (paper and refined)', () => {
    const cases = fc.record({
      rows: fc.integer({ min: 40, max: 120 }), cols: fc.integer({ min: 40, max: 200 }), r: fc.integer({ min: 2, max: 12 }),
      seed: fc.integer(), steps: fc.constantFrom(1, 2, 3, 5), refine: fc.constantFrom(0, 2),
    });
    fc.assert(fc.property(cases, ({ rows, cols, r, seed, steps, refine }) => {
      const { A, keys } = planted(rows, cols, r, seed);
      const k = transitionStride(rows, cols, steps);
      expect(k).toBeGreaterThanOrEqual(2);
      // no maxRank: a step wider than what is left must not take the residual's damping and
      // noise directions (sigma ~1e-5 relative and below) as components
      const f = decompose(A, { steps, refine, seed: 3 });
      expect(f.reachedMaxRank).toBe(false);
      expect(f.error).toBeLessThan(1e-4);
      expect(f.steps.map((s) => s.rank)).toEqual(Array.from({ length: Math.ceil(r / k) }, (_, t) => Math.min(r, (t + 1) * k)));
      const U = ternaryToInt8(f.U);
      const V = ternaryToInt8(f.V);
      const got = Array.from({ length: f.rank }, (_, l) => componentKey(
        Array.from({ length: rows }, (_, i) => U[i * f.rank + l]!), V.subarray(l * cols, (l + 1) * cols),
      ));
      expect(got.sort()).toEqual(keys);
    }), { numRuns: 40 });
  });

  it('on random 40-120 x 40-200 matrices: k new distinct components per step, error below tol (checked independently)', () => {
    const shapes = fc.record({
      rows: fc.integer({ min: 40, max: 120 }), cols: fc.integer({ min: 40, max: 200 }),
      gamma: fc.boolean(), seed: fc.integer(), steps: fc.constantFrom(1, 2, 3), tol: fc.constantFrom(0.3, 0.1, 0.05),
      refine: fc.constantFrom(0, 2),
    });
    fc.assert(fc.property(shapes, (p) => {
      const A = makeMatrix(p.rows, p.cols, p.gamma ? 'gamma' : 'gauss', p.seed);
      const k = transitionStride(p.rows, p.cols, p.steps);
      const f = decompose(A, { tol: p.tol, steps: p.steps, refine: p.refine, seed: 1 });
      expect(f.steps.map((s) => s.rank)).toEqual(f.steps.map((_, t) => (t + 1) * k));
      expect(duplicatesWithinSteps(f, p.rows, p.cols)).toBe(0);
      expect(f.error).toBeLessThan(p.tol);
      expect(residualNorm(A, f)).toBeLessThan(p.tol);
      for (let t = 1; t < f.steps.length; t++) expect(f.steps[t]!.frobeniusError).toBeLessThanOrEqual(f.steps[t - 1]!.frobeniusError * (1 + 1e-9));
    }), { numRuns: 10 });
  });

  it('regression, Gaussian 48 x 96 (seed 2026, k = 10): the paper mode lands within 3% of the rank of an independent plain implementation', () => {
    // paper-testing.ts: exact SVD of the formed residual, refit from scratch (measured: both rank 400)
    const A = makeMatrix(48, 96, 'gauss', 2026);
    const opts = { tol: 0.01, cosThresh: 0.8386, steps: 3 };
    const want = paperTsvd(A, opts);
    expect(want.error).toBeLessThan(0.01);
    const plain = decompose(A, { ...opts, refine: 0 });
    expect(Math.abs(plain.rank - want.us.length)).toBeLessThanOrEqual(0.03 * want.us.length);
    expect(plain.error).toBeLessThan(0.01);
    // the default (refinement) reaches tol with fewer components; neither repeats a component within a step
    const refined = decompose(A, { steps: 3 });
    expect(refined.rank).toBeLessThan(plain.rank);
    expect(duplicatesWithinSteps(plain, 48, 96)).toBe(0);
    expect(duplicatesWithinSteps(refined, 48, 96)).toBe(0);
  });
});
