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
import { WasmResidual } from '../linalg/wasm/residual.js';

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
  private readonly wasm: WasmResidual;
  /** Current scales (length = rank). */
  s: Float64Array = new Float64Array(0);
  readonly normF2: number;

  constructor(W: Float64Array, m: number, n: number) {
    this.W = W;
    this.m = m;
    this.n = n;
    this.comps = new TernaryComponents(m, n);
    this.wasm = new WasmResidual(W, m, n, this.comps, () => this.s);
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
    for (let a = 0; a < k; a++) this.comps.add(us[a]!, vs[a]!);
    const bNew = this.wasm.bilinear(us, vs);
    for (const x of bNew) this.b.push(x);
    const r = first + k;
    const rows = this.wasm.gramRows(first, k);
    let off = 0;
    for (let a = 0; a < k; a++) {
      const i = first + a;
      for (let j = 0; j < i; j++) this.sumSqK += 2 * rows[off + j]! * rows[off + j]!;
      this.sumSqK += rows[off + i]! * rows[off + i]!;
      off += i + 1;
    }
    const lam = DAMPING * Math.sqrt(this.sumSqK / (r * r));
    off = 0;
    for (let a = 0; a < k; a++) {
      const i = first + a;
      rows[off + i]! += lam;
      this.lambda.push(lam);
      off += i + 1;
    }
    this.chol.append(rows, k, bNew, lam);
    this.s = this.chol.solve();
  }

  /**
   * ||W - U diag(s) V||_F^2 = ||W||^2 - 2 s.b + s^T K s. At the solution of
   * (K + D) s = b, s^T K s = s.b - s^T D s, so this is O(r).
   */
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
    return Math.max(0, this.normF2 - sb - sDs);
  }

  /**
   * R = W - U diag(s) V as an operator (never formed): WebAssembly SIMD kernels by
   * default, or the plain JS loops (same arithmetic in the same order, so the
   * same bits; kept as the readable reference and for tests).
   */
  residualOperator(kind: 'wasm' | 'js' = 'wasm'): LinearOperator {
    const { W, m, n, comps } = this;
    if (kind === 'wasm') return this.wasm;
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
