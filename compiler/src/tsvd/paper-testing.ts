/**
 * Test support: the direct transition of TSVD.md written the plain way, as an
 * independent yardstick for `decompose(A, { refine: 0 })`. It shares with decompose.ts
 * only ternaryPolicy (policy.ts), and with linalg/topk.ts only the dense symmetricEigen
 * (eigen.ts, which topk applies to a small Rayleigh-Ritz Gram matrix); nothing with
 * state.ts. The top-k triplets come from an exact eigen-decomposition of R R^T (dense,
 * R formed every step, no Krylov or block iteration), and the scales from a Cholesky
 * factor of the damped K = (U^T U) o (V V^T) recomputed from scratch with the CURRENT
 * rms(K), as TSVD.md states it. Slow (O(m^2 n + r^3) per step):
 * for matrices of a few thousand entries and large strides only.
 */
import { symmetricEigen } from '../linalg/eigen.js';
import { ternaryPolicy } from './policy.js';
import type { Matrix } from './types.js';

export interface PaperResult {
  /** The u [m] components, in the work orientation (m <= n): of A or of A^T. */
  readonly us: Int8Array[];
  /** sigma_1(R) / sigma_1(A) at the stop. */
  readonly error: number;
}

/** TSVD.md's direct transition, stride max(1, floor(m n / (m + n) / steps)). */
export function paperTsvd(A: Matrix, o: { tol: number; cosThresh: number; steps: number }): PaperResult {
  const W = A.rows <= A.cols ? A : transposed(A);
  const { rows: m, cols: n } = W;
  const k = Math.max(1, Math.floor((m * n) / (m + n) / o.steps));
  const us: Int8Array[] = [];
  const vs: Int8Array[] = [];
  const gram: Float64Array[] = []; // row i: K_i0 .. K_ii (exact integers, so kept across steps)
  let s: Float64Array = new Float64Array(0);
  let sigmaRef = 0;
  for (let first = true; ; first = false) {
    const R = residual(W, us, vs, s);
    const { sigma, u, v } = topTriplets(R, m, n, k);
    if (first) sigmaRef = sigma[0]!;
    if (!(sigmaRef > 0) || sigma[0]! / sigmaRef < o.tol) return { us, error: sigmaRef > 0 ? sigma[0]! / sigmaRef : 0 };
    for (let c = 0; c < k && sigma[c]! > 1e-13 * sigmaRef; c++) {
      us.push(ternaryPolicy(u[c]!, o.cosThresh));
      vs.push(ternaryPolicy(v[c]!, o.cosThresh));
    }
    s = refit(W, us, vs, gram);
  }
}

function transposed(A: Matrix): Matrix {
  const data = new Float64Array(A.data.length);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) data[j * A.rows + i] = A.data[i * A.cols + j]!;
  return { rows: A.cols, cols: A.rows, data };
}

function residual(W: Matrix, us: Int8Array[], vs: Int8Array[], s: Float64Array): Float64Array {
  const R = Float64Array.from(W.data);
  us.forEach((u, l) => {
    for (let i = 0; i < W.rows; i++) {
      if (u[i] === 0) continue;
      const f = u[i]! * s[l]!;
      for (let j = 0; j < W.cols; j++) if (vs[l]![j] !== 0) R[i * W.cols + j]! -= f * vs[l]![j]!;
    }
  });
  return R;
}

/** The k largest singular triplets of R (m <= n) from the eigenvectors of R R^T. */
function topTriplets(R: Float64Array, m: number, n: number, k: number): { sigma: number[]; u: Float64Array[]; v: Float64Array[] } {
  const G = new Float64Array(m * m);
  for (let p = 0; p < m; p++) {
    for (let q = 0; q <= p; q++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += R[p * n + j]! * R[q * n + j]!;
      G[p * m + q] = G[q * m + p] = acc;
    }
  }
  const eig = symmetricEigen(G, m);
  const sigma: number[] = [];
  const u: Float64Array[] = [];
  const v: Float64Array[] = [];
  for (let c = 0; c < Math.min(k, m); c++) {
    const sc = Math.sqrt(Math.max(0, eig.values[c]!));
    const uc = Float64Array.from({ length: m }, (_, i) => eig.vectors[i * m + c]!);
    const vc = new Float64Array(n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) vc[j]! += uc[i]! * R[i * n + j]!;
    for (let j = 0; j < n; j++) vc[j]! /= sc || 1;
    sigma.push(sc);
    u.push(uc);
    v.push(vc);
  }
  return { sigma, u, v };
}

const dot8 = (a: Int8Array, b: Int8Array): number => {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc += a[i]! * b[i]!;
  return acc;
};

/**
 * s = (K + 1e-5 rms(K) I)^-1 b, K_ij = (u_i.u_j)(v_i.v_j), b_i = u_i^T W v_i, by a
 * Cholesky factor computed from scratch. `gram` holds the rows of K computed so far.
 */
function refit(W: Matrix, us: Int8Array[], vs: Int8Array[], gram: Float64Array[]): Float64Array {
  const r = us.length;
  for (let i = gram.length; i < r; i++) gram.push(Float64Array.from({ length: i + 1 }, (_, j) => dot8(us[i]!, us[j]!) * dot8(vs[i]!, vs[j]!)));
  const K = new Float64Array(r * r);
  const b = new Float64Array(r);
  let sumSq = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j <= i; j++) {
      K[i * r + j] = K[j * r + i] = gram[i]![j]!;
      sumSq += (i === j ? 1 : 2) * gram[i]![j]! ** 2;
    }
    for (let p = 0; p < W.rows; p++) {
      if (us[i]![p] === 0) continue;
      for (let q = 0; q < W.cols; q++) b[i]! += us[i]![p]! * W.data[p * W.cols + q]! * vs[i]![q]!;
    }
  }
  const lam = 1e-5 * Math.sqrt(sumSq / (r * r));
  for (let i = 0; i < r; i++) K[i * r + i]! += lam;
  // in-place Cholesky (lower, row by row), then two triangular solves
  for (let i = 0; i < r; i++) {
    const ri = i * r;
    for (let j = 0; j <= i; j++) {
      const rj = j * r;
      let x = K[ri + j]!;
      for (let l = 0; l < j; l++) x -= K[ri + l]! * K[rj + l]!;
      K[ri + j] = i === j ? Math.sqrt(x) : x / K[rj + j]!;
    }
  }
  const y = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let x = b[i]!;
    for (let l = 0; l < i; l++) x -= K[i * r + l]! * y[l]!;
    y[i] = x / K[i * r + i]!;
  }
  for (let i = r - 1; i >= 0; i--) {
    let x = y[i]!;
    for (let l = i + 1; l < r; l++) x -= K[l * r + i]! * y[l]!;
    y[i] = x / K[i * r + i]!;
  }
  return y;
}
