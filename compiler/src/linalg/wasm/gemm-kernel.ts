/**
 * Dense matrix products in WebAssembly SIMD (f64x2), for the residual's dense
 * part and the block Krylov solver's orthogonalization and Rayleigh-Ritz steps.
 * Row-major operands with explicit leading dimensions (in elements); any sizes.
 *
 *   gemmNN(A, lda, B, ldb, C, ldc, rows, cols, inner, mode):
 *     C[i][0..cols) = (mode 0) or -= (mode 1) sum_p A[i][p] B[p][0..cols)
 *     (four rows at a time, columns in chunks of 4 held in registers, then a scalar column)
 *   gemmNT(A, lda, B, ldb, C, ldc, rows, cols, inner):
 *     C[i][j] = sum_p A[i][p] B[j][p]   (dot products, four j at a time)
 * Summation is in p order, so gemmNN reproduces a plain JS loop bit for bit.
 */
import { Code, F64, I32, OP, V128 } from './encoding.js';

const P = { A: 0, lda: 1, B: 2, ldb: 3, C: 4, ldc: 5, rows: 6, cols: 7, inner: 8, mode: 9 } as const;

/** Emits `base + (row * ld + col) * 8` (locals). */
function addr(c: Code, base: number, row: number, ld: number, col: number): void {
  c.get(base).get(row).get(ld).op(OP.i32_mul).get(col).op(OP.i32_add).i32(3).op(OP.i32_shl).op(OP.i32_add);
}

export function gemmNNKernel(): Code {
  const c = new Code(10);
  const [i, p, c0, lim, zero, bp, cp, rlim] = Array.from({ length: 8 }, () => c.local(I32));
  const ap = [0, 1, 2, 3].map(() => c.local(I32));
  const acc = [0, 1, 2, 3].map(() => Array.from({ length: 4 }, () => c.local(V128)));
  const x = Array.from({ length: 4 }, () => c.local(V128));
  const a = [0, 1, 2, 3].map(() => c.local(V128));
  const sa = [0, 1, 2, 3].map(() => c.local(F64));
  const sx = c.local(F64);
  /** Rows i..i+R-1 (R = 4: measured 1.4x faster than 1 row per pass): every column chunk, each B row loaded once for the R rows. */
  const rowsBody = (R: number): void => {
    c.i32(0).set(c0);
    for (const lanes of R > 2 ? [2, 1, 0] : [4, 1, 0]) {
      // lanes 0 is the scalar last column of an odd width
      const width = lanes === 0 ? 1 : 2 * lanes;
      c.get(P.cols).i32(width - 1).op(OP.i32_sub).set(lim); // c0 + width <= cols
      c.block(() => c.loop(() => {
        c.get(c0).get(lim).op(OP.i32_ge_s).op(0x0d, 1);
        for (let r = 0; r < R; r++) {
          if (lanes > 0) for (let q = 0; q < lanes; q++) c.op(...OP.v128_const0).set(acc[r]![q]!);
          else c.f64(0).set(sa[r]!);
          c.get(i).i32(r).op(OP.i32_add).set(cp);
          addr(c, P.A, cp, P.lda, zero);
          c.set(ap[r]!);
        }
        addr(c, P.B, zero, P.ldb, c0);
        c.set(bp);
        c.forRange(p, zero, P.inner, 1, () => {
          if (lanes === 0) c.get(bp).mem(OP.f64_load, 3).set(sx);
          else for (let q = 0; q < lanes; q++) c.get(bp).mem(OP.v128_load, 3, 16 * q).set(x[q]!);
          for (let r = 0; r < R; r++) {
            c.get(ap[r]!).mem(OP.f64_load, 3);
            if (lanes === 0) {
              c.get(sx).op(OP.f64_mul).get(sa[r]!).op(OP.f64_add).set(sa[r]!);
            } else {
              c.op(...OP.f64x2_splat).set(a[r]!);
              for (let q = 0; q < lanes; q++) {
                c.get(acc[r]![q]!).get(a[r]!).get(x[q]!).op(...OP.f64x2_mul).op(...OP.f64x2_add).set(acc[r]![q]!);
              }
            }
            c.get(ap[r]!).i32(8).op(OP.i32_add).set(ap[r]!);
          }
          c.get(bp).get(P.ldb).i32(3).op(OP.i32_shl).op(OP.i32_add).set(bp);
        });
        for (let r = 0; r < R; r++) {
          c.get(i).i32(r).op(OP.i32_add).set(rlim);
          addr(c, P.C, rlim, P.ldc, c0);
          c.set(cp);
          for (let q = 0; q < Math.max(lanes, 1); q++) {
            const [load, store, sub, value] = lanes === 0
              ? [OP.f64_load, OP.f64_store, [OP.f64_sub], () => c.get(sa[r]!)]
              : [OP.v128_load, OP.v128_store, OP.f64x2_sub, () => c.get(acc[r]![q]!)];
            const off = 16 * q;
            // mode 0: C = acc; mode 1: C = C - acc
            c.get(cp);
            c.get(cp).mem(load, 3, off);
            value();
            c.op(...sub);
            value();
            c.get(P.mode).op(OP.select);
            c.mem(store, 3, off);
          }
        }
        c.get(c0).i32(width).op(OP.i32_add).set(c0);
        c.op(0x0c, 0);
      }));
    }
  };
  c.i32(0).set(zero);
  c.i32(0).set(i);
  for (const R of [4, 1]) {
    c.get(P.rows).i32(R - 1).op(OP.i32_sub).set(rlim);
    c.block(() => c.loop(() => {
      c.get(i).get(rlim).op(OP.i32_ge_s).op(0x0d, 1);
      rowsBody(R);
      // rowsBody reuses rlim as a scratch row index: restore the bound
      c.get(P.rows).i32(R - 1).op(OP.i32_sub).set(rlim);
      c.get(i).i32(R).op(OP.i32_add).set(i);
      c.op(0x0c, 0);
    }));
  }
  return c;
}

