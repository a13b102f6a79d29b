/**
 * The largest eigenpair of a symmetric tridiagonal matrix (diagonal d, off-diagonal
 * e, e[i] couples i and i+1): Sturm-sequence bisection for the value, then inverse
 * iteration with a shift just above it, where T - shift*I is negative definite so
 * LDL^T needs no pivoting. O(j) per bisection step; Lanczos calls this often.
 */
export function tridiagonalTop(d: Float64Array, e: Float64Array): { value: number; vector: Float64Array } {
  const j = d.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < j; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]!) : 0) + (i + 1 < j ? Math.abs(e[i]!) : 0);
    lo = Math.min(lo, d[i]! - r);
    hi = Math.max(hi, d[i]! + r);
  }
  const scale = Math.max(Math.abs(lo), Math.abs(hi), Number.MIN_VALUE);
  // invariant: no eigenvalue above hi; at least one at or above lo
  for (let it = 0; it < 200 && hi - lo > 4e-16 * scale; it++) {
    const mid = 0.5 * (lo + hi);
    if (countAbove(d, e, mid) > 0) lo = mid;
    else hi = mid;
  }
  const value = hi;
  const shift = value + 1e-12 * scale + Number.MIN_VALUE;
  let x: Float64Array = new Float64Array(j).fill(1 / Math.sqrt(j));
  for (let it = 0; it < 3; it++) {
    x = solveShifted(d, e, shift, x);
    let norm = 0;
    for (let i = 0; i < j; i++) norm += x[i]! * x[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < j; i++) x[i]! /= norm;
  }
  return { value, vector: x };
}

/** Number of eigenvalues strictly greater than x (Sturm count via LDL^T of T - xI). */
function countAbove(d: Float64Array, e: Float64Array, x: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < d.length; i++) {
    const ee = i > 0 ? e[i - 1]! : 0;
    q = d[i]! - x - (i > 0 ? (ee * ee) / q : 0);
    if (q === 0) q = -1e-300; // treat an exact zero pivot as (barely) negative
    if (q > 0) count++;
  }
  return count;
}

/** Solves (T - shift I) y = x with T - shift I negative definite. */
function solveShifted(d: Float64Array, e: Float64Array, shift: number, x: Float64Array): Float64Array {
  const j = d.length;
  const piv = new Float64Array(j);
  const y = Float64Array.from(x);
  piv[0] = d[0]! - shift;
  for (let i = 1; i < j; i++) {
    const l = e[i - 1]! / piv[i - 1]!;
    piv[i] = d[i]! - shift - l * e[i - 1]!;
    y[i]! -= l * y[i - 1]!;
  }
  y[j - 1]! /= piv[j - 1]!;
  for (let i = j - 2; i >= 0; i--) y[i] = (y[i]! - e[i]! * y[i + 1]!) / piv[i]!;
  return y;
}
