/**
 * The state of one transition: the (work-orientation) matrix W, its ternary
 * components, and the joint least-squares scales s kept current by a growing
 * Cholesky factor of the damped normal equations
 *     (K + D) s = b,  K = (U^T U) o (V V^T),  b_i = u_i^T W v_i,  D = diag(lambda).
 * lambda_i = 1e-5 * rms(K) with rms(K) taken when component i joined (TSVD.md
 * damps with the current rms(K); fixing it per row is what lets the factor grow
 * instead of being recomputed; the difference is a relative 1e-5 perturbation).
 */
import { GrowingCholesky } from '../linalg/cholesky.js';
import { TernaryComponents } from '../linalg/components.js';
import { GrowableFloat64 } from '../linalg/growable.js';
import { denseApply, denseApplyT, type LinearOperator } from '../linalg/operator.js';

export const DAMPING = 1e-5;

export class TransitionState {
  readonly W: Float64Array;
  readonly m: number;
  readonly n: number;
  readonly comps: TernaryComponents;
  private readonly chol = new GrowingCholesky();
  private readonly b = new GrowableFloat64(256);
  private readonly lambda = new GrowableFloat64(256);
  private sumSqK = 0;
  /** Current scales (length = rank). */
  s: Float64Array = new Float64Array(0);
  readonly normF2: number;

  constructor(W: Float64Array, m: number, n: number) {
    this.W = W;
    this.m = m;
    this.n = n;
    this.comps = new TernaryComponents(m, n);
    let f = 0;
    for (let i = 0; i < W.length; i++) f += W[i]! * W[i]!;
    this.normF2 = f;
  }

  get rank(): number {
    return this.comps.count;
  }

  /** Appends components and refits every scale. */
  add(us: readonly Int8Array[], vs: readonly Int8Array[]): void {
    const k = us.length;
    if (k === 0) return;
    const first = this.comps.count;
    const bNew = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      this.comps.add(us[a]!, vs[a]!);
      bNew[a] = this.bilinear(us[a]!, vs[a]!);
      this.b.push(bNew[a]!);
    }
    const r = first + k;
    let size = 0;
    for (let a = 0; a < k; a++) size += first + a + 1;
    const rows = new Float64Array(size);
    let off = 0;
    for (let a = 0; a < k; a++) {
      const i = first + a;
      this.comps.gramRow(i, rows, off);
      for (let j = 0; j < i; j++) this.sumSqK += 2 * rows[off + j]! * rows[off + j]!;
      this.sumSqK += rows[off + i]! * rows[off + i]!;
      off += i + 1;
    }
    const lam = DAMPING * Math.sqrt(this.sumSqK / (r * r));
    const floor = new Float64Array(k).fill(lam);
    off = 0;
    for (let a = 0; a < k; a++) {
      const i = first + a;
      rows[off + i]! += lam;
      this.lambda.push(lam);
      off += i + 1;
    }
    this.chol.append(rows, k, bNew, floor);
    this.s = this.chol.solve();
  }

  /** u^T W v, exact use of the sparsity of both. */
  private bilinear(u: Int8Array, v: Int8Array): number {
    const { W, m, n } = this;
    const nzv: number[] = [];
    for (let j = 0; j < n; j++) if (v[j] !== 0) nzv.push(j);
    let total = 0;
    for (let i = 0; i < m; i++) {
      const ui = u[i]!;
      if (ui === 0) continue;
      let row = 0;
      const o = i * n;
      for (const j of nzv) row += v[j]! * W[o + j]!;
      total += ui * row;
    }
    return total;
  }

  /** ||W - U diag(s) V||_F^2 = ||W||^2 - 2 s.b + s^T K s, with s^T K s = s^T (K+D) s - s^T D s. */
  residualFrobenius2(): number {
    const s = this.s;
    const b = this.b.data;
    const lam = this.lambda.data;
    let sb = 0;
    let sDs = 0;
    for (let i = 0; i < s.length; i++) {
      sb += s[i]! * b[i]!;
      sDs += lam[i]! * s[i]! * s[i]!;
    }
    const sKs = this.chol.quadraticForm(s) - sDs;
    return Math.max(0, this.normF2 - 2 * sb + sKs);
  }

  /** R = W - U diag(s) V as an operator (never formed). */
  residualOperator(): LinearOperator {
    const { W, m, n, comps } = this;
    return {
      rows: m,
      cols: n,
      apply: (X, Y, bw) => {
        denseApply(W, m, n, X, Y, bw);
        comps.subtractUSV(this.s, X, Y, bw);
      },
      applyT: (Y, Z, bw) => {
        denseApplyT(W, m, n, Y, Z, bw);
        comps.subtractVSU(this.s, Y, Z, bw);
      },
    };
  }

  get repairedPivots(): number {
    return this.chol.repairedPivots;
  }
}
