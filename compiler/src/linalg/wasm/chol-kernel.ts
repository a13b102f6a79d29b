/**
 * The growing-Cholesky kernel in WebAssembly SIMD: appends k rows to a packed
 * lower-triangular factor L (row i at element i(i+1)/2), computing each new entry
 * L[i][j] = (K[i][j] - L[i][0..j) . L[j][0..j)) / L[j][j] with four new rows per
 * pass over row j (row j is loaded once per four dot products). This is the
 * O(k r^2) part of the TSVD refit.
 *
 *   cholAppend(L, n0, k, hdr): rows n0..n0+k-1 hold K (damped) on entry, L on exit.
 *   hdr: i32 at +0 counts repaired pivots; f64 at +8 is the pivot used when one is
 *   not positive.
 */
import { Code, F64, I32, OP, V128 } from './encoding.js';

interface Regs {
  p: number; lim: number; po: number; pr: number[]; acc: number[]; lj: number; res: number[];
}

/** Emits `L + ((i (i + 1)) >> 1) << 3` (byte address of row i). */
function rowPtr(c: Code, L: number, i: number): void {
  c.get(L).get(i).get(i).i32(1).op(OP.i32_add).op(OP.i32_mul).i32(1).op(OP.i32_shr_u).i32(3).op(OP.i32_shl).op(OP.i32_add);
}

/** res[q] = sum_{p < len} row_q[p] * other[p] for the rows whose byte pointers are in `rows`. */
function dots(c: Code, g: Regs, rows: number[], other: number, len: number): void {
  const w = rows.length;
  for (let q = 0; q < w; q++) c.op(...OP.v128_const0).set(g.acc[q]!).get(rows[q]!).set(g.pr[q]!);
  c.get(other).set(g.po);
  c.get(len).i32(1).op(OP.i32_sub).set(g.lim);
  c.i32(0).set(g.p);
  c.block(() => c.loop(() => {
    c.get(g.p).get(g.lim).op(OP.i32_ge_s).op(0x0d, 1);
    c.get(g.po).mem(OP.v128_load, 3).set(g.lj);
    for (let q = 0; q < w; q++) {
      c.get(g.acc[q]!).get(g.pr[q]!).mem(OP.v128_load, 3).get(g.lj).op(...OP.f64x2_mul).op(...OP.f64x2_add).set(g.acc[q]!);
      c.get(g.pr[q]!).i32(16).op(OP.i32_add).set(g.pr[q]!);
    }
    c.get(g.po).i32(16).op(OP.i32_add).set(g.po);
    c.get(g.p).i32(2).op(OP.i32_add).set(g.p);
    c.op(0x0c, 0);
  }));
  for (let q = 0; q < w; q++) {
    c.get(g.acc[q]!).op(...OP.f64x2_extract0).get(g.acc[q]!).op(...OP.f64x2_extract1).op(OP.f64_add).set(g.res[q]!);
  }
  // odd length: one more product
  c.get(g.p).get(len).op(OP.i32_lt_s).if_(() => {
    for (let q = 0; q < w; q++) {
      c.get(g.res[q]!).get(g.pr[q]!).mem(OP.f64_load, 3).get(g.po).mem(OP.f64_load, 3).op(OP.f64_mul).op(OP.f64_add).set(g.res[q]!);
    }
  });
}

