/**
 * Scratch memory for dense block algorithms run through the WebAssembly gemm
 * kernels: a bump allocator over one instance's memory (reset per use), and the
 * block orthogonalization of the Krylov solver built on it.
 */
import { orthonormalizeRows } from '../dense.js';
import type { Rng } from '../random.js';
import { BumpAllocator, PAGE } from './instance.js';
import { instantiateKernels, type KernelExports } from './kernels.js';

/** A matrix in the workspace: byte pointer, and a view (valid until the next reserve). */
export interface Block {
  ptr: number;
  view: Float64Array;
}

export class Workspace {
  readonly k: KernelExports;
  private readonly heap: BumpAllocator;

  constructor() {
    this.k = instantiateKernels(16);
    this.heap = new BumpAllocator(this.k.mem, 'Workspace');
  }

  /** Frees everything and makes room for `elems` doubles (so views stay valid while allocating). */
  reset(elems: number): void {
    this.heap.reset();
    const bytes = elems * 8 + 64 * 16;
    const have = this.k.mem.buffer.byteLength;
    if (bytes > have) this.k.mem.grow(Math.ceil((bytes - have) / PAGE));
  }

  alloc(elems: number): Block {
    const ptr = this.heap.take(elems * 8);
    return { ptr, view: new Float64Array(this.k.mem.buffer, ptr, elems) };
  }
}

/**
 * Orthonormalizes rows [from, from + count) of Q (rows of length n) against rows
 * [0, from) and each other: block classical Gram-Schmidt twice, then Cholesky QR
 * twice, all in gemm kernels. Where a row has lost (almost) all its norm the
 * block is rank-deficient and the rows are redone by modified Gram-Schmidt with
 * random replacement (dense.ts), which handles that case, and so is any block
 * conditioned worse than 1e6.
 */
export function orthonormalizeBlock(ws: Workspace, Q: Block, from: number, count: number, n: number, rng: Rng, scratch: Block): void {
  const { k } = ws;
  const N = Q.ptr + from * n * 8;
  const before = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    let s = 0;
    const o = (from + c) * n;
    for (let j = 0; j < n; j++) s += Q.view[o + j]! * Q.view[o + j]!;
    before[c] = s;
  }
  // scratch layout: H (from x count), Ht (count x from), G (count^2), T (count x n)
  const H = scratch.ptr;
  const Ht = H + from * count * 8;
  const G = Ht + from * count * 8;
  const T = G + count * count * 8;
  const mem = () => new Float64Array(k.mem.buffer);
  if (from > 0) {
    for (let pass = 0; pass < 2; pass++) {
      k.gemmNT(Q.ptr, n, N, n, H, count, from, count, n);
      const m = mem();
      for (let p = 0; p < from; p++) for (let c = 0; c < count; c++) m[Ht / 8 + c * from + p] = m[H / 8 + p * count + c]!;
      k.gemmNN(Ht, from, Q.ptr, n, N, n, count, n, from, 1);
    }
  }
  for (let pass = 0; pass < 2; pass++) {
    k.gemmNT(N, n, N, n, G, count, count, count, n);
    const m = mem();
    const Linv = choleskyInverse(m.subarray(G / 8, G / 8 + count * count), count, pass === 0 ? before : undefined);
    if (!Linv) {
      orthonormalizeRows(Q.view, from + count, n, rng, from);
      return;
    }
    m.set(Linv, G / 8);
    k.gemmNN(G, count, N, n, T, n, count, n, count, 0);
    m.copyWithin(N / 8, T / 8, T / 8 + count * n);
  }
}

/**
 * L^-1 for G = L L^T (count x count), or undefined when a pivot shows a row that
 * kept less than 1e-6 of its norm through projection: Cholesky QR is accurate
 * only for well-conditioned blocks (its error grows with cond^2), so such a
 * block goes to modified Gram-Schmidt instead.
 */
function choleskyInverse(G: Float64Array, c: number, before: Float64Array | undefined): Float64Array | undefined {
  const L = new Float64Array(c * c);
  for (let i = 0; i < c; i++) {
    for (let j = 0; j <= i; j++) {
      let s = G[i * c + j]!;
      for (let p = 0; p < j; p++) s -= L[i * c + p]! * L[j * c + p]!;
      if (i === j) {
        if (!(s > (before ? 1e-12 * before[i]! : 0)) || !(s > 0)) return undefined;
        L[i * c + i] = Math.sqrt(s);
      } else L[i * c + j] = s / L[j * c + j]!;
    }
  }
  // invert the lower triangle by forward substitution, column by column
  const inv = new Float64Array(c * c);
  for (let col = 0; col < c; col++) {
    for (let i = col; i < c; i++) {
      let s = i === col ? 1 : 0;
      for (let p = col; p < i; p++) s -= L[i * c + p]! * inv[p * c + col]!;
      inv[i * c + col] = s / L[i * c + i]!;
    }
  }
  return inv;
}
