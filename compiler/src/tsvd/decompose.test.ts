import { ternaryToInt8, ternaryTranspose, TsvdcError } from '@tsvdc/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../linalg/dense.js';
import { makeMatrix, residual } from './conv-testing.js';
import { decompose } from './decompose.js';
import { refitScales } from './refit.js';
import type { Matrix } from './types.js';

/** Random matrices with a chosen kind of spectrum: Gaussian, Gamma-magnitude, decaying, low rank + noise. */
const matrices = fc
  .record({
    rows: fc.integer({ min: 1, max: 20 }),
    cols: fc.integer({ min: 1, max: 20 }),
    kind: fc.constantFrom('gauss', 'gamma', 'decay', 'lowrank'),
    seed: fc.integer(),
  })
  .map(({ rows, cols, kind, seed }) => makeMatrix(rows, cols, kind, seed));

/** Largest singular value by Jacobi on M M^T: an independent check of the Lanczos error. */
function sigma1(M: Float64Array, rows: number, cols: number): number {
  const G = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) {
    let s = 0;
    for (let l = 0; l < cols; l++) s += M[i * cols + l]! * M[j * cols + l]!;
    G[i * rows + j] = s;
  }
  return Math.sqrt(Math.max(0, symmetricEigen(G, rows).values[0] ?? 0));
}

const norm2 = (x: Float64Array) => x.reduce((a, v) => a + v * v, 0);

