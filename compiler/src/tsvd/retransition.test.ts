import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ternaryFromValues, ternaryToInt8, ternaryZeros, type TernaryTensor } from '@tsvdc/ir';
import { spectralNormRef } from './conv-testing.js';
import { decompose } from './decompose.js';
import { missingImportance, retransition, transitionStride } from './retransition.js';
import type { Matrix } from './types.js';

const lcg = (seed: number): (() => number) => {
  let st = seed >>> 0 || 1;
  return () => ((st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
};

/** A random m x n matrix with singular values decaying like decay^i. */
function spectrumMatrix(m: number, n: number, decay: number, seed: number): Matrix {
  const r = lcg(seed);
  const data = new Float64Array(m * n);
  for (let k = 0; k < Math.min(m, n); k++) {
    const u = Array.from({ length: m }, r);
    const v = Array.from({ length: n }, r);
    const sc = decay ** k;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[i * n + j]! += sc * u[i]! * v[j]!;
  }
  return { rows: m, cols: n, data };
}

/** U diag(s) V from unpacked factors (independent of the code under test). */
function dense(U: TernaryTensor, s: ArrayLike<number>, V: TernaryTensor): Float64Array {
  const u = ternaryToInt8(U);
  const v = ternaryToInt8(V);
  const [m, r, n] = [U.rows, U.cols, V.cols];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let k = 0; k < r; k++) for (let j = 0; j < n; j++) out[i * n + j]! += u[i * r + k]! * s[k]! * v[k * n + j]!;
  return out;
}

const column = (t: TernaryTensor, c: number): number[] => Array.from({ length: t.rows }, (_, i) => ternaryToInt8(t)[i * t.cols + c]!);
const row = (t: TernaryTensor, r: number): number[] => Array.from(ternaryToInt8(t).subarray(r * t.cols, (r + 1) * t.cols));
const nnz = (xs: number[]): number => xs.filter((x) => x !== 0).length;

const stepArb = fc.record({
  m: fc.integer({ min: 2, max: 14 }), n: fc.integer({ min: 2, max: 20 }),
  decay: fc.constantFrom(0.3, 0.7, 0.95), tol: fc.constantFrom(0.05, 0.15),
  // the optimizer's move, relative to the weight's size
  move: fc.constantFrom(0, 0.003, 0.05, 0.5), pruneRate: fc.constantFrom(0, 0.5, 1, 2),
  residual: fc.boolean(), seed: fc.nat(),
  // 20 steps is a stride of 1 at these sizes; 1-3 steps give strides up to 8
  steps: fc.constantFrom(1, 2, 3, 20),
});

/** A layer one step into training: factors of the latent weight, W moved by the optimizer. */
function trainingState(p: { m: number; n: number; decay: number; tol: number; move: number; residual: boolean; seed: number; steps: number }) {
  const A = spectrumMatrix(p.m, p.n, p.decay, p.seed);
  const d = decompose(A, { tol: p.tol, seed: p.seed, steps: p.steps });
  const approx = dense(d.U, d.s, d.V);
  const residual = p.residual ? A.data.map((a, i) => a - approx[i]!) : undefined;
  const r = lcg(p.seed + 99);
  const W: Matrix = { rows: p.m, cols: p.n, data: approx.map((w) => w + p.move * r()) };
  return { W, previous: { U: d.U, s: d.s, V: d.V, residual } };
}

describe('retransition: the rules of TSVD.md, one by one', () => {
  it('conserves the latent weight: W_out + residual_out = W_in + residual_in, and W_out = U diag(s) V', () => {
    fc.assert(
      fc.property(stepArb, (p) => {
        const { W, previous } = trainingState(p);
        const res = retransition(W, previous, { tol: p.tol, pruneRate: p.pruneRate, seed: p.seed, steps: p.steps });
        const rebuilt = dense(res.factors.U, res.factors.s, res.factors.V);
        W.data.forEach((w, i) => {
          const latent = w + (previous.residual?.[i] ?? 0);
          expect(res.W[i]! + res.residual[i]!).toBeCloseTo(latent, 12);
          expect(res.W[i]).toBeCloseTo(rebuilt[i]!, 12);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('importance is |s_i| sqrt(nnz(u_i) nnz(v_i)) of the refitted s; prunes exactly when one falls below pruneRate x missing', () => {
    fc.assert(
      fc.property(stepArb, (p) => {
        const { W, previous } = trainingState(p);
        const res = retransition(W, previous, { tol: p.tol, pruneRate: p.pruneRate, seed: p.seed, steps: p.steps });
        const r = previous.s.length;
        fc.pre(r > 0);
        const latent = W.data.map((w, i) => w + (previous.residual?.[i] ?? 0));
        // step 1: the refit is the least-squares optimum for the old U, V: u_i^T (L - U diag(s) V) v_i = 0
        const fitted = dense(previous.U, res.refit, previous.V);
        for (let i = 0; i < r; i++) {
          const u = column(previous.U, i);
          const v = row(previous.V, i);
          let g = 0;
          let scale = 0;
          for (let a = 0; a < p.m; a++) {
            for (let b = 0; b < p.n; b++) {
              g += u[a]! * (latent[a * p.n + b]! - fitted[a * p.n + b]!) * v[b]!;
              scale += Math.abs(u[a]! * latent[a * p.n + b]! * v[b]!);
            }
          }
          expect(Math.abs(g)).toBeLessThan(1e-3 * scale + 1e-12);
          // step 2: importance
          expect(res.importance[i]).toBeCloseTo(Math.abs(res.refit[i]!) * Math.sqrt(nnz(u) * nnz(v)), 10);
        }
        if (!res.pruned) {
          // step 3, no pruning: only s changed
          expect(res.factors.U).toBe(previous.U);
          expect(res.factors.V).toBe(previous.V);
          expect(res.factors.s).toBe(res.refit);
        }
        const weakest = Math.min(...res.importance);
        expect(res.pruned).toBe(weakest < p.pruneRate * res.missingImportance);
      }),
      { numRuns: 200 },
    );
  });

  it('when pruning, keeps the most important components (a multiple of the stride) and re-reaches tol', () => {
    fc.assert(
      fc.property(stepArb, (p) => {
        const { W, previous } = trainingState({ ...p, move: Math.max(p.move, 0.05) });
        const res = retransition(W, previous, { tol: p.tol, pruneRate: Math.max(p.pruneRate, 1), seed: p.seed, steps: p.steps });
        fc.pre(res.pruned);
        const stride = transitionStride(p.m, p.n, p.steps);
        expect(res.stride).toBe(stride);
        expect(res.kept % stride).toBe(0);
        const thr = Math.max(p.pruneRate, 1) * res.missingImportance;
        const strong = Array.from(res.importance.keys()).filter((i) => res.importance[i]! >= thr);
        expect(res.kept).toBe(Math.floor(strong.length / stride) * stride);
        // the kept ones are the most important, in their old order, at the front of the new factors
        const byImportance = Array.from(res.importance.keys()).sort((a, b) => res.importance[b]! - res.importance[a]! || a - b);
        const kept = byImportance.slice(0, res.kept).sort((a, b) => a - b);
        kept.forEach((old, k) => {
          expect(column(res.factors.U, k)).toEqual(column(previous.U, old));
          expect(row(res.factors.V, k)).toEqual(row(previous.V, old));
        });
        const latent = W.data.map((w, i) => w + (previous.residual?.[i] ?? 0));
        const err = spectralNormRef({ rows: p.m, cols: p.n, data: latent.map((l, i) => l - res.W[i]!) }) / spectralNormRef({ rows: p.m, cols: p.n, data: latent });
        if (!res.decomposition!.reachedMaxRank) expect(err).toBeLessThan(p.tol * (1 + 1e-6));
      }),
      { numRuns: 200 },
    );
  });

  it('pruneRate 0 never re-decomposes; an infinite pruneRate always starts afresh', () => {
    fc.assert(
      fc.property(stepArb, (p) => {
        const { W, previous } = trainingState(p);
        fc.pre(previous.s.length > 0);
        expect(retransition(W, previous, { tol: p.tol, pruneRate: 0, steps: p.steps }).pruned).toBe(false);
        const fresh = retransition(W, previous, { tol: p.tol, pruneRate: Infinity, seed: p.seed, steps: p.steps });
        expect([fresh.pruned, fresh.kept]).toEqual([true, 0]);
        const latent: Matrix = { ...W, data: W.data.map((w, i) => w + (previous.residual?.[i] ?? 0)) };
        expect(Array.from(fresh.factors.s)).toEqual(Array.from(decompose(latent, { tol: p.tol, seed: p.seed, steps: p.steps }).s));
      }),
      { numRuns: 100 },
    );
  });

  it('a layer without components is decomposed once its weight is non-zero', () => {
    const W = spectrumMatrix(5, 7, 0.5, 3);
    const res = retransition(W, { U: ternaryZeros([5, 0]), s: new Float64Array(0), V: ternaryZeros([0, 7]) }, { tol: 0.1 });
    expect(res.pruned).toBe(true);
    expect(res.factors.s.length).toBeGreaterThan(0);
    const zero: Matrix = { rows: 5, cols: 7, data: new Float64Array(35) };
    expect(retransition(zero, { U: ternaryZeros([5, 0]), s: new Float64Array(0), V: ternaryZeros([0, 7]) }).pruned).toBe(false);
  });
});

describe('missingImportance', () => {
  it('golden: an exactly ternary rank-1 residual c a b^T has importance |c| sqrt(nnz(a) nnz(b))', () => {
    const a = [1, 0, -1, 1, 0];
    const b = [0, 1, 1, 0, -1, 1];
    const R = new Float64Array(30);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) R[i * 6 + j] = -2.5 * a[i]! * b[j]!;
    expect(missingImportance(R, 5, 6, 0.8386, 1)).toBeCloseTo(2.5 * Math.sqrt(3 * 4), 10);
    expect(missingImportance(new Float64Array(30), 5, 6, 0.8386, 1)).toBe(0);
  });
  it('spectralNormRef golden cases', () => {
    expect(spectralNormRef({ rows: 2, cols: 2, data: Float64Array.from([3, 0, 0, -4]) })).toBeCloseTo(4, 12);
    expect(spectralNormRef({ rows: 2, cols: 3, data: Float64Array.from([1, 1, 1, 1, 1, 1]) })).toBeCloseTo(Math.sqrt(6), 12);
    expect(spectralNormRef({ rows: 3, cols: 1, data: Float64Array.from([3, 4, 0]) })).toBeCloseTo(5, 12);
  });
  it('ternary factors built from values round-trip through the test helpers', () => {
    const U = ternaryFromValues([2, 2], [1, 0, -1, 1]);
    expect(column(U, 0)).toEqual([1, -1]);
    expect(row(U, 1)).toEqual([-1, 1]);
  });
});
