/**
 * Small dense kernels on Float64Array: transposes between the two block layouts
 * used by the eigen-solvers ("panel": n x b row-major, what the matrix products
 * stream; "rows": b x n, one vector contiguous, what orthogonalization wants),
 * Gram-Schmidt with re-orthogonalization, and a Jacobi eigen-solver for the small
 * symmetric matrices of Rayleigh-Ritz steps.
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
 * rank when the operator has smaller rank than the block. Returns the norms the
 * rows had after the first pass (0 marks a replaced row).
 */
export function orthonormalizeRows(Q: Float64Array, b: number, n: number, rng: Rng): Float64Array {
  const kept = new Float64Array(b);
  for (let c = 0; c < b; c++) {
    const off = c * n;
    const before = Math.sqrt(dot(Q, off, Q, off, n));
    for (let pass = 0; pass < 2; pass++) project(Q, c, n);
    let norm = Math.sqrt(dot(Q, off, Q, off, n));
    kept[c] = norm;
    let tries = 0;
    while (!(norm > 1e-10 * before) || norm === 0) {
      // lost to cancellation: the block spans more than the operator's range here
      kept[c] = 0;
      for (let j = 0; j < n; j++) Q[off + j] = rng.gaussian();
      for (let pass = 0; pass < 2; pass++) project(Q, c, n);
      norm = Math.sqrt(dot(Q, off, Q, off, n));
      if (++tries > 8) throw new Error(`orthonormalizeRows: cannot extend a basis of ${c} vectors in R^${n}`);
      if (norm > 1e-8) break;
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

/**
 * Eigen-decomposition of a symmetric b x b matrix (row-major, not modified) by
 * cyclic Jacobi rotations. Returns eigenvalues in descending order and the
 * eigenvectors as the COLUMNS of `vectors` (b x b row-major), in the same order.
 * Jacobi is slower than QR for large b but accurate for tiny eigenvalues and
 * simple; b here is a block size (tens to a few hundred).
 */
export function symmetricEigen(S: Float64Array, b: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(S);
  const v = new Float64Array(b * b);
  for (let i = 0; i < b; i++) v[i * b + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < b; i++) {
      diag += a[i * b + i]! * a[i * b + i]!;
      for (let j = i + 1; j < b; j++) off += a[i * b + j]! * a[i * b + j]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < b; p++) {
      for (let q = p + 1; q < b; q++) rotate(a, v, b, p, q);
    }
  }
  const order = Array.from({ length: b }, (_, i) => i).sort((x, y) => a[y * b + y]! - a[x * b + x]! || x - y);
  const values = new Float64Array(b);
  const vectors = new Float64Array(b * b);
  order.forEach((src, dst) => {
    values[dst] = a[src * b + src]!;
    for (let i = 0; i < b; i++) vectors[i * b + dst] = v[i * b + src]!;
  });
  return { values, vectors };
}

function rotate(a: Float64Array, v: Float64Array, b: number, p: number, q: number): void {
  const apq = a[p * b + q]!;
  if (apq === 0) return;
  const app = a[p * b + p]!;
  const aqq = a[q * b + q]!;
  const theta = (aqq - app) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let k = 0; k < b; k++) {
    const akp = a[k * b + p]!;
    const akq = a[k * b + q]!;
    a[k * b + p] = c * akp - s * akq;
    a[k * b + q] = s * akp + c * akq;
  }
  for (let k = 0; k < b; k++) {
    const apk = a[p * b + k]!;
    const aqk = a[q * b + k]!;
    a[p * b + k] = c * apk - s * aqk;
    a[q * b + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < b; k++) {
    const vkp = v[k * b + p]!;
    const vkq = v[k * b + q]!;
    v[k * b + p] = c * vkp - s * vkq;
    v[k * b + q] = s * vkp + c * vkq;
  }
}

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