describe('decompose: properties', () => {
  const tols = fc.constantFrom(0.3, 0.1, 0.03, 0.01);
  // up to 20 x 20, 20 steps is one component per step; 1-3 steps give strides up to 10
  const stepCounts = fc.constantFrom(1, 2, 3, 20);

  it('returns ternary factors whose operator-norm error is below tol (checked independently)', () => {
    fc.assert(fc.property(matrices, tols, stepCounts, (A, tol, steps) => {
      const f = decompose(A, { tol, steps, seed: 1 });
      expect(f.U.shape).toEqual([A.rows, f.rank]);
      expect(f.V.shape).toEqual([f.rank, A.cols]);
      for (const t of [f.U, f.V]) for (const x of ternaryToInt8(t)) expect([-1, 0, 1]).toContain(x);
      for (const w of [...f.U.data, ...f.V.data]) expect(w & (w >>> 1) & 0x55555555 & ~(w & 0x55555555)).toBe(0);
      expect(f.reachedMaxRank).toBe(false);
      const R = residual(A, f);
      const ref = sigma1(A.data, A.rows, A.cols);
      const err = sigma1(R, A.rows, A.cols) / ref;
      expect(f.error).toBeLessThan(tol);
      expect(err).toBeLessThan(tol);
      expect(Math.abs(err - f.error)).toBeLessThan(1e-5 * Math.max(err, 1e-3));
      expect(f.frobeniusError).toBeCloseTo(Math.sqrt(norm2(R) / norm2(A.data)), 7);
      expect(f.nnzU).toBe(ternaryToInt8(f.U).filter((x) => x !== 0).length);
      expect(f.nnzV).toBe(ternaryToInt8(f.V).filter((x) => x !== 0).length);
    }), { numRuns: 150 });
  });

  it('fits s by least squares: the gradient u_i^T R v_i vanishes up to the damping', () => {
    fc.assert(fc.property(matrices, (A) => {
      const f = decompose(A, { tol: 0.05, seed: 2 });
      const R = residual(A, f);
      const U = ternaryToInt8(f.U);
      const V = ternaryToInt8(f.V);
      const nnzU = Array.from({ length: f.rank }, (_, l) => { let c = 0; for (let i = 0; i < A.rows; i++) c += U[i * f.rank + l]! ** 2; return c; });
      const nnzV = Array.from({ length: f.rank }, (_, l) => { let c = 0; for (let j = 0; j < A.cols; j++) c += V[l * A.cols + j]! ** 2; return c; });
      // K_ll = nnz(u_l) nnz(v_l) bounds every |K_ij|, so the damping 1e-5 rms(K) <= 1e-5 max K_ll
      const maxK = Math.max(0, ...nnzU.map((x, l) => x * nnzV[l]!));
      const noise = 1e-9 * (Math.sqrt(norm2(A.data)) + f.s.reduce((a, x, l) => a + Math.abs(x) * Math.sqrt(nnzU[l]! * nnzV[l]!), 0));
      for (let l = 0; l < f.rank; l++) {
        let g = 0;
        for (let i = 0; i < A.rows; i++) {
          const u = U[i * f.rank + l]!;
          if (u !== 0) for (let j = 0; j < A.cols; j++) g += u * R[i * A.cols + j]! * V[l * A.cols + j]!;
        }
        // (K + lambda I) s = b  =>  u_l^T R v_l = b_l - (K s)_l = lambda s_l
        expect(Math.abs(g)).toBeLessThanOrEqual(1.0001e-5 * maxK * Math.abs(f.s[l]!) + noise * Math.sqrt(nnzU[l]! * nnzV[l]!));
      }
      // and no better s exists for these U, V: refitScales (from scratch) reaches the same residual
      const s2 = refitScales(A, f.U, f.V);
      const R2 = residual(A, { ...f, s: s2 });
      // (both are damped solutions; the damping moves the residual by far less than 1e-6 ||A||^2)
      expect(norm2(R)).toBeLessThanOrEqual(norm2(R2) + 1e-6 * norm2(A.data));
    }), { numRuns: 100 });
  });

  it('never increases the Frobenius residual from one step to the next', () => {
    fc.assert(fc.property(matrices, stepCounts, (A, steps) => {
      const f = decompose(A, { tol: 0.01, seed: 3, steps });
      for (let t = 1; t < f.steps.length; t++) {
        expect(f.steps[t]!.frobeniusError).toBeLessThanOrEqual(f.steps[t - 1]!.frobeniusError * (1 + 1e-9) + 1e-12);
        expect(f.steps[t]!.rank).toBeGreaterThan(f.steps[t - 1]!.rank);
      }
      if (f.steps.length > 0) expect(f.steps[f.steps.length - 1]!.rank).toBe(f.rank);
    }), { numRuns: 100 });
  });

  it('decompose(A^T) gives exactly the transposed factors of decompose(A)', () => {
    fc.assert(fc.property(matrices, tols, stepCounts, (A, tol, steps) => {
      const At: Matrix = { rows: A.cols, cols: A.rows, data: new Float64Array(A.data.length) };
      for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) At.data[j * A.rows + i] = A.data[i * A.cols + j]!;
      // a symmetric A is its own transpose: same call, same factors (not a transposed pair)
      fc.pre(A.rows !== A.cols || At.data.some((x, p) => x !== A.data[p]));
      const f = decompose(A, { tol, steps, seed: 4 });
      const g = decompose(At, { tol, steps, seed: 4 });
      expect(g.rank).toBe(f.rank);
      expect(Array.from(g.s)).toEqual(Array.from(f.s));
      expect(ternaryToInt8(g.U)).toEqual(ternaryToInt8(ternaryTranspose(f.V)));
      expect(ternaryToInt8(g.V)).toEqual(ternaryToInt8(ternaryTranspose(f.U)));
      expect(g.error).toBe(f.error);
    }), { numRuns: 100 });
  });

  it('is deterministic for a seed', () => {
    fc.assert(fc.property(matrices, (A) => {
      const f = decompose(A, { tol: 0.02, seed: 9 });
      const g = decompose(A, { tol: 0.02, seed: 9 });
      expect(Array.from(g.s)).toEqual(Array.from(f.s));
      expect(g.U.data).toEqual(f.U.data);
      expect(g.V.data).toEqual(f.V.data);
    }), { numRuns: 30 });
  });

  it('stops at maxRank exactly and says so when the tolerance is not reached', () => {
    fc.assert(fc.property(matrices, fc.integer({ min: 0, max: 12 }), stepCounts, (A, maxRank, steps) => {
      const f = decompose(A, { tol: 1e-4, maxRank, steps, seed: 5 });
      expect(f.rank).toBeLessThanOrEqual(maxRank);
      if (f.error >= 1e-4) {
        expect(f.reachedMaxRank).toBe(true);
        expect(f.rank).toBe(maxRank);
      } else {
        expect(f.reachedMaxRank).toBe(false);
      }
    }), { numRuns: 100 });
  });
});

