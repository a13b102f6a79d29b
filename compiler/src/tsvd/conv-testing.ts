/**
 * Test support for the decompose, conv and training-transition tests: an exact
 * reference for the operator norm, independent of the linear algebra under test;
 * random matrices of a chosen spectrum; the dense residual of packed factors.
 */
import { ternaryToInt8 } from '@tsvdc/ir';
import { Rng } from '../linalg/random.js';
import type { DecomposeResult, Matrix } from './types.js';

/** Largest singular value by cyclic Jacobi on the smaller Gram matrix (exact to rounding). */
export function spectralNormRef(a: Matrix): number {
  const small = Math.min(a.rows, a.cols);
  const G = new Float64Array(small * small);
  const at = (i: number, j: number): number => a.data[i * a.cols + j]!;
  for (let p = 0; p < small; p++) {
    for (let q = 0; q < small; q++) {
      let acc = 0;
      if (a.rows <= a.cols) for (let j = 0; j < a.cols; j++) acc += at(p, j) * at(q, j);
      else for (let i = 0; i < a.rows; i++) acc += at(i, p) * at(i, q);
      G[p * small + q] = acc;
    }
  }
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < small; p++) for (let q = p + 1; q < small; q++) off += G[p * small + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < small; p++) {
      for (let q = p + 1; q < small; q++) {
        const apq = G[p * small + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (G[q * small + q]! - G[p * small + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < small; k++) {
          const gkp = G[k * small + p]!;
          const gkq = G[k * small + q]!;
          G[k * small + p] = c * gkp - s * gkq;
          G[k * small + q] = s * gkp + c * gkq;
        }
        for (let k = 0; k < small; k++) {
          const gpk = G[p * small + k]!;
          const gqk = G[q * small + k]!;
          G[p * small + k] = c * gpk - s * gqk;
          G[q * small + k] = s * gpk + c * gqk;
        }
      }
    }
  }
  let top = 0;
  for (let p = 0; p < small; p++) top = Math.max(top, G[p * small + p]!);
  return Math.sqrt(top);
}

/** A random matrix: Gaussian, Gamma-magnitude (random sign), decaying (g / (1 + i + j)^1.5), or low rank (1-3) + 1e-3 noise. */
export function makeMatrix(rows: number, cols: number, kind: string, seed: number): Matrix {
  const rng = new Rng(seed);
  const data = new Float64Array(rows * cols);
  if (kind === 'lowrank') {
    const r = 1 + (Math.abs(seed) % 3);
    const a = rng.fillGaussian(new Float64Array(rows * r));
    const b = rng.fillGaussian(new Float64Array(r * cols));
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      let s = 1e-3 * rng.gaussian();
      for (let l = 0; l < r; l++) s += a[i * r + l]! * b[l * cols + j]!;
      data[i * cols + j] = s;
    }
  } else {
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
      const g = rng.gaussian();
      // gamma(1,1) = exponential magnitude with a random sign
      data[i * cols + j] = kind === 'gamma' ? -Math.log(rng.nextFloat()) * Math.sign(g) : kind === 'decay' ? g / (1 + i + j) ** 1.5 : g;
    }
  }
  return { rows, cols, data };
}

/** Dense R = A - U diag(s) V from the packed factors. */
export function residual(A: Matrix, f: DecomposeResult): Float64Array {
  const U = ternaryToInt8(f.U);
  const V = ternaryToInt8(f.V);
  const r = f.rank;
  const R = Float64Array.from(A.data);
  for (let i = 0; i < A.rows; i++) for (let l = 0; l < r; l++) {
    const u = U[i * r + l]!;
    if (u === 0) continue;
    for (let j = 0; j < A.cols; j++) R[i * A.cols + j]! -= u * f.s[l]! * V[l * A.cols + j]!;
  }
  return R;
}