export function cholAppendKernel(): Code {
  const [L, n0, k, hdr] = [0, 1, 2, 3];
  const c = new Code(4);
  const [n1, j, rj, i, from, zero, step, addr] = Array.from({ length: 8 }, () => c.local(I32));
  const rows = Array.from({ length: 4 }, () => c.local(I32));
  const g: Regs = {
    p: c.local(I32), lim: c.local(I32), po: c.local(I32),
    pr: Array.from({ length: 4 }, () => c.local(I32)), acc: Array.from({ length: 4 }, () => c.local(V128)),
    lj: c.local(V128), res: Array.from({ length: 4 }, () => c.local(F64)),
  };
  const [d, ljj] = [c.local(F64), c.local(F64)];
  c.get(n0).get(k).op(OP.i32_add).set(n1);
  c.i32(0).set(zero);
  c.forRange(j, zero, n1, 1, () => {
    rowPtr(c, L, j);
    c.set(rj);
    c.get(j).get(n0).op(OP.i32_ge_s).if_(() => {
      // pivot of a new row: sqrt(K[j][j] - |L[j][0..j)|^2), repaired when not positive
      dots(c, g, [rj], rj, j);
      c.get(rj).get(j).i32(3).op(OP.i32_shl).op(OP.i32_add).set(addr);
      c.get(addr).mem(OP.f64_load, 3).get(g.res[0]!).op(OP.f64_sub).set(d);
      c.get(d).f64(0).op(OP.f64_gt).op(OP.i32_eqz).if_(() => {
        c.get(hdr).mem(OP.f64_load, 3, 8).set(d);
        c.get(d).f64(Number.MIN_VALUE).get(d).f64(0).op(OP.f64_gt).op(OP.select).set(d);
        c.get(hdr).get(hdr).mem(OP.i32_load, 2).i32(1).op(OP.i32_add).mem(OP.i32_store, 2);
      });
      c.get(addr).get(d).op(OP.f64_sqrt).mem(OP.f64_store, 3);
    });
    c.get(rj).get(j).i32(3).op(OP.i32_shl).op(OP.i32_add).mem(OP.f64_load, 3).set(ljj);
    // from = max(n0, j + 1)
    c.get(n0).get(j).i32(1).op(OP.i32_add).get(n0).get(j).i32(1).op(OP.i32_add).op(OP.i32_gt_s).op(OP.select).set(from);
    for (const w of [4, 1]) {
      c.get(n1).i32(w - 1).op(OP.i32_sub).set(step); // i < n1 - (w - 1)  <=>  i + w <= n1
      c.block(() => c.loop(() => {
        c.get(from).get(step).op(OP.i32_ge_s).op(0x0d, 1);
        for (let q = 0; q < w; q++) {
          c.get(from).i32(q).op(OP.i32_add).set(i);
          rowPtr(c, L, i);
          c.set(rows[q]!);
        }
        dots(c, g, rows.slice(0, w), rj, j);
        for (let q = 0; q < w; q++) {
          c.get(rows[q]!).get(j).i32(3).op(OP.i32_shl).op(OP.i32_add).tee(addr);
          c.get(addr).mem(OP.f64_load, 3).get(g.res[q]!).op(OP.f64_sub).get(ljj).op(OP.f64_div).mem(OP.f64_store, 3);
        }
        c.get(from).i32(w).op(OP.i32_add).set(from);
        c.op(0x0c, 0);
      }));
    }
  });
  return c;
}

/**
 * backSolve(L, n, x): solves L^T s = x in place (x: n doubles), row-oriented:
 * s_i = x_i / L[i][i], then x[0..i) -= s_i L[i][0..i) (contiguous, two lanes at a time).
 */
export function backSolveKernel(): Code {
  const [L, n, x] = [0, 1, 2];
  const c = new Code(3);
  const [i, ri, p, lim, xp, lp] = Array.from({ length: 6 }, () => c.local(I32));
  const [si, sv] = [c.local(F64), c.local(V128)];
  c.get(n).set(i);
  c.block(() => c.loop(() => {
    c.get(i).i32(1).op(OP.i32_lt_s).op(0x0d, 1);
    c.get(i).i32(1).op(OP.i32_sub).set(i);
    rowPtr(c, L, i);
    c.set(ri);
    // s_i = x_i / L_ii
    c.get(x).get(i).i32(3).op(OP.i32_shl).op(OP.i32_add).tee(xp);
    c.get(xp).mem(OP.f64_load, 3).get(ri).get(i).i32(3).op(OP.i32_shl).op(OP.i32_add).mem(OP.f64_load, 3).op(OP.f64_div).tee(si);
    c.mem(OP.f64_store, 3);
    c.get(si).op(...OP.f64x2_splat).set(sv);
    c.get(x).set(xp);
    c.get(ri).set(lp);
    c.get(i).i32(1).op(OP.i32_sub).set(lim); // p + 2 <= i
    c.i32(0).set(p);
    c.block(() => c.loop(() => {
      c.get(p).get(lim).op(OP.i32_ge_s).op(0x0d, 1);
      c.get(xp).get(xp).mem(OP.v128_load, 3).get(lp).mem(OP.v128_load, 3).get(sv).op(...OP.f64x2_mul).op(...OP.f64x2_sub).mem(OP.v128_store, 3);
      c.get(xp).i32(16).op(OP.i32_add).set(xp);
      c.get(lp).i32(16).op(OP.i32_add).set(lp);
      c.get(p).i32(2).op(OP.i32_add).set(p);
      c.op(0x0c, 0);
    }));
    c.get(p).get(i).op(OP.i32_lt_s).if_(() => {
      c.get(xp).get(xp).mem(OP.f64_load, 3).get(lp).mem(OP.f64_load, 3).get(si).op(OP.f64_mul).op(OP.f64_sub).mem(OP.f64_store, 3);
    });
    c.op(0x0c, 0);
  }));
  return c;
}
