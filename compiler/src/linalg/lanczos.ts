/**
 * The largest singular value of an operator, to a stated accuracy, by
 * Golub-Kahan-Lanczos bidiagonalization with full re-orthogonalization.
 *
 * After j steps, R V_j = U_j B_j and R^T U_j = V_j B_j^T + beta_j v_{j+1} e_j^T, so a
 * singular triplet (theta, x, y) of the small bidiagonal B_j gives u = U_j x,
 * v = V_j y with R v = theta u exactly and ||R^T u - theta v|| = beta_j |x_j|.
 * We stop when that residual is at most `tol * theta`: theta is then within
 * `tol * theta` of a singular value of R (the largest one, unless the random
 * start vector is orthogonal to its singular vector: probability zero).
 */
import { dot } from './dense.js';
import { tridiagonalTop } from './tridiagonal.js';
import type { LinearOperator } from './operator.js';
import { Rng } from './random.js';

export interface SigmaMaxResult {
  /** The converged Ritz value (a lower bound on sigma_1 up to rounding). */
  sigma: number;
  /** The residual beta_j |x_j| at exit: sigma is this close to a singular value. */
  residual: number;
  iterations: number;
  converged: boolean;
}

export interface SigmaMaxOptions {
  tol?: number;
  maxIter?: number;
  seed?: number;
  /** Start vector (length cols); a random component is mixed in so no direction is missed. */
  start?: Float64Array;
}

export function sigmaMax(op: LinearOperator, options: SigmaMaxOptions = {}): SigmaMaxResult {
  const tol = options.tol ?? 1e-6;
  const n = op.cols;
  const m = op.rows;
  const maxIter = Math.min(options.maxIter ?? 300, Math.min(m, n) + 1);
  if (maxIter <= 0) return { sigma: 0, residual: 0, iterations: 0, converged: true };
  const rng = new Rng(options.seed ?? 0x5eed);
  const V: Float64Array[] = [];
  const U: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let v = rng.fillGaussian(new Float64Array(n));
  if (options.start) {
    const sn = Math.sqrt(dot(options.start, 0, options.start, 0, n));
    const vn = Math.sqrt(dot(v, 0, v, 0, n));
    if (sn > 0) for (let j = 0; j < n; j++) v[j] = options.start[j]! / sn + (0.05 * v[j]!) / vn;
  }
  scale(v, 1 / Math.sqrt(dot(v, 0, v, 0, n)));
  let best: SigmaMaxResult = { sigma: 0, residual: Infinity, iterations: 0, converged: false };
  // Breakdown (a new vector with no norm left after re-orthogonalization) means an
  // invariant subspace was found: the Ritz value is then exact. Relative to the
  // largest alpha/beta so far, since rounding leaves ~1e-16 instead of 0.
  let big = 0;
  for (let j = 0; j < maxIter; j++) {
    V.push(v);
    const u = new Float64Array(m);
    op.apply(v, u, 1);
    if (j > 0) axpy(u, -beta[j - 1]!, U[j - 1]!);
    reorthogonalize(u, U);
    const a = Math.sqrt(dot(u, 0, u, 0, m));
    if (a <= 1e-12 * big || a === 0) {
      // R^T U_j = V_{j+1} B_{j,j+1}^T exactly: the rectangular B (last alpha 0) is exact
      alpha.push(0);
      return { sigma: ritzTop(alpha, beta).theta, residual: 0, iterations: j + 1, converged: true };
    }
    alpha.push(a);
    big = Math.max(big, a);
    scale(u, 1 / a);
    U.push(u);
    const w = new Float64Array(n);
    op.applyT(u, w, 1);
    axpy(w, -a, v);
    reorthogonalize(w, V);
    let bnext = Math.sqrt(dot(w, 0, w, 0, n));
    if (bnext <= 1e-12 * big) bnext = 0;
    beta.push(bnext);
    big = Math.max(big, bnext);
    const { theta, lastComponent } = ritzTop(alpha, beta);
    const residual = bnext * Math.abs(lastComponent);
    best = { sigma: theta, residual, iterations: j + 1, converged: residual <= tol * theta || bnext === 0 };
    if (best.converged) return best;
    scale(w, 1 / bnext);
    v = w;
  }
  return best;
}

/** Top singular value of the j x j upper bidiagonal B (diag alpha, super beta) and x_j. */
function ritzTop(alpha: number[], beta: number[]): { theta: number; lastComponent: number } {
  const j = alpha.length;
  // T = B B^T is tridiagonal: T_ii = alpha_i^2 + beta_i^2 (i < j-1), T_{i,i+1} = beta_i alpha_{i+1}
  const d = new Float64Array(j);
  const e = new Float64Array(Math.max(0, j - 1));
  for (let i = 0; i < j; i++) {
    d[i] = alpha[i]! * alpha[i]! + (i + 1 < j ? beta[i]! * beta[i]! : 0);
    if (i + 1 < j) e[i] = beta[i]! * alpha[i + 1]!;
  }
  const { value, vector } = tridiagonalTop(d, e);
  return { theta: Math.sqrt(Math.max(0, value)), lastComponent: vector[j - 1]! };
}

function reorthogonalize(x: Float64Array, basis: Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) {
      const h = dot(q, 0, x, 0, x.length);
      if (h !== 0) axpy(x, -h, q);
    }
  }
}

function axpy(y: Float64Array, a: number, x: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}