export function gemmNTKernel(): Code {
  const c = new Code(9);
  const [i, j, p, lim, jlim, zero, ap, q0] = Array.from({ length: 8 }, () => c.local(I32));
  const bps = Array.from({ length: 4 }, () => c.local(I32));
  const acc = Array.from({ length: 4 }, () => c.local(V128));
  const [x, res] = [c.local(V128), c.local(F64)];
  c.i32(0).set(zero);
  c.get(P.inner).i32(1).op(OP.i32_sub).set(lim); // p + 2 <= inner
  c.forRange(i, zero, P.rows, 1, () => {
    c.i32(0).set(j);
    for (const w of [4, 1]) {
      c.get(P.cols).i32(w - 1).op(OP.i32_sub).set(jlim);
      c.block(() => c.loop(() => {
        c.get(j).get(jlim).op(OP.i32_ge_s).op(0x0d, 1);
        addr(c, P.A, i, P.lda, zero);
        c.set(ap);
        for (let q = 0; q < w; q++) {
          c.op(...OP.v128_const0).set(acc[q]!);
          c.get(j).i32(q).op(OP.i32_add).set(q0);
          addr(c, P.B, q0, P.ldb, zero);
          c.set(bps[q]!);
        }
        c.i32(0).set(p);
        c.block(() => c.loop(() => {
          c.get(p).get(lim).op(OP.i32_ge_s).op(0x0d, 1);
          c.get(ap).mem(OP.v128_load, 3).set(x);
          for (let q = 0; q < w; q++) {
            c.get(acc[q]!).get(x).get(bps[q]!).mem(OP.v128_load, 3).op(...OP.f64x2_mul).op(...OP.f64x2_add).set(acc[q]!);
            c.get(bps[q]!).i32(16).op(OP.i32_add).set(bps[q]!);
          }
          c.get(ap).i32(16).op(OP.i32_add).set(ap);
          c.get(p).i32(2).op(OP.i32_add).set(p);
          c.op(0x0c, 0);
        }));
        for (let q = 0; q < w; q++) {
          c.get(acc[q]!).op(...OP.f64x2_extract0).get(acc[q]!).op(...OP.f64x2_extract1).op(OP.f64_add).set(res);
          c.get(p).get(P.inner).op(OP.i32_lt_s).if_(() => {
            c.get(res).get(ap).mem(OP.f64_load, 3).get(bps[q]!).mem(OP.f64_load, 3).op(OP.f64_mul).op(OP.f64_add).set(res);
          });
          c.get(j).i32(q).op(OP.i32_add).set(q0);
          addr(c, P.C, i, P.ldc, q0);
          c.get(res).mem(OP.f64_store, 3);
        }
        c.get(j).i32(w).op(OP.i32_add).set(j);
        c.op(0x0c, 0);
      }));
    }
  });
  return c;
}
