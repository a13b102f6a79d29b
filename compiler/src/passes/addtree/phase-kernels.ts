/**
 * The inner loops of greedy pairwise sharing in WebAssembly, assembled at load time
 * (linalg/wasm/encoding.ts), and the memory a phase keeps its rows, bit sets and
 * tally in. A tally increment per term of a row is most of CSE's work (10^9 of them
 * on a 1024 x 5950 factor); as JS typed-array code each took 2-3 ns on the bench
 * machine, here 0.7-1.3 ns (bench/RESULTS.md). Same loops, same order, so the same trees.
 *
 * All pointers are byte offsets into the memory; terms are `symbol * 2 + negative`,
 * tally keys `symbol * 2 + relative sign`, both i32.
 *
 *   discoverAtom(visits, nVisits, counted, rowStart, rows, older, olderAt, olderLen,
 *     tally, touched, n) -> n': one atom's pairs with the older atoms. visits[0..nVisits)
 *     are (row r, position i of the atom's term t = rows[i]) in ascending rows; row r's
 *     older terms are older[rowStart[r] ..+ olderLen[r]] in row order, at positions
 *     olderAt[..]. Per visit, if `counted`, every older term u is tallied as u ^ (t & 1)
 *     (tally[key]++, a key counted for the first time appended to touched[n..]); then t
 *     is inserted among the older terms at its place.
 *   substitute(row, len, p, q, newTerm, tally, touched, n) -> n': in row[0..len), p's
 *     term becomes newTerm, q's is removed (the last term takes its slot and is looked at
 *     next), and every other term t is tallied as t ^ (newTerm & 1), as discoverAtom tallies.
 *   keep(touched, n, tally, floor, counts) -> m: for every key k of touched[0..n), in
 *     order, clears tally[k], and if it counted floor or more moves k to touched[m] and its
 *     count to counts[m], m++.
 *   countPair(pP, pN, qS, qO, words64) -> rows where (pP & qS) | (pN & qO) has a bit
 *     (i64 words: the rows where two symbols occur with a given relative sign).
 */
import { InternalError } from '@tsvdc/ir';
import { assemble, Code, I32, OP } from '../../linalg/wasm/encoding.js';
import { align16, BumpAllocator, instantiator, PAGE, type WasmMemory } from '../../linalg/wasm/instance.js';

const BR = 0x0c;
const BR_IF = 0x0d;

/** tally[k]++; if it was 0, touched[n++] = k (k, n, touched, tally locals; addr, t scratch). */
function count(c: Code, k: number, tally: number, touched: number, n: number, addr: number, t: number): void {
  c.get(k).i32(2).op(OP.i32_shl).get(tally).op(OP.i32_add).set(addr);
  c.get(addr).mem(OP.i32_load, 2).set(t);
  c.get(addr).get(t).i32(1).op(OP.i32_add).mem(OP.i32_store, 2);
  c.get(t).op(OP.i32_eqz).if_(() => {
    c.get(n).i32(2).op(OP.i32_shl).get(touched).op(OP.i32_add).get(k).mem(OP.i32_store, 2);
    c.get(n).i32(1).op(OP.i32_add).set(n);
  });
}

/** dst[0..len) = src[0..len) (bytes; memory.copy handles the overlap). */
function copy(c: Code, dst: () => void, src: () => void, len: () => void): void {
  dst();
  src();
  len();
  c.op(0xfc, 0x0a, 0, 0);
}

