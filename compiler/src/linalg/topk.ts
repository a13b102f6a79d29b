/**
 * Top-k singular triplets of a matrix-free operator R by warm-started block
 * Krylov iteration with Rayleigh-Ritz.
 *
 * From an orthonormal start block X_0 (b vectors, Ritz vectors k+1..k+b of the
 * previous call), build X_{j+1} = orth(R^T R X_j against X_0..X_j) for j < levels,
 * keeping Y_j = R X_j. With Q = [X_0 .. X_levels] orthonormal, R Q = [Y_0 .. Y_levels]
 * is known without further products, and the singular triplets of that small
 * (m x (levels+1) b) matrix are the Rayleigh-Ritz approximations over span(Q):
 * R v = sigma u holds exactly for v = Q w, u = R Q w / sigma. Cost: 2 levels + 1
 * block products. On the flat spectra of TSVD residuals a Krylov space converges
 * far faster per product than subspace (power) iteration, which keeps only the last block.
 */
import { orthonormalizeRows, transpose } from './dense.js';
import { symmetricEigen } from './eigen.js';
import { orthonormalizeBlock, Workspace, type Block } from './wasm/workspace.js';
import type { LinearOperator } from './operator.js';
import { Rng } from './random.js';

export interface Triplets {
  /** k singular values, descending. */
  sigma: Float64Array;
  /** k left vectors, one per row (k x rows). */
  u: Float64Array;
  /** k right vectors, one per row (k x cols). */
  v: Float64Array;
  /** Block products used. */
  products: number;
}

/** Keeps the warm start block between calls. */
export class BlockSvd {
  readonly rows: number;
  readonly cols: number;
  readonly block: number;
  private basis: Float64Array; // block x cols, orthonormal rows
  private readonly rng: Rng;
  private readonly ws = new Workspace();

  constructor(rows: number, cols: number, block: number, seed: number) {
    this.rows = rows;
    this.cols = cols;
    this.block = Math.max(1, Math.min(block, rows, cols));
    this.rng = new Rng(seed);
    this.basis = this.rng.fillGaussian(new Float64Array(this.block * cols));
    orthonormalizeRows(this.basis, this.block, cols, this.rng);
  }

  /**
   * The top k (<= block) triplets of `op` (shape rows x cols): from one Krylov
   * space of `levels` + 1 blocks (for the TSVD loop: the next call starts after
   * these k directions), or, given { tol, maxIter }, from repeated warm-started
   * 2-level spaces until the top-k singular values change by at most tol
   * (relative to sigma_1) between two rounds, or maxIter rounds.
   */
  top(op: LinearOperator, k: number, levels: number | { tol: number; maxIter: number }): Triplets {
    if (typeof levels === 'number') return this.krylov(op, k, levels, true);
    let prev = this.krylov(op, k, 2, false);
    for (let it = 1; it < levels.maxIter; it++) {
      const next = this.krylov(op, k, 2, false);
      next.products += prev.products;
      let change = 0;
      for (let c = 0; c < next.sigma.length; c++) change = Math.max(change, Math.abs(next.sigma[c]! - prev.sigma[c]!));
      prev = next;
      if (change <= levels.tol * next.sigma[0]!) break;
    }
    return prev;
  }

  private krylov(op: LinearOperator, k: number, levels: number, skipTop: boolean): Triplets {
    const { rows: m, cols: n, block: b, ws } = this;
    k = Math.min(k, b);
    // the space cannot exceed R^n: the last block may be narrower, or missing
    const D = Math.min((levels + 1) * b, n);
    ws.reset(D * n + D * m + (2 * D * b + b * b + b * n) + D * D + 2 * (k + b) * (D + n) + k * m + 64);
    const Q = ws.alloc(D * n); // rows: the basis vectors
    const Yr = ws.alloc(D * m); // rows: R applied to each basis vector
    const scratch = ws.alloc(2 * D * b + b * b + b * n);
    Q.view.set(this.basis);
    const X = new Float64Array(n * b);
    const Y = new Float64Array(m * b);
    const Z = new Float64Array(n * b);
    let products = 0;
    for (let lo = 0; lo < D; ) {
      const w = Math.min(b, D - lo);
      transpose(Q.view.subarray(lo * n, (lo + w) * n), w, n, X);
      op.apply(X, Y, w);
      products++;
      transpose(Y, m, w, Yr.view.subarray(lo * m, (lo + w) * m));
      const next = Math.min(b, D - lo - w);
      if (next === 0) break;
      op.applyT(Y, Z, w);
      products++;
      // the next block: R^T R X_j (its first `next` columns), orthogonalized against all before
      const rows = transpose(Z, n, w);
      Q.view.set(rows.subarray(0, next * n), (lo + w) * n);
      orthonormalizeBlock(ws, Q, lo + w, next, n, this.rng, scratch);
      lo += w;
    }
    // Rayleigh-Ritz: eigen-decomposition of (R Q)^T (R Q)
    const G = ws.alloc(D * D);
    ws.k.gemmNT(Yr.ptr, m, Yr.ptr, m, G.ptr, D, D, D, m);
    const { values, vectors: W } = symmetricEigen(G.view, D);
    const sigma = values.map((x) => Math.sqrt(Math.max(0, x)));
    // Wt: the top eigenvectors as rows; V = Wt Q (right Ritz vectors), u = Wt_k (R Q)
    // The next start block skips the k leading Ritz vectors: the caller removes (most
    // of) those directions, so the next step's top vectors lie mostly among the
    // following ones (measured: 1-2 fewer TSVD steps to the same tolerance).
    const shift = skipTop ? Math.max(0, Math.min(k, D - b)) : 0;
    const nv = shift + b;
    const Wt = ws.alloc(nv * D);
    for (let c = 0; c < nv; c++) for (let d = 0; d < D; d++) Wt.view[c * D + d] = W[d * D + c]!;
    const V = ws.alloc(nv * n);
    ws.k.gemmNN(Wt.ptr, D, Q.ptr, n, V.ptr, n, nv, n, D, 0);
    const U = ws.alloc(k * m);
    ws.k.gemmNN(Wt.ptr, D, Yr.ptr, m, U.ptr, m, k, m, D, 0);
    const u = U.view.slice();
    const v = canonicalSigns(V.view, u, k, m, n);
    // the next start block: Ritz vectors shift..shift+b (orthonormal up to rounding)
    const next: Block = { ptr: V.ptr + shift * n * 8, view: V.view.subarray(shift * n, nv * n) };
    orthonormalizeBlock(ws, next, 0, b, n, this.rng, scratch);
    this.basis = next.view.slice();
    return { sigma: sigma.slice(0, k), u, v, products };
  }
}

/**
 * Normalizes u (computed as R v, so its norm is sigma) and fixes the sign of each
 * pair: the largest |entry| of v is positive (the first such entry on ties).
 * Returns the first k rows of V.
 */
function canonicalSigns(V: Float64Array, u: Float64Array, k: number, m: number, n: number): Float64Array {
  const v = V.slice(0, k * n);
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 1; j < n; j++) if (Math.abs(v[c * n + j]!) > Math.abs(v[c * n + big]!)) big = j;
    const flip = v[c * n + big]! < 0 ? -1 : 1;
    let norm = 0;
    for (let i = 0; i < m; i++) norm += u[c * m + i]! * u[c * m + i]!;
    const inv = norm > 0 ? flip / Math.sqrt(norm) : 0;
    for (let j = 0; j < n; j++) v[c * n + j]! *= flip;
    for (let i = 0; i < m; i++) u[c * m + i]! *= inv;
  }
  return v;
}
