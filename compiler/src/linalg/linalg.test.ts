import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GrowingCholesky } from './cholesky.js';
import { TernaryComponents } from './components.js';
import { orthonormalizeRows, symmetricEigen, transpose } from './dense.js';
import { sigmaMax } from './lanczos.js';
import { denseOperator } from './operator.js';
import { Rng } from './random.js';
import { BlockSvd } from './topk.js';
import { tridiagonalTop } from './tridiagonal.js';

function gaussian(rows: number, cols: number, seed: number): Float64Array {
  return new Rng(seed).fillGaussian(new Float64Array(rows * cols));
}

/** Singular values from Jacobi on A A^T (independent of the Lanczos/block code under test). */
function singularValues(A: Float64Array, m: number, n: number): Float64Array {
  const G = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let l = 0; l < n; l++) s += A[i * n + l]! * A[j * n + l]!;
    G[i * m + j] = s;
  }
  return symmetricEigen(G, m).values.map((x) => Math.sqrt(Math.max(0, x)));
}

describe('symmetricEigen', () => {
  it('diagonalizes a known 3x3 matrix', () => {
    // eigenvalues of [[2,1,0],[1,2,1],[0,1,2]] are 2+sqrt2, 2, 2-sqrt2
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 0, 1, 2, 1, 0, 1, 2]), 3);
    expect(values[0]).toBeCloseTo(2 + Math.SQRT2, 12);
    expect(values[1]).toBeCloseTo(2, 12);
    expect(values[2]).toBeCloseTo(2 - Math.SQRT2, 12);
    // first eigenvector ~ (1, sqrt2, 1)/2 up to sign
    const sgn = Math.sign(vectors[0]!);
    expect(sgn * vectors[0]!).toBeCloseTo(0.5, 12);
    expect(sgn * vectors[3]!).toBeCloseTo(Math.SQRT1_2, 12);
    expect(sgn * vectors[6]!).toBeCloseTo(0.5, 12);
  });
  it('satisfies S W = W diag(values) on random symmetric matrices', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer(), (b, seed) => {
      const R = gaussian(b, b, seed);
      const S = new Float64Array(b * b);
      for (let i = 0; i < b; i++) for (let j = 0; j < b; j++) S[i * b + j] = R[i * b + j]! + R[j * b + i]!;
      const { values, vectors } = symmetricEigen(S, b);
      for (let c = 0; c < b; c++) {
        if (c > 0) expect(values[c]!).toBeLessThanOrEqual(values[c - 1]!);
        for (let i = 0; i < b; i++) {
          let s = 0;
          for (let l = 0; l < b; l++) s += S[i * b + l]! * vectors[l * b + c]!;
          expect(Math.abs(s - values[c]! * vectors[i * b + c]!)).toBeLessThan(1e-9 * (1 + Math.abs(values[0]!)));
        }
      }
    }), { numRuns: 100 });
  });
});

describe('tridiagonalTop', () => {
  it('finds the top eigenpair of the 1-D Laplacian', () => {
    // T = tridiag(-1, 2, -1), j = 8: eigenvalues 2 - 2cos(k pi / 9), top at k = 8
    const j = 8;
    const { value, vector } = tridiagonalTop(new Float64Array(j).fill(2), new Float64Array(j - 1).fill(-1));
    expect(value).toBeCloseTo(2 + 2 * Math.cos(Math.PI / 9), 12);
    // eigenvector entries proportional to sin(i * 8 pi / 9), i = 1..8
    const ratio = vector[1]! / vector[0]!;
    expect(ratio).toBeCloseTo(Math.sin((2 * 8 * Math.PI) / 9) / Math.sin((8 * Math.PI) / 9), 9);
  });
});

describe('orthonormalizeRows', () => {
  it('gives orthonormal rows, replacing dependent ones', () => {
    const n = 6;
    const Q = gaussian(4, n, 3);
    for (let j = 0; j < n; j++) Q[2 * n + j] = 2 * Q[j]! - Q[n + j]!; // row 2 depends on rows 0, 1
    const kept = orthonormalizeRows(Q, 4, n, new Rng(1));
    expect(kept[2]).toBe(0);
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += Q[a * n + j]! * Q[b * n + j]!;
      expect(s).toBeCloseTo(a === b ? 1 : 0, 12);
    }
  });
});

describe('GrowingCholesky', () => {
  it('solves the leading system after every append, whatever the chunk sizes', () => {
    const chunkSizes = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), chunkSizes, fc.integer(), (r, chunks, seed) => {
      const B = gaussian(r, r + 2, seed);
      const K = new Float64Array(r * r); // B B^T + I: SPD
      for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) {
        let s = i === j ? 1 : 0;
        for (let l = 0; l < r + 2; l++) s += B[i * (r + 2) + l]! * B[j * (r + 2) + l]!;
        K[i * r + j] = s;
      }
      const b = gaussian(1, r, seed + 1);
      const chol = new GrowingCholesky();
      let done = 0;
      for (let c = 0; done < r; c++) {
        const k = Math.min(chunks[c % chunks.length]!, r - done);
        const rows: number[] = [];
        for (let a = 0; a < k; a++) for (let j = 0; j <= done + a; j++) rows.push(K[(done + a) * r + j]!);
        chol.append(Float64Array.from(rows), k, b.subarray(done, done + k), 0);
        done += k;
        const s = chol.solve();
        for (let i = 0; i < done; i++) {
          let t = 0;
          for (let j = 0; j < done; j++) t += K[i * r + j]! * s[j]!;
          expect(Math.abs(t - b[i]!)).toBeLessThan(1e-8 * (1 + Math.abs(b[i]!)));
        }
        // L L^T reproduces the leading block of K
        const L = chol.view();
        for (let i = 0; i < done; i++) for (let j = 0; j <= i; j++) {
          let t = 0;
          for (let p = 0; p <= j; p++) t += L[(i * (i + 1)) / 2 + p]! * L[(j * (j + 1)) / 2 + p]!;
          expect(Math.abs(t - K[i * r + j]!)).toBeLessThan(1e-9 * (1 + Math.abs(K[i * r + j]!)));
        }
      }
      expect(chol.repairedPivots).toBe(0);
    }), { numRuns: 100 });
  });
  it('repairs a non-positive pivot with the given floor', () => {
    const chol = new GrowingCholesky();
    // [[1, 1], [1, 1]] is singular: the second pivot is 0 and becomes the floor 0.25
    chol.append(Float64Array.from([1, 1, 1]), 2, Float64Array.from([2, 2]), 0.25);
    expect(chol.repairedPivots).toBe(1);
    const s = chol.solve();
    expect(s[0]! + s[1]!).toBeCloseTo(2, 12);
  });
});