function discoverAtomKernel(): Code {
  const [visits, nVisits, counted, rowStart, rows, older, olderAt, olderLen, tally, touched, n] = Array.from({ length: 11 }, (_, i) => i);
  const c = new Code(11);
  const [v, end, r, at, s, cnt, t, neg, i, first, e, k, addr, old, lo, hi, mid] = Array.from({ length: 17 }, () => c.local(I32));
  const word = (base: number, index: number): void => { c.get(base).get(index).i32(2).op(OP.i32_shl).op(OP.i32_add); };
  c.get(visits).get(nVisits).i32(3).op(OP.i32_shl).op(OP.i32_add).set(end);
  c.forRange(v, visits, end, 8, () => {
    c.get(v).mem(OP.i32_load, 2).set(r);
    c.get(v).mem(OP.i32_load, 2, 4).set(at);
    word(rowStart, r); c.mem(OP.i32_load, 2).set(s);
    word(olderLen, r); c.mem(OP.i32_load, 2).set(cnt);
    word(rows, at); c.mem(OP.i32_load, 2).set(t);
    c.get(counted).if_(() => {
      c.get(t).i32(1).op(OP.i32_and).set(neg);
      word(older, s); c.set(first);
      c.get(first).get(cnt).i32(2).op(OP.i32_shl).op(OP.i32_add).set(e);
      c.forRange(i, first, e, 4, () => {
        c.get(i).mem(OP.i32_load, 2).get(neg).op(OP.i32_xor).set(k);
        count(c, k, tally, touched, n, addr, old);
      });
    });
    // t's place among the older terms: the first with a position past `at`
    c.get(s).set(lo);
    c.get(s).get(cnt).op(OP.i32_add).set(hi);
    c.block(() => c.loop(() => {
      c.get(lo).get(hi).op(OP.i32_ge_s).op(BR_IF, 1);
      c.get(lo).get(hi).op(OP.i32_add).i32(1).op(OP.i32_shr_u).set(mid);
      word(olderAt, mid); c.mem(OP.i32_load, 2).get(at).op(OP.i32_lt_s).if_(() => {
        c.get(mid).i32(1).op(OP.i32_add).set(lo);
        c.op(BR, 1);
      });
      c.get(mid).set(hi);
      c.op(BR, 0);
    }));
    // e = bytes to move
    c.get(s).get(cnt).op(OP.i32_add).get(lo).op(OP.i32_sub).i32(2).op(OP.i32_shl).set(e);
    for (const arr of [older, olderAt]) {
      copy(c, () => { word(arr, lo); c.i32(4).op(OP.i32_add); }, () => word(arr, lo), () => c.get(e));
    }
    word(older, lo); c.get(t).mem(OP.i32_store, 2);
    word(olderAt, lo); c.get(at).mem(OP.i32_store, 2);
    word(olderLen, r); c.get(cnt).i32(1).op(OP.i32_add).mem(OP.i32_store, 2);
  });
  c.get(n);
  return c;
}

function substituteKernel(): Code {
  const [row, len, p, q, newTerm, tally, touched, n] = [0, 1, 2, 3, 4, 5, 6, 7];
  const c = new Code(8);
  const [at, end, negP, t, x, k, addr, old] = Array.from({ length: 8 }, () => c.local(I32));
  c.get(row).get(len).i32(2).op(OP.i32_shl).op(OP.i32_add).set(end);
  c.get(newTerm).i32(1).op(OP.i32_and).set(negP);
  // forRange re-reads `end` every iteration: removing q's slot shortens the row
  c.forRange(at, row, end, 4, () => {
    c.get(at).mem(OP.i32_load, 2).set(t);
    c.get(t).i32(1).op(OP.i32_shr_u).set(x);
    c.block(() => {
      // depths inside the ifs: 0 if, 1 this block (next term), 2 forRange's loop (its test, then the same slot again)
      c.get(x).get(p).op(OP.i32_eq).if_(() => {
        c.get(at).get(newTerm).mem(OP.i32_store, 2);
        c.op(BR, 1);
      });
      c.get(x).get(q).op(OP.i32_eq).if_(() => {
        c.get(end).i32(4).op(OP.i32_sub).set(end);
        c.get(at).get(end).mem(OP.i32_load, 2).mem(OP.i32_store, 2);
        c.op(BR, 2);
      });
      c.get(t).get(negP).op(OP.i32_xor).set(k);
      count(c, k, tally, touched, n, addr, old);
    });
  });
  c.get(n);
  return c;
}

