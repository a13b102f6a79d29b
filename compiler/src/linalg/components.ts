/**
 * The ternary factors of a TSVD in the form the transition works on: an
 * append-only list of components (u_i, v_i), u_i in {-1,0,1}^m, v_i in {-1,0,1}^n.
 *
 * Each vector is stored twice, for the two kinds of work on it:
 * - signed index lists (the +1 positions, then the -1 positions): products
 *   with float blocks, where only the non-zeros cost anything;
 * - two bit planes (plus, minus), 32 entries per word, interleaved per word:
 *   inner products of two ternary vectors by popcount, for the Gram matrix
 *   (U^T U) o (V V^T) of the refit, exact in integers.
 */
import { GrowableInt32, GrowableUint32 } from './growable.js';

export class TernaryComponents {
  readonly m: number;
  readonly n: number;
  readonly wordsU: number;
  readonly wordsV: number;
  private count_ = 0;
  private readonly uIdx = new GrowableInt32(4096);
  private readonly vIdx = new GrowableInt32(4096);
  /** Per component: start, end of its +1 run (= start of -1 run), end; start of i+1 = end of i. */
  private readonly uOff = new GrowableInt32(64);
  private readonly vOff = new GrowableInt32(64);
  private readonly uBits = new GrowableUint32(4096);
  private readonly vBits = new GrowableUint32(4096);

  constructor(m: number, n: number) {
    this.m = m;
    this.n = n;
    this.wordsU = Math.ceil(m / 32);
    this.wordsV = Math.ceil(n / 32);
    this.uOff.push(0);
    this.vOff.push(0);
  }

  get count(): number {
    return this.count_;
  }
  get nnzU(): number {
    return this.uIdx.length;
  }
  get nnzV(): number {
    return this.vIdx.length;
  }

  /** Appends component (u, v); entries must be -1, 0 or 1. Returns its index. */
  add(u: Int8Array, v: Int8Array): number {
    appendVector(u, this.m, this.uIdx, this.uOff, this.uBits, this.wordsU);
    appendVector(v, this.n, this.vIdx, this.vOff, this.vBits, this.wordsV);
    return this.count_++;
  }

  /** The index lists and offsets as they are now (views; valid until the next add). */
  raw(): { uIdx: Int32Array; uOff: Int32Array; vIdx: Int32Array; vOff: Int32Array; uBits: Uint32Array; vBits: Uint32Array } {
    return {
      uBits: this.uBits.data.subarray(0, this.uBits.length),
      vBits: this.vBits.data.subarray(0, this.vBits.length),
      uIdx: this.uIdx.data.subarray(0, this.uIdx.length),
      uOff: this.uOff.data.subarray(0, this.uOff.length),
      vIdx: this.vIdx.data.subarray(0, this.vIdx.length),
      vOff: this.vOff.data.subarray(0, this.vOff.length),
    };
  }

  /** u_i . u_j, exact. */
  dotU(i: number, j: number): number {
    return planeDot(this.uBits.data, i, j, this.wordsU);
  }
  /** v_i . v_j, exact. */
  dotV(i: number, j: number): number {
    return planeDot(this.vBits.data, i, j, this.wordsV);
  }
  nnzOfU(i: number): number {
    const o = this.uOff.data;
    return o[2 * i + 2]! - o[2 * i]!;
  }
  nnzOfV(i: number): number {
    const o = this.vOff.data;
    return o[2 * i + 2]! - o[2 * i]!;
  }

  /**
   * Row i of K = (U^T U) o (V V^T) for columns 0..i (inclusive) into out[0..i].
   * Integer products of popcounts; exact as float64 (|K_ij| <= m*n < 2^53).
   */
  gramRow(i: number, out: Float64Array, outOff = 0): void {
    const ub = this.uBits.data;
    const vb = this.vBits.data;
    for (let j = 0; j <= i; j++) {
      const du = planeDot(ub, i, j, this.wordsU);
      out[outOff + j] = du === 0 ? 0 : du * planeDot(vb, i, j, this.wordsV);
    }
  }

  /** Dense copy of u_i (length m) as {-1,0,1}. */
  u(i: number, out = new Int8Array(this.m)): Int8Array {
    return unpack(this.uIdx.data, this.uOff.data, i, out);
  }
  /** Dense copy of v_i (length n) as {-1,0,1}. */
  v(i: number, out = new Int8Array(this.n)): Int8Array {
    return unpack(this.vIdx.data, this.vOff.data, i, out);
  }

