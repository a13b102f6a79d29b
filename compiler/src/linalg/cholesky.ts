/**
 * A Cholesky factor L (K = L L^T) that grows by rows: when the TSVD refit gains k
 * components, only the k new rows of L are computed (k * r^2 / 2 multiply-adds
 * against the old factor, in the WebAssembly kernel wasm/chol-kernel.ts) instead
 * of refactoring the whole r x r matrix (r^3 / 6). L is stored packed by rows in
 * the kernel's memory: row i occupies elements [i(i+1)/2, i(i+1)/2 + i].
 */
import { GrowableFloat64 } from './growable.js';
import { instantiateKernels, type KernelExports } from './wasm/kernels.js';

const PAGE = 65536;
/** wasm32 memory (4 GiB) holds L only up to about this size; y and s are reserved for it. */
export const MAX_SIZE = 32768;
const X0 = 64; // bytes: header (repaired-pivot count, floor), then the solve vector
const L0 = X0 + 8 * MAX_SIZE;

export class GrowingCholesky {
  private readonly k: KernelExports;
  private n_ = 0;
  /** Forward-substitution result y = L^-1 b, grown together with L. */
  private readonly y = new GrowableFloat64(64);

  constructor() {
    this.k = instantiateKernels(Math.ceil(L0 / PAGE) + 1);
  }

  get size(): number {
    return this.n_;
  }

  /** Pivots that were not positive and were replaced (numerically dependent rows). */
  get repairedPivots(): number {
    return new Int32Array(this.k.mem.buffer, 0, 1)[0]!;
  }

  /**
   * Appends k rows. `rows` holds, for each new row i = size + a, the entries
   * K[i][0..i] (lower triangle including the diagonal, damping already added),
   * packed one after another (row a has size + a + 1 entries). `rhs` holds the
   * k new entries of the right-hand side b. `floor` is the pivot used when a new
   * pivot is not positive (the damping of those rows).
   */
  append(rows: Float64Array, k: number, rhs: Float64Array, floor: number): void {
    const n0 = this.n_;
    const n1 = n0 + k;
    if (n1 > MAX_SIZE) throw new Error(`GrowingCholesky: ${n1} rows exceed the supported ${MAX_SIZE}`);
    const bytes = L0 + 8 * packedSize(n1);
    const have = this.k.mem.buffer.byteLength;
    if (bytes > have) this.k.mem.grow(Math.ceil((Math.max(bytes, have * 1.5) - have) / PAGE));
    new Float64Array(this.k.mem.buffer, 8, 1)[0] = floor;
    new Float64Array(this.k.mem.buffer).set(rows.subarray(0, packedSize(n1) - packedSize(n0)), L0 / 8 + packedSize(n0));
    this.k.cholAppend(L0, n0, k, 0);
    this.n_ = n1;
    // forward substitution for the new entries of y (old ones do not change)
    const L = this.view();
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

  /** Solves (K + damping) s = b for the accumulated right-hand side (back substitution on L^T). */
  solve(): Float64Array {
    const n = this.n_;
    new Float64Array(this.k.mem.buffer, X0, n).set(this.y.data.subarray(0, n));
    this.k.backSolve(L0, n, X0);
    return new Float64Array(this.k.mem.buffer, X0, n).slice();
  }

  /** L as a packed Float64Array (a view: valid until the next append). */
  view(): Float64Array {
    return new Float64Array(this.k.mem.buffer, L0, packedSize(this.n_));
  }
}

export function packedSize(rows: number): number {
  return (rows * (rows + 1)) / 2;
}
