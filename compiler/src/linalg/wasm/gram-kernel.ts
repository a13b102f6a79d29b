/**
 * Rows of the refit's Gram matrix K = (U^T U) o (V V^T) from the bit planes of
 * the ternary components (components.ts: per 32 entries a plus word and a minus
 * word, adjacent). Read as one i64 x = plus | minus << 32, the agreements of two
 * vectors are popcnt(x & y) and the disagreements popcnt(x & rotl(y, 32)), so
 * u_i . u_j costs two popcounts per 32 entries. Exact integers, stored as f64.
 *
 *   gramRows(uBits, vBits, wordsU, wordsV, first, k, out): for i in [first, first+k),
 *   j in [0, i]: out (packed rows, row i has i + 1 entries) = (u_i.u_j)(v_i.v_j).
 */
import { Code, I32, I64, OP } from './encoding.js';

export function gramRowsKernel(): Code {
  const [uBits, vBits, wordsU, wordsV, first, k, out] = [0, 1, 2, 3, 4, 5, 6];
  const c = new Code(7);
  const [i, j, end, zero, w, pi, pj, acc, du, o, bound] = Array.from({ length: 11 }, () => c.local(I32));
  const [x, y] = [c.local(I64), c.local(I64)];
  const dot = (bits: number, words: number): void => {
    c.get(bits).get(i).get(words).op(OP.i32_mul).i32(3).op(OP.i32_shl).op(OP.i32_add).set(pi);
    c.get(bits).get(j).get(words).op(OP.i32_mul).i32(3).op(OP.i32_shl).op(OP.i32_add).set(pj);
    c.i32(0).set(acc);
    c.forRange(w, zero, words, 1, () => {
      c.get(pi).mem(OP.i64_load, 3).set(x);
      c.get(pj).mem(OP.i64_load, 3).set(y);
      c.get(acc).get(x).get(y).op(OP.i64_and).op(OP.i64_popcnt).op(OP.i32_wrap_i64).op(OP.i32_add);
      c.get(x).get(y).op(...OP.i64_const32).op(OP.i64_rotl).op(OP.i64_and).op(OP.i64_popcnt).op(OP.i32_wrap_i64).op(OP.i32_sub).set(acc);
      c.get(pi).i32(8).op(OP.i32_add).set(pi);
      c.get(pj).i32(8).op(OP.i32_add).set(pj);
    });
  };
  c.i32(0).set(zero);
  c.get(first).get(k).op(OP.i32_add).set(end);
  c.get(out).set(o);
  c.forRange(i, first, end, 1, () => {
    c.get(i).i32(1).op(OP.i32_add).set(bound);
    c.forRange(j, zero, bound, 1, () => {
      dot(uBits, wordsU);
      c.get(acc).set(du);
      c.get(o).f64(0).mem(OP.f64_store, 3);
      c.get(du).op(OP.i32_eqz).op(OP.i32_eqz).if_(() => {
        dot(vBits, wordsV);
        c.get(o).get(du).get(acc).op(OP.i32_mul).op(OP.f64_convert_i32_s).mem(OP.f64_store, 3);
      });
      c.get(o).i32(8).op(OP.i32_add).set(o);
    });
  });
  return c;
}
