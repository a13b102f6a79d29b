/**
 * Small dense kernels on Float64Array: transposes between the two block layouts
 * used by the eigen-solvers ("panel": n x b row-major, what the matrix products
 * stream; "rows": b x n, one vector contiguous, what orthogonalization wants) and
 * Gram-Schmidt with re-orthogonalization. (symmetricEigen lives in eigen.ts.)
 */
import type { Rng } from './random.js';

/** Transposes a rows x cols row-major matrix into `out` (cols x rows). */
export function transpose(src: Float64Array, rows: number, cols: number, out: Float64Array = new Float64Array(rows * cols)): Float64Array {
  const B = 32; // tiles keep both sides in cache for the 3072-wide panels
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) out[j * rows + i] = src[i * cols + j]!;
      }
    }
  }
  return out;
}

export function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < len; i += 2) {
    s0 += a[aOff + i]! * b[bOff + i]!;
    s1 += a[aOff + i + 1]! * b[bOff + i + 1]!;
  }
  if (i < len) s0 += a[aOff + i]! * b[bOff + i]!;
  return s0 + s1;
}

/**
 * Orthonormalizes the b rows (each of length n) of `Q` in place: modified
 * Gram-Schmidt, applied twice ("twice is enough"), so the result is orthonormal
 * to working precision. A row that loses (almost) all of its norm is replaced by
 * a random vector orthogonalized against the others; that keeps the block full
 * rank when the operator has smaller rank than the block. Rows before `from` are
 * taken as already orthonormal. Returns the norms the rows had after projection
 * (0 marks a replaced row).
 */
export function orthonormalizeRows(Q: Float64Array, b: number, n: number, rng: Rng, from = 0): Float64Array {
  const kept = new Float64Array(b);
  for (let c = from; c < b; c++) {
    const off = c * n;
    let before = Math.sqrt(dot(Q, off, Q, off, n));
    for (let pass = 0; pass < 2; pass++) project(Q, c, n);
    let norm = Math.sqrt(dot(Q, off, Q, off, n));
    kept[c] = norm;
    // lost to cancellation (relative to its norm before projection): the block spans
    // more than the operator's range here. Random replacements first, then unit
    // vectors, of which one must work (a random stream can coincide with the data).
    for (let tries = 0; !(norm > 1e-10 * before); tries++) {
      kept[c] = 0;
      if (tries < 3) for (let j = 0; j < n; j++) Q[off + j] = rng.gaussian();
      else if (tries - 3 < n) {
        Q.fill(0, off, off + n);
        Q[off + tries - 3] = 1;
      } else throw new Error(`orthonormalizeRows: cannot extend a basis of ${c} vectors in R^${n}`);
      for (let pass = 0; pass < 2; pass++) project(Q, c, n);
      norm = Math.sqrt(dot(Q, off, Q, off, n));
      before = 1e8; // a replacement (norm ~1 before projection) must keep 1%
    }
    const inv = 1 / norm;
    for (let j = 0; j < n; j++) Q[off + j]! *= inv;
  }
  return kept;
}

function project(Q: Float64Array, c: number, n: number): void {
  const off = c * n;
  for (let p = 0; p < c; p++) {
    const po = p * n;
    const h = dot(Q, po, Q, off, n);
    if (h !== 0) for (let j = 0; j < n; j++) Q[off + j]! -= h * Q[po + j]!;
  }
}

export { symmetricEigen } from './eigen.js';

/** out (rows x b, row-major) = X (rows x c) * W (c x b). */
export function matmulSmall(X: Float64Array, rows: number, c: number, W: Float64Array, b: number, out: Float64Array = new Float64Array(rows * b)): Float64Array {
  out.fill(0, 0, rows * b);
  for (let i = 0; i < rows; i++) {
    const xo = i * c;
    const oo = i * b;
    for (let l = 0; l < c; l++) {
      const x = X[xo + l]!;
      if (x === 0) continue;
      const wo = l * b;
      for (let j = 0; j < b; j++) out[oo + j]! += x * W[wo + j]!;
    }
  }
  return out;
}