function keepKernel(): Code {
  const [touched, n, tally, floor, counts] = [0, 1, 2, 3, 4];
  const c = new Code(5);
  const [i, end, m, k, addr, t] = Array.from({ length: 6 }, () => c.local(I32));
  c.get(touched).get(n).i32(2).op(OP.i32_shl).op(OP.i32_add).set(end);
  c.i32(0).set(m);
  c.forRange(i, touched, end, 4, () => {
    c.get(i).mem(OP.i32_load, 2).set(k);
    c.get(k).i32(2).op(OP.i32_shl).get(tally).op(OP.i32_add).set(addr);
    c.get(addr).mem(OP.i32_load, 2).set(t);
    c.get(addr).i32(0).mem(OP.i32_store, 2);
    c.get(t).get(floor).op(OP.i32_ge_s).if_(() => {
      c.get(m).i32(2).op(OP.i32_shl).set(addr);
      c.get(addr).get(touched).op(OP.i32_add).get(k).mem(OP.i32_store, 2);
      c.get(addr).get(counts).op(OP.i32_add).get(t).mem(OP.i32_store, 2);
      c.get(m).i32(1).op(OP.i32_add).set(m);
    });
  });
  c.get(m);
  return c;
}

function countPairKernel(): Code {
  const [pP, pN, qS, qO, words] = [0, 1, 2, 3, 4];
  const c = new Code(5);
  const [w, zero, acc] = [c.local(I32), c.local(I32), c.local(I32)];
  c.i32(0).set(zero);
  c.i32(0).set(acc);
  // a popcount is at most 64 and the total at most the row count: an i32 sum, as gram-kernel.ts
  c.forRange(w, zero, words, 1, () => {
    c.get(acc);
    c.get(pP).mem(OP.i64_load, 3).get(qS).mem(OP.i64_load, 3).op(OP.i64_and);
    c.get(pN).mem(OP.i64_load, 3).get(qO).mem(OP.i64_load, 3).op(OP.i64_and);
    c.op(OP.i64_or).op(OP.i64_popcnt).op(OP.i32_wrap_i64).op(OP.i32_add).set(acc);
    for (const ptr of [pP, pN, qS, qO]) c.get(ptr).i32(8).op(OP.i32_add).set(ptr);
  });
  c.get(acc);
  return c;
}

interface Kernels {
  mem: WasmMemory;
  discoverAtom(visits: number, nVisits: number, counted: number, rowStart: number, rows: number, older: number, olderAt: number, olderLen: number, tally: number, touched: number, n: number): number;
  substitute(row: number, len: number, p: number, q: number, newTerm: number, tally: number, touched: number, n: number): number;
  keep(touched: number, n: number, tally: number, floor: number, counts: number): number;
  countPair(pP: number, pN: number, qS: number, qO: number, words64: number): number;
}

const instantiate = instantiator<Kernels>(() => assemble([
  { name: 'discoverAtom', params: 11, code: discoverAtomKernel(), result: true },
  { name: 'substitute', params: 8, code: substituteKernel(), result: true },
  { name: 'keep', params: 5, code: keepKernel(), result: true },
  { name: 'countPair', params: 5, code: countPairKernel(), result: true },
], 1));

/**
 * A phase's memory: one instance of the kernels with memory for `bytes`, handed out
 * in zeroed, 16-byte aligned pieces. Views stay valid: the memory is sized once.
 */
export class PhaseMemory {
  readonly k: Kernels;
  private readonly heap: BumpAllocator;

  constructor(bytes: number) {
    this.k = instantiate(Math.ceil(bytes / PAGE));
    this.heap = new BumpAllocator(this.k.mem, 'phase memory');
  }

  /** Bytes to ask for so that pieces of these element counts (4 bytes each) fit. */
  static bytesFor(...counts: number[]): number {
    return counts.reduce((n, c) => n + align16(4 * c), 0);
  }

  /** A zeroed piece of n int32 elements: its view and byte offset. */
  int32(n: number): { view: Int32Array; at: number } {
    const at = this.take(n);
    return { view: new Int32Array(this.k.mem.buffer, at, n), at };
  }

  /** The same, viewed as unsigned words (bit sets). */
  uint32(n: number): { view: Uint32Array; at: number } {
    const at = this.take(n);
    return { view: new Uint32Array(this.k.mem.buffer, at, n), at };
  }

  private take(n: number): number {
    const at = this.heap.take(4 * n);
    // the kernels compare pointers as signed i32: every byte offset, ends included, stays below 2^31
    if (at + 4 * n >= 2 ** 31) throw new InternalError(`phase memory: ${at + 4 * n} bytes, the kernels address below 2^31`);
    return at;
  }
}