describe('TernaryComponents', () => {
  const trits = (len: number) =>
    fc.array(fc.constantFrom(-1, 0, 1), { minLength: len, maxLength: len }).map((a) => Int8Array.from(a));
  const cases = fc
    .record({ m: fc.integer({ min: 1, max: 70 }), n: fc.integer({ min: 1, max: 70 }), r: fc.integer({ min: 1, max: 6 }) })
    .chain(({ m, n, r }) => fc.record({
      us: fc.array(trits(m), { minLength: r, maxLength: r }),
      vs: fc.array(trits(n), { minLength: r, maxLength: r }),
      b: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer(),
      m: fc.constant(m), n: fc.constant(n), r: fc.constant(r),
    }));
  it('computes exact inner products and the products of a dense reference', () => {
    fc.assert(fc.property(cases, ({ us, vs, b, seed, m, n, r }) => {
      const comps = new TernaryComponents(m, n);
      us.forEach((u, i) => comps.add(u, vs[i]!));
      expect(comps.nnzU).toBe(us.reduce((acc, u) => acc + u.filter((x) => x !== 0).length, 0));
      const s = gaussian(1, r, seed);
      const naive = (x: Int8Array, y: Int8Array) => x.reduce((acc, e, i) => acc + e * y[i]!, 0) + 0; // + 0: no -0
      const row = new Float64Array(r);
      for (let i = 0; i < r; i++) {
        expect(Array.from(comps.u(i))).toEqual(Array.from(us[i]!));
        expect(Array.from(comps.v(i))).toEqual(Array.from(vs[i]!));
        comps.gramRow(i, row);
        for (let j = 0; j <= i; j++) {
          expect(comps.dotU(i, j)).toBe(naive(us[i]!, us[j]!));
          expect(comps.dotV(i, j)).toBe(naive(vs[i]!, vs[j]!));
          expect(row[j]! + 0).toBe(naive(us[i]!, us[j]!) * naive(vs[i]!, vs[j]!) + 0);
        }
      }
      // with M = U diag(s) V: Y = -M X and Z = -M^T Y0
      const X = gaussian(n, b, seed + 1);
      const Y = new Float64Array(m * b);
      comps.subtractUSV(s, X, Y, b);
      const Y0 = gaussian(m, b, seed + 2);
      const Z = new Float64Array(n * b);
      comps.subtractVSU(s, Y0, Z, b);
      for (let p = 0; p < m; p++) for (let q = 0; q < n; q++) {
        let mpq = 0;
        for (let i = 0; i < r; i++) mpq += us[i]![p]! * s[i]! * vs[i]![q]!;
        for (let c = 0; c < b; c++) {
          Y[p * b + c]! += mpq * X[q * b + c]!;
          Z[q * b + c]! += mpq * Y0[p * b + c]!;
        }
      }
      for (const x of Y) expect(Math.abs(x)).toBeLessThan(1e-9);
      for (const x of Z) expect(Math.abs(x)).toBeLessThan(1e-9);
    }), { numRuns: 150 });
  });
});

describe('sigmaMax and BlockSvd', () => {
  it('agree with the Jacobi singular values of random matrices', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 1, max: 25 }), fc.integer(), (m, n, seed) => {
      const A = gaussian(m, n, seed);
      const ref = singularValues(A, m, n);
      const op = denseOperator(A, m, n);
      const top = sigmaMax(op, { tol: 1e-10, seed });
      expect(top.converged).toBe(true);
      expect(Math.abs(top.sigma - ref[0]!)).toBeLessThan(1e-7 * ref[0]!);
      const k = Math.min(m, n, 3);
      const trip = new BlockSvd(m, n, k + 2, seed).top(op, k, { tol: 1e-12, maxIter: 2000 });
      for (let c = 0; c < k; c++) {
        expect(Math.abs(trip.sigma[c]! - ref[c]!)).toBeLessThan(1e-6 * ref[0]!);
        // R v = sigma u for the returned pairs
        for (let i = 0; i < m; i++) {
          let rv = 0;
          for (let j = 0; j < n; j++) rv += A[i * n + j]! * trip.v[c * n + j]!;
          expect(Math.abs(rv - trip.sigma[c]! * trip.u[c * m + i]!)).toBeLessThan(1e-6 * ref[0]!);
        }
      }
    }), { numRuns: 100 });
  });
  it('transposes panels', () => {
    expect(Array.from(transpose(Float64Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
