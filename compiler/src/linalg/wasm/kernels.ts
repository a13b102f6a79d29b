/**
 * The hot loops of the TSVD transition as WebAssembly SIMD (f64x2), assembled at
 * load time. Measured on the 256x512 and 768x768 bench matrices, these run the
 * residual products several times faster than the equivalent JS loops (see
 * bench/RESULTS.md, "TSVD transition").
 *
 * All pointers are byte offsets into the module's memory. Panels are row-major
 * (rows x b) f64 with b EVEN (callers pad), so a row is whole f64x2 lanes. The
 * kernel walks the panel width in chunks of 12 values held in six v128 registers
 * (then one narrower chunk), so the sparse index lists are reread once per chunk
 * (from L1) instead of touching memory for every partial sum.
 *
 *   factors(hIdx, hOff, gIdx, gOff, count, s, in, out, b):
 *     out -= sum_i s_i g_i (h_i . in)   (h_i, g_i signed index lists, see components.ts)
 * Dense products: gemm-kernel.ts; the refit's Cholesky and Gram rows:
 * chol-kernel.ts, gram-kernel.ts.
 */
import { backSolveKernel, cholAppendKernel } from './chol-kernel.js';
import { gemmNNKernel, gemmNTKernel } from './gemm-kernel.js';
import { gramRowsKernel } from './gram-kernel.js';
import { assemble, Code, I32, OP, V128 } from './encoding.js';
import { instantiator, type WasmMemory } from './instance.js';

/** Emits `for p in [from, to): base = arr + idx[p] * stride + c0; body()`. */
function forIndexed(c: Code, v: Locals, idxArr: number, from: number, to: number, arr: number, body: () => void): void {
  c.forRange(v.p, from, to, 1, () => {
    c.get(idxArr).get(v.p).i32(2).op(OP.i32_shl).op(OP.i32_add).mem(OP.i32_load, 2);
    c.get(v.stride).op(OP.i32_mul).get(arr).op(OP.i32_add).get(v.c0).op(OP.i32_add).set(v.base);
    body();
  });
}

interface Locals {
  p: number; stride: number; base: number; c0: number; lim: number; acc: number[]; scale: number;
}

/** Accumulates (sign +1/-1) the `lanes` v128 words at `base` into the accumulators. */
function accumulate(c: Code, v: Locals, lanes: number, add: boolean): void {
  for (let q = 0; q < lanes; q++) {
    c.get(v.acc[q]!).get(v.base).mem(OP.v128_load, 3, 16 * q).op(...(add ? OP.f64x2_add : OP.f64x2_sub)).set(v.acc[q]!);
  }
}

/** out[base + 16q] (+/-)= acc_q. */
function scatter(c: Code, v: Locals, lanes: number, add: boolean): void {
  for (let q = 0; q < lanes; q++) {
    c.get(v.base).get(v.base).mem(OP.v128_load, 3, 16 * q).get(v.acc[q]!).op(...(add ? OP.f64x2_add : OP.f64x2_sub));
    c.mem(OP.v128_store, 3, 16 * q);
  }
}

/** Lanes (f64x2 registers) per chunk of the row width. */
const LANES = 6;

/**
 * Runs `chunk(lanes)` over the row width: chunks of LANES lanes, then one chunk
 * of the remaining 1..LANES-1 lanes, so each index list is read ceil(width / 12)
 * times per component.
 */
function chunked(c: Code, v: Locals, chunk: (lanes: number) => void): void {
  c.i32(0).set(v.c0);
  c.get(v.stride).i32(16 * LANES - 16).op(OP.i32_sub).set(v.lim); // c0 < lim  <=>  c0 + 16 LANES <= stride
  c.block(() => c.loop(() => {
    c.get(v.c0).get(v.lim).op(OP.i32_ge_s).op(0x0d, 1);
    for (let q = 0; q < LANES; q++) c.op(...OP.v128_const0).set(v.acc[q]!);
    chunk(LANES);
    c.get(v.c0).i32(16 * LANES).op(OP.i32_add).set(v.c0);
    c.op(0x0c, 0);
  }));
  for (let lanes = LANES - 1; lanes >= 1; lanes--) {
    c.get(v.stride).get(v.c0).op(OP.i32_sub).i32(16 * lanes).op(OP.i32_eq).if_(() => {
      for (let q = 0; q < lanes; q++) c.op(...OP.v128_const0).set(v.acc[q]!);
      chunk(lanes);
    });
  }
}