describe('decompose: beyond the paper', () => {
  it('reaches the tolerance with every refinement setting', () => {
    fc.assert(fc.property(matrices, fc.integer({ min: 0, max: 3 }), (A, refine) => {
      const f = decompose(A, { tol: 0.02, refine, seed: 6 });
      expect(f.reachedMaxRank).toBe(false);
      expect(f.error).toBeLessThan(0.02);
      expect(sigma1(residual(A, f), A.rows, A.cols) / sigma1(A.data, A.rows, A.cols)).toBeLessThan(0.02);
    }), { numRuns: 60 });
  });
  it('refinement (the default) needs fewer non-zeros and components than the paper on a Gaussian 48 x 96', () => {
    // measured: plain rank 377 / nnz 15659 -> refine 2 rank 322 / nnz 10832 (bench/RESULTS.md has the large cases)
    const A = makeMatrix(48, 96, 'gauss', 12);
    const plain = decompose(A, { refine: 0 });
    const refined = decompose(A);
    expect(refined.nnzU + refined.nnzV).toBeLessThan(0.85 * (plain.nnzU + plain.nnzV));
    expect(refined.rank).toBeLessThan(plain.rank);
  });
});

describe('decompose: details', () => {
  it('uses the stride floor(m n / (m + n) / steps) per step', () => {
    // 20 x 60: 1200 / 80 = 15; steps 5 -> k = 3
    const A = makeMatrix(20, 60, 'gauss', 7);
    const f = decompose(A, { tol: 0.2, steps: 5 });
    const ranks = f.steps.map((s) => s.rank);
    expect(ranks.slice(0, 4)).toEqual([3, 6, 9, 12]);
  });
  it('adds the top triplet even when the block estimate undershoots tol / 100 but the check finds error >= tol', () => {
    // e_1 as a 1 x 100000 row: one random start vector with no Krylov levels sees
    // ~1/sqrt(n) of it, far below tol / 100; the check then finds error 1 >= tol
    const n = 100000;
    const data = new Float64Array(n);
    data[0] = 1;
    const ranks: number[] = [];
    const f = decompose({ rows: 1, cols: n, data }, {
      tol: 0.99, krylovLevels: 0, seed: 0,
      onStep: (s) => {
        ranks.push(s.rank);
        if (ranks.length > 5) throw new Error(`a step added nothing: ranks ${ranks.join(', ')}`);
      },
    });
    expect(ranks).toEqual([1]);
    expect(f.rank).toBe(1);
    expect(f.error).toBeLessThan(0.99);
  });
  it('returns rank 0 for a zero matrix and for a matrix already within tolerance of 0', () => {
    const z = decompose({ rows: 3, cols: 4, data: new Float64Array(12) });
    expect(z.rank).toBe(0);
    expect(z.error).toBe(0);
    expect(z.U.shape).toEqual([3, 0]);
    const e = decompose({ rows: 0, cols: 5, data: new Float64Array(0) });
    expect(e.rank).toBe(0);
  });
  it('rejects bad options and bad matrices with TSVDC codes', () => {
    const A = makeMatrix(2, 2, 'gauss', 1);
    expect(() => decompose(A, { tol: 0 })).toThrow('TSVDC310: decompose: tol must be a positive number, got 0');
    expect(() => decompose(A, { steps: 0.5 })).toThrow('TSVDC310: decompose: steps must be an integer >= 1, got 0.5');
    expect(() => decompose(A, { maxRank: -1 })).toThrow('TSVDC310: decompose: maxRank must be an integer >= 0, got -1');
    const bad = { rows: 2, cols: 2, data: Float64Array.from([1, 2, NaN, 4]) };
    expect(() => decompose(bad)).toThrow('TSVDC306: decompose: matrix entry (1, 0) is NaN');
    expect(() => decompose({ rows: 2, cols: 3, data: new Float64Array(5) })).toThrow('TSVDC312: decompose: matrix 2x3 has 5 values');
    expect(() => decompose(A, { tol: -1 })).toThrow(TsvdcError);
  });
  it('continues from a warm start and reaches the same tolerance', () => {
    const A = makeMatrix(16, 24, 'gamma', 11);
    const coarse = decompose(A, { tol: 0.2 });
    const fine = decompose(A, { tol: 0.02, warmStart: coarse });
    expect(fine.error).toBeLessThan(0.02);
    expect(fine.rank).toBeGreaterThan(coarse.rank);
    // the warm components come first, unchanged
    const r0 = coarse.rank;
    const Uc = ternaryToInt8(coarse.U);
    const Uf = ternaryToInt8(fine.U);
    for (let i = 0; i < A.rows; i++) for (let l = 0; l < r0; l++) expect(Uf[i * fine.rank + l]).toBe(Uc[i * r0 + l]);
    expect(fine.steps[0]!.rank).toBe(r0);
    expect(() => decompose(makeMatrix(16, 25, 'gauss', 1), { warmStart: coarse })).toThrow('TSVDC311');
  });
});