  /**
   * Y -= U diag(s) V X for a panel X (n x b, row-major) into Y (m x b): per
   * component, gather t = v_i . X (b values), scale by s_i, scatter -t along u_i.
   */
  subtractUSV(s: Float64Array, X: Float64Array, Y: Float64Array, b: number, scratch = new Float64Array(b)): void {
    applyFactors(this.vIdx.data, this.vOff.data, this.uIdx.data, this.uOff.data, this.count_, s, X, Y, b, scratch);
  }
  /** Z -= V^T diag(s) U^T Y for a panel Y (m x b) into Z (n x b). */
  subtractVSU(s: Float64Array, Y: Float64Array, Z: Float64Array, b: number, scratch = new Float64Array(b)): void {
    applyFactors(this.uIdx.data, this.uOff.data, this.vIdx.data, this.vOff.data, this.count_, s, Y, Z, b, scratch);
  }
}

function appendVector(x: Int8Array, len: number, idx: GrowableInt32, off: GrowableInt32, bits: GrowableUint32, words: number): void {
  if (x.length !== len) throw new Error(`component length ${x.length}, expected ${len}`);
  idx.reserve(len);
  bits.reserve(2 * words);
  const base = bits.length;
  const data = bits.data;
  data.fill(0, base, base + 2 * words);
  for (let j = 0; j < len; j++) {
    if (x[j] === 1) {
      idx.data[idx.length++] = j;
      data[base + 2 * (j >>> 5)]! |= 1 << (j & 31);
    }
  }
  off.push(idx.length);
  for (let j = 0; j < len; j++) {
    const e = x[j]!;
    if (e === -1) {
      idx.data[idx.length++] = j;
      data[base + 2 * (j >>> 5) + 1]! |= 1 << (j & 31);
    } else if (e !== 0 && e !== 1) {
      throw new Error(`component entry ${e} is not ternary`);
    }
  }
  off.push(idx.length);
  bits.length += 2 * words;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function planeDot(bits: Uint32Array, i: number, j: number, words: number): number {
  let oi = 2 * words * i;
  let oj = 2 * words * j;
  let s = 0;
  for (let w = 0; w < words; w++, oi += 2, oj += 2) {
    const pi = bits[oi]!;
    const ni = bits[oi + 1]!;
    const pj = bits[oj]!;
    const nj = bits[oj + 1]!;
    const same = (pi & pj) | (ni & nj);
    const diff = (pi & nj) | (ni & pj);
    if (same !== 0) s += popcount(same);
    if (diff !== 0) s -= popcount(diff);
  }
  return s;
}

function unpack(idx: Int32Array, off: Int32Array, i: number, out: Int8Array): Int8Array {
  out.fill(0);
  const a = off[2 * i]!;
  const mid = off[2 * i + 1]!;
  const end = off[2 * i + 2]!;
  for (let p = a; p < mid; p++) out[idx[p]!] = 1;
  for (let p = mid; p < end; p++) out[idx[p]!] = -1;
  return out;
}

/** out -= sum_i s_i * g_i * (h_i . inp), the shared kernel of both factor products. */
function applyFactors(
  hIdx: Int32Array, hOff: Int32Array, gIdx: Int32Array, gOff: Int32Array, count: number,
  s: Float64Array, inp: Float64Array, out: Float64Array, b: number, t: Float64Array,
): void {
  for (let i = 0; i < count; i++) {
    t.fill(0);
    const a = hOff[2 * i]!;
    const mid = hOff[2 * i + 1]!;
    const end = hOff[2 * i + 2]!;
    for (let p = a; p < mid; p++) {
      const base = hIdx[p]! * b;
      for (let c = 0; c < b; c++) t[c]! += inp[base + c]!;
    }
    for (let p = mid; p < end; p++) {
      const base = hIdx[p]! * b;
      for (let c = 0; c < b; c++) t[c]! -= inp[base + c]!;
    }
    const si = s[i]!;
    for (let c = 0; c < b; c++) t[c]! *= si;
    const ga = gOff[2 * i]!;
    const gmid = gOff[2 * i + 1]!;
    const gend = gOff[2 * i + 2]!;
    for (let p = ga; p < gmid; p++) {
      const base = gIdx[p]! * b;
      for (let c = 0; c < b; c++) out[base + c]! -= t[c]!;
    }
    for (let p = gmid; p < gend; p++) {
      const base = gIdx[p]! * b;
      for (let c = 0; c < b; c++) out[base + c]! += t[c]!;
    }
  }
}