function locals(c: Code): Locals {
  return {
    p: c.local(I32), stride: c.local(I32), base: c.local(I32), c0: c.local(I32), lim: c.local(I32),
    acc: Array.from({ length: LANES }, () => c.local(V128)), scale: c.local(V128),
  };
}

function factorsKernel(): Code {
  const [hIdx, hOff, gIdx, gOff, count, s, inp, out, b] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const c = new Code(9);
  const v = locals(c);
  const [i, a, mid, end, ga, gmid, gend, zero] = [c.local(I32), c.local(I32), c.local(I32), c.local(I32), c.local(I32), c.local(I32), c.local(I32), c.local(I32)];
  c.get(b).i32(3).op(OP.i32_shl).set(v.stride);
  c.i32(0).set(zero);
  c.forRange(i, zero, count, 1, () => {
    const offs = (arr: number, dst: number[]) => dst.forEach((d, q) => {
      c.get(arr).get(i).i32(3).op(OP.i32_shl).op(OP.i32_add).mem(OP.i32_load, 2, 4 * q).set(d);
    });
    offs(hOff, [a, mid, end]);
    offs(gOff, [ga, gmid, gend]);
    c.get(s).get(i).i32(3).op(OP.i32_shl).op(OP.i32_add).mem(OP.f64_load, 3).op(...OP.f64x2_splat).set(v.scale);
    chunked(c, v, (lanes) => {
      forIndexed(c, v, hIdx, a, mid, inp, () => accumulate(c, v, lanes, true));
      forIndexed(c, v, hIdx, mid, end, inp, () => accumulate(c, v, lanes, false));
      for (let q = 0; q < lanes; q++) c.get(v.acc[q]!).get(v.scale).op(...OP.f64x2_mul).set(v.acc[q]!);
      forIndexed(c, v, gIdx, ga, gmid, out, () => scatter(c, v, lanes, false));
      forIndexed(c, v, gIdx, gmid, gend, out, () => scatter(c, v, lanes, true));
    });
  });
  return c;
}

export interface KernelExports {
  mem: WasmMemory;
  factors(hIdx: number, hOff: number, gIdx: number, gOff: number, count: number, s: number, inp: number, out: number, b: number): void;
  gemmNN(A: number, lda: number, B: number, ldb: number, C: number, ldc: number, rows: number, cols: number, inner: number, mode: number): void;
  gemmNT(A: number, lda: number, B: number, ldb: number, C: number, ldc: number, rows: number, cols: number, inner: number): void;
  cholAppend(L: number, n0: number, k: number, hdr: number): void;
  backSolve(L: number, n: number, x: number): void;
  gramRows(uBits: number, vBits: number, wordsU: number, wordsV: number, first: number, k: number, out: number): void;
}

/** A fresh instance (own memory of `pages` 64 KiB pages) of the kernel module, compiled once. */
export const instantiateKernels: (pages: number) => KernelExports = instantiator(() => assemble([
  { name: 'factors', params: 9, code: factorsKernel() },
  { name: 'gemmNN', params: 10, code: gemmNNKernel() },
  { name: 'gemmNT', params: 9, code: gemmNTKernel() },
  { name: 'cholAppend', params: 4, code: cholAppendKernel() },
  { name: 'backSolve', params: 3, code: backSolveKernel() },
  { name: 'gramRows', params: 7, code: gramRowsKernel() },
], 1));
