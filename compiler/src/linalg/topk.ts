/**
 * Top-k singular triplets of a matrix-free operator by block subspace iteration
 * with Rayleigh-Ritz, warm-started from the basis the previous call ended with.
 *
 * One iteration: Y = R X, Z = R^T Y, Ritz values from X^T Z = X^T R^T R X; the
 * next basis is orth(Z W) (one power step on the Ritz vectors). A Ritz pair
 * (sigma, u = Y w / sigma, v = X w) satisfies R v = sigma u exactly; its residual
 * ||R^T u - sigma v|| = ||Z w / sigma - sigma X w|| measures convergence. In the
 * TSVD loop R changes a little per step, so a warm basis usually needs 1-3 iterations.
 */
import { matmulSmall, orthonormalizeRows, symmetricEigen, transpose } from './dense.js';
import type { LinearOperator } from './operator.js';
import { Rng } from './random.js';

export interface Triplets {
  /** k singular values, descending. */
  sigma: Float64Array;
  /** k left vectors, one per row (k x rows). */
  u: Float64Array;
  /** k right vectors, one per row (k x cols). */
  v: Float64Array;
  /** Largest residual ||R^T u_i - sigma_i v_i|| / sigma_1 over the k pairs. */
  residual: number;
  /** Iterations used (each is two block products of width `block`). */
  iterations: number;
}

export interface BlockSvdOptions {
  /** Converged when every returned pair has residual <= tol * sigma_1. */
  tol: number;
  maxIter: number;
}

/** Keeps the warm basis between calls. */
export class BlockSvd {
  readonly rows: number;
  readonly cols: number;
  readonly block: number;
  private basis: Float64Array; // block x cols, orthonormal rows
  private readonly rng: Rng;

  constructor(rows: number, cols: number, block: number, seed: number) {
    this.rows = rows;
    this.cols = cols;
    this.block = Math.max(1, Math.min(block, rows, cols));
    this.rng = new Rng(seed);
    this.basis = this.rng.fillGaussian(new Float64Array(this.block * cols));
    orthonormalizeRows(this.basis, this.block, cols, this.rng);
  }

  /** The top k (<= block) triplets of `op`, whose shape must be rows x cols. */
  top(op: LinearOperator, k: number, options: BlockSvdOptions): Triplets {
    const { rows: m, cols: n, block: b } = this;
    k = Math.min(k, b);
    const X = new Float64Array(n * b);
    const Y = new Float64Array(m * b);
    const Z = new Float64Array(n * b);
    let result: Triplets | undefined;
    for (let it = 1; !result; it++) {
      transpose(this.basis, b, n, X);
      op.apply(X, Y, b);
      op.applyT(Y, Z, b);
      const G = gramXZ(this.basis, Z, b, n);
      const { values, vectors: W } = symmetricEigen(G, b);
      const sigma = values.map((x) => Math.sqrt(Math.max(0, x)));
      const ZW = matmulSmall(Z, n, b, W, b);
      const XW = matmulSmall(X, n, b, W, b);
      const residual = ritzResidual(ZW, XW, sigma, n, b, k);
      if (residual <= options.tol || it >= options.maxIter) {
        result = extract(Y, W, XW, sigma, m, n, b, k, residual, it);
      }
      // next basis: one power step on the Ritz vectors, in descending order
      transpose(ZW, n, b, this.basis);
      orthonormalizeRows(this.basis, b, n, this.rng);
    }
    return result;
  }
}

/** G = X^T Z with X given as its rows (b x n) and Z as a panel (n x b); symmetrized. */
function gramXZ(Xrows: Float64Array, Z: Float64Array, b: number, n: number): Float64Array {
  const G = new Float64Array(b * b);
  for (let j = 0; j < n; j++) {
    const zo = j * b;
    for (let c = 0; c < b; c++) {
      const x = Xrows[c * n + j]!;
      if (x === 0) continue;
      const go = c * b;
      for (let d = 0; d < b; d++) G[go + d]! += x * Z[zo + d]!;
    }
  }
  for (let c = 0; c < b; c++) {
    for (let d = c + 1; d < b; d++) {
      const avg = 0.5 * (G[c * b + d]! + G[d * b + c]!);
      G[c * b + d] = avg;
      G[d * b + c] = avg;
    }
  }
  return G;
}

/** max over the first k pairs of ||Z w/sigma - sigma X w|| / sigma_1. */
function ritzResidual(ZW: Float64Array, XW: Float64Array, sigma: Float64Array, n: number, b: number, k: number): number {
  const s1 = sigma[0]!;
  if (!(s1 > 0)) return 0;
  let worst = 0;
  for (let c = 0; c < k; c++) {
    const sc = sigma[c]!;
    if (!(sc > 1e-12 * s1)) continue;
    let r = 0;
    for (let j = 0; j < n; j++) {
      const d = ZW[j * b + c]! / sc - sc * XW[j * b + c]!;
      r += d * d;
    }
    worst = Math.max(worst, Math.sqrt(r) / s1);
  }
  return worst;
}

function extract(
  Y: Float64Array, W: Float64Array, XW: Float64Array, sigma: Float64Array,
  m: number, n: number, b: number, k: number, residual: number, iterations: number,
): Triplets {
  const YW = matmulSmall(Y, m, b, W, b);
  const u = new Float64Array(k * m);
  const v = new Float64Array(k * n);
  for (let c = 0; c < k; c++) {
    const sc = sigma[c]!;
    let norm = 0;
    for (let i = 0; i < m; i++) norm += YW[i * b + c]! * YW[i * b + c]!;
    norm = Math.sqrt(norm);
    // sign convention: the largest |entry| of v is positive (ties: the first)
    let big = 0;
    for (let j = 0; j < n; j++) if (Math.abs(XW[j * b + c]!) > Math.abs(XW[big * b + c]!)) big = j;
    const flip = XW[big * b + c]! < 0 ? -1 : 1;
    for (let j = 0; j < n; j++) v[c * n + j] = flip * XW[j * b + c]!;
    const inv = norm > 0 ? flip / norm : 0;
    for (let i = 0; i < m; i++) u[c * m + i] = YW[i * b + c]! * inv;
    sigma[c] = sc;
  }
  return { sigma: sigma.slice(0, k), u, v, residual, iterations };
}
