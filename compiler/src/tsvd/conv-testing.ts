/**
 * Test support for the conv and training-transition tests: an exact reference
 * for the operator norm, independent of the linear algebra under test.
 */
import type { Matrix } from './types.js';

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
