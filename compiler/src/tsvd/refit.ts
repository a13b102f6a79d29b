/**
 * The joint least-squares refit of TSVD.md step 4d, on its own: for fixed ternary
 * U [m, r] and V [r, n], the scales s minimizing ||A - U diag(s) V||_F, from the
 * damped normal equations (K + 1e-5 rms(K) I) s = b, K = (U^T U) o (V V^T),
 * b_i = u_i^T A v_i, solved by Cholesky. K is built from popcounts (exact).
 */
import { TsvdcError, type TernaryTensor } from '@tsvdc/ir';
import { GrowingCholesky } from '../linalg/cholesky.js';
import { TernaryComponents } from '../linalg/components.js';
import { TSVD_CODES } from './codes.js';
import { checkFactorShapes, unpackFactors } from './factors.js';
import { DAMPING } from './state.js';
import type { Matrix } from './types.js';

export function refitScales(A: Matrix, U: TernaryTensor, V: TernaryTensor): Float64Array {
  if (A.data.length !== A.rows * A.cols) {
    throw new TsvdcError(TSVD_CODES.badShape, `refitScales: matrix ${A.rows}x${A.cols} has ${A.data.length} values`);
  }
  checkFactorShapes(U, V, A.rows, A.cols, 'refitScales');
  const r = U.cols;
  if (r === 0) return new Float64Array(0);
  const { us, vs } = unpackFactors({ U, V }, false);
  const comps = new TernaryComponents(A.rows, A.cols);
  const b = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    comps.add(us[i]!, vs[i]!);
    b[i] = bilinear(A, us[i]!, vs[i]!);
  }
  const rows = new Float64Array((r * (r + 1)) / 2);
  let sumSq = 0;
  for (let i = 0, off = 0; i < r; off += i + 1, i++) {
    comps.gramRow(i, rows, off);
    for (let j = 0; j <= i; j++) sumSq += (j === i ? 1 : 2) * rows[off + j]! * rows[off + j]!;
  }
  const lam = DAMPING * Math.sqrt(sumSq / (r * r));
  for (let i = 0, off = 0; i < r; off += i + 1, i++) rows[off + i]! += lam;
  const chol = new GrowingCholesky();
  chol.append(rows, r, b, lam);
  return chol.solve();
}

function bilinear(A: Matrix, u: Int8Array, v: Int8Array): number {
  let total = 0;
  for (let i = 0; i < A.rows; i++) {
    if (u[i] === 0) continue;
    let row = 0;
    const o = i * A.cols;
    for (let j = 0; j < A.cols; j++) if (v[j] !== 0) row += v[j]! * A.data[o + j]!;
    total += u[i]! * row;
  }
  return total;
}
