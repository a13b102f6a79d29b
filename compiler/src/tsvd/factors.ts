/**
 * Conversions between the transition's component lists (work orientation) and
 * the packed ternary tensors of the public API (U [m, r], V [r, n]), plus the
 * cost of a factorization as the paper counts it.
 */
import { ternarySet, ternaryZeros, ternaryRowTerms, TsvdcError, type TernaryTensor } from '@tsvdc/ir';
import type { TernaryComponents } from '../linalg/components.js';
import { TSVD_CODES } from './codes.js';
import type { Factors } from './types.js';

/**
 * Packs the components as U [rows, r] and V [r, cols] of the ORIGINAL matrix.
 * When the transition ran on A^T, A ~= V_w^T diag(s) U_w^T: the roles swap.
 */
export function packFactors(comps: TernaryComponents, transposed: boolean): { U: TernaryTensor; V: TernaryTensor } {
  const r = comps.count;
  const colLen = transposed ? comps.n : comps.m; // length of the columns of U
  const rowLen = transposed ? comps.m : comps.n; // length of the rows of V
  const U = ternaryZeros([colLen, r]);
  const V = ternaryZeros([r, rowLen]);
  const a = new Int8Array(comps.m);
  const b = new Int8Array(comps.n);
  for (let i = 0; i < r; i++) {
    comps.u(i, a);
    comps.v(i, b);
    const col = transposed ? b : a;
    const row = transposed ? a : b;
    for (let p = 0; p < colLen; p++) if (col[p] !== 0) ternarySet(U, p, i, col[p]!);
    for (let q = 0; q < rowLen; q++) if (row[q] !== 0) ternarySet(V, i, q, row[q]!);
  }
  return { U, V };
}

/** Columns of U and rows of V as Int8 vectors, in the work orientation. */
export function unpackFactors(f: { U: TernaryTensor; V: TernaryTensor }, transposed: boolean): { us: Int8Array[]; vs: Int8Array[] } {
  const r = f.U.cols;
  const cols: Int8Array[] = Array.from({ length: r }, () => new Int8Array(f.U.rows));
  for (let p = 0; p < f.U.rows; p++) {
    const { plus, minus } = ternaryRowTerms(f.U, p);
    for (const i of plus) cols[i]![p] = 1;
    for (const i of minus) cols[i]![p] = -1;
  }
  const rows: Int8Array[] = [];
  for (let i = 0; i < r; i++) {
    const row = new Int8Array(f.V.cols);
    const { plus, minus } = ternaryRowTerms(f.V, i);
    for (const q of plus) row[q] = 1;
    for (const q of minus) row[q] = -1;
    rows.push(row);
  }
  return transposed ? { us: rows, vs: cols } : { us: cols, vs: rows };
}

/** Checks that U [m, r] and V [r, n] fit a rows x cols matrix. */
export function checkFactorShapes(U: TernaryTensor, V: TernaryTensor, rows: number, cols: number, what: string, code: string = TSVD_CODES.badShape): void {
  if (U.shape.length !== 2 || V.shape.length !== 2 || U.rows !== rows || V.cols !== cols || U.cols !== V.rows) {
    throw new TsvdcError(code as `TSVDC${number}`,
      `${what}: U [${U.shape}] and V [${V.shape}] do not factor a ${rows}x${cols} matrix (need U [${rows}, r], V [r, ${cols}])`);
  }
}

/**
 * Cost per input vector: r multiplications; two-input additions of t = V x and
 * y = U t' before any sharing, i.e. sum over rows of max(0, nnz(row) - 1).
 */
export function factorCost(f: Pick<Factors, 'U' | 'V'>): { muls: number; adds: number } {
  let adds = 0;
  for (const t of [f.U, f.V]) {
    for (let i = 0; i < t.rows; i++) {
      const { plus, minus } = ternaryRowTerms(t, i);
      adds += Math.max(0, plus.length + minus.length - 1);
    }
  }
  return { muls: f.V.rows, adds };
}
