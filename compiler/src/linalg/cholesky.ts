/**
 * A Cholesky factor L (K = L L^T) that grows by rows: when the TSVD refit gains k
 * components, only the k new rows of L are computed (k * r^2 / 2 multiply-adds
 * against the old factor) instead of refactoring the whole r x r matrix (r^3/6).
 * L is stored packed by rows: row i occupies [i(i+1)/2, i(i+1)/2 + i].
 */
import { GrowableFloat64 } from './growable.js';

export class GrowingCholesky {
  private readonly L = new GrowableFloat64(1024);
  private n_ = 0;
  /** Forward-substitution result y = L^-1 b, grown together with L. */
  private readonly y = new GrowableFloat64(64);
  /** Pivots that were not positive and were replaced (numerically dependent rows). */
  repairedPivots = 0;

  get size(): number {
    return this.n_;
  }

  /**
   * Appends k rows. `rows` holds, for each new row i = size + a, the entries
   * K[i][0..i] (lower triangle including the diagonal, damping already added),
   * packed one after another (row a has size + a + 1 entries). `rhs` holds the
   * k new entries of the right-hand side b. `floor` is the pivot used when a
   * new pivot is not positive (it should be the damping of that row).
   */
  append(rows: Float64Array, k: number, rhs: Float64Array, floor: Float64Array): void {
    const n0 = this.n_;
    const n1 = n0 + k;
    this.L.reserve(packedSize(n1) - this.L.length);
    const L = this.L.data;
    // copy the new rows in place, then eliminate column by column
    let src = 0;
    for (let a = 0; a < k; a++) {
      const i = n0 + a;
      L.set(rows.subarray(src, src + i + 1), packedSize(i));
      src += i + 1;
    }
    for (let j = 0; j < n1; j++) {
      const rj = packedSize(j);
      if (j >= n0) {
        // row j is complete left of the diagonal: its pivot
        let d = L[rj + j]! - sumSquares(L, rj, j);
        if (!(d > 0)) {
          d = floor[j - n0]! > 0 ? floor[j - n0]! : Number.MIN_VALUE;
          this.repairedPivots++;
        }
        L[rj + j] = Math.sqrt(d);
      }
      const ljj = L[rj + j]!;
      eliminateColumn(L, j, rj, ljj, Math.max(n0, j + 1), n1);
    }
    this.L.length = packedSize(n1);
    this.n_ = n1;
    // forward substitution for the new entries of y (old ones do not change)
    this.y.reserve(k);
    const y = this.y.data;
    for (let a = 0; a < k; a++) {
      const i = n0 + a;
      const ri = packedSize(i);
      let acc = rhs[a]!;
      for (let j = 0; j < i; j++) acc -= L[ri + j]! * y[j]!;
      y[i] = acc / L[ri + i]!;
    }
    this.y.length = n1;
  }

  /** Solves K s = b for the accumulated right-hand side (back substitution on L^T). */
  solve(out = new Float64Array(this.n_)): Float64Array {
    const n = this.n_;
    const L = this.L.data;
    out.set(this.y.data.subarray(0, n));
    for (let i = n - 1; i >= 0; i--) {
      const ri = packedSize(i);
      const si = out[i]! / L[ri + i]!;
      out[i] = si;
      if (si !== 0) for (let j = 0; j < i; j++) out[j]! -= L[ri + j]! * si;
    }
    return out;
  }

  /** ||L^T s||^2 = s^T (K + damping) s, without forming K. */
  quadraticForm(s: Float64Array): number {
    const n = this.n_;
    const L = this.L.data;
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const ri = packedSize(i);
      const si = s[i]!;
      if (si !== 0) for (let j = 0; j <= i; j++) t[j]! += L[ri + j]! * si;
    }
    let q = 0;
    for (let j = 0; j < n; j++) q += t[j]! * t[j]!;
    return q;
  }
}

export function packedSize(rows: number): number {
  return (rows * (rows + 1)) / 2;
}

function sumSquares(L: Float64Array, off: number, len: number): number {
  let s = 0;
  for (let p = 0; p < len; p++) s += L[off + p]! * L[off + p]!;
  return s;
}

/**
 * For new rows i in [from, to): L[i][j] = (K[i][j] - L[i][0..j) . L[j][0..j)) / L[j][j].
 * Four rows at a time, so each element of row j is loaded once per four dot products.
 */
function eliminateColumn(L: Float64Array, j: number, rj: number, ljj: number, from: number, to: number): void {
  let i = from;
  for (; i + 3 < to; i += 4) {
    const r0 = packedSize(i);
    const r1 = packedSize(i + 1);
    const r2 = packedSize(i + 2);
    const r3 = packedSize(i + 3);
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < j; p++) {
      const l = L[rj + p]!;
      s0 += L[r0 + p]! * l;
      s1 += L[r1 + p]! * l;
      s2 += L[r2 + p]! * l;
      s3 += L[r3 + p]! * l;
    }
    L[r0 + j] = (L[r0 + j]! - s0) / ljj;
    L[r1 + j] = (L[r1 + j]! - s1) / ljj;
    L[r2 + j] = (L[r2 + j]! - s2) / ljj;
    L[r3 + j] = (L[r3 + j]! - s3) / ljj;
  }
  for (; i < to; i++) {
    const ri = packedSize(i);
    let s = 0;
    for (let p = 0; p < j; p++) s += L[ri + p]! * L[rj + p]!;
    L[ri + j] = (L[ri + j]! - s) / ljj;
  }
}
