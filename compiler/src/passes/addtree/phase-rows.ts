/**
 * What both phases of greedy pairwise sharing keep (dense-phase.ts, pair-phase.ts):
 * the rows being rewritten, the definitions of the symbols made, the per-symbol row
 * bit sets, the bucket queue, the tally of a substitution, and the result in
 * SharedSums form. Fields are protected so the phases' hot loops read them directly.
 */
import { IntList } from './int-list.js';
import { PairBuckets } from './pair-buckets.js';
import type { SharedSums, SymbolRows } from './pair-sharing.js';

export abstract class PhaseRows {
  /** 32-bit words per row bit set. */
  protected readonly W: number;
  /** Per symbol: W words of rows where it is positive, then W where it is negative. */
  protected readonly bits: Uint32Array;
  protected readonly rowStart: Int32Array;
  protected readonly rowLen: Int32Array;
  protected readonly rowBuf: Int32Array;
  /** Made symbols: atoms + i = defA[i] + (defNeg[i] ? -1 : +1) * defB[i]. */
  protected readonly defA = new IntList();
  protected readonly defB = new IntList();
  protected readonly defNeg = new IntList();
  /** Pairs by count (or count bound). */
  protected readonly buckets: PairBuckets;
  /** Scratch: rows found by an intersection (row * 2 + sign of p), and how many. */
  protected readonly found: Int32Array;
  protected foundLen = 0;
  /** Scratch: per signed key (symbol * 2 + relative sign), rows counted; the keys counted, in first-seen order. */
  protected tally: Int32Array;
  protected touched: Int32Array;
  protected touchedLen = 0;
  /** Last level the queue reached (where the next phase picks up). */
  top = 0;

  /**
   * Rows and bit sets for `symbolCapacity` symbols (the tally grows past it when a
   * phase makes more); `sortRows` sorts each row's terms.
   */
  protected constructor(protected readonly input: SymbolRows, symbolCapacity: number, sortRows: boolean) {
    const R = input.rows;
    const W = (this.W = Math.max(1, Math.ceil(R / 32)));
    this.bits = new Uint32Array(symbolCapacity * 2 * W);
    this.rowStart = input.start.slice(0, R);
    this.rowLen = new Int32Array(R);
    this.rowBuf = input.term.slice();
    this.found = new Int32Array(R);
    this.buckets = new PairBuckets(R);
    this.tally = new Int32Array(2 * symbolCapacity + 1);
    this.touched = new Int32Array(2 * symbolCapacity + 1);
    for (let r = 0; r < R; r++) {
      const s = input.start[r]!;
      const e = input.start[r + 1]!;
      this.rowLen[r] = e - s;
      if (sortRows) this.rowBuf.subarray(s, e).sort();
      for (let i = s; i < e; i++) {
        const t = input.term[i]!;
        this.bits[((t >>> 1) * 2 + (t & 1)) * W + (r >>> 5)]! |= 1 << (r & 31);
      }
    }
  }

  /** Shares until no pair occurs in two rows (true), or stops early for the next phase (false). */
  abstract run(): boolean;

  /** Makes the tally hold keys of `symbols` symbols (plus one spare slot past them). */
  protected growScratch(symbols: number): void {
    if (this.tally.length > 2 * symbols) return;
    const size = Math.max(2 * symbols + 1, this.tally.length * 2);
    const tally = new Int32Array(size);
    tally.set(this.tally);
    this.tally = tally;
    const touched = new Int32Array(size);
    touched.set(this.touched.subarray(0, this.touchedLen));
    this.touched = touched;
  }

  /**
   * Rows where atoms p and q (both with bit sets) occur with relative sign rel, into
   * `found` in ascending row order; returns their number.
   */
  protected intersectAtoms(p: number, q: number, rel: number): number {
    const W = this.W;
    const bits = this.bits;
    const found = this.found;
    let n = 0;
    const pP = p * 2 * W, pN = pP + W, qP = q * 2 * W, qN = qP + W;
    const qSame = rel ? qN : qP;
    const qOther = rel ? qP : qN;
    for (let w = 0; w < W; w++) {
      const mNeg = bits[pN + w]! & bits[qOther + w]!;
      let m = (bits[pP + w]! & bits[qSame + w]!) | mNeg;
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        found[n++] = ((w << 5) + 31 - Math.clz32(low)) * 2 + ((mNeg & low) !== 0 ? 1 : 0);
      }
    }
    this.foundLen = n;
    return n;
  }

  /**
   * How many rows hold atoms p and q with relative sign rel (popcounts of the bit
   * sets; several times faster than listing the rows, which only an apply needs).
   */
  protected countAtoms(p: number, q: number, rel: number): number {
    const W = this.W;
    const bits = this.bits;
    let n = 0;
    const pP = p * 2 * W, pN = pP + W, qP = q * 2 * W, qN = qP + W;
    const qSame = rel ? qN : qP;
    const qOther = rel ? qP : qN;
    for (let w = 0; w < W; w++) {
      let x = (bits[pP + w]! & bits[qSame + w]!) | (bits[pN + w]! & bits[qOther + w]!);
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    return n;
  }

  /**
   * Row r: p's slot takes the new term, q's slot is removed (one pass), and every
   * other term is tallied by its sign relative to p (the new term's sign).
   */
  protected substituteAndTally(r: number, p: number, q: number, newTerm: number): void {
    const buf = this.rowBuf;
    const tally = this.tally;
    const touched = this.touched;
    const negP = newTerm & 1;
    let n = this.touchedLen;
    const start = this.rowStart[r]!;
    let end = start + this.rowLen[r]!;
    for (let j = start; j < end; j++) {
      const t = buf[j]!;
      const x = t >>> 1;
      if (x === p) { buf[j] = newTerm; continue; }
      if (x === q) { buf[j--] = buf[--end]!; continue; }
      const key = t ^ negP;
      if (tally[key]++ === 0) touched[n++] = key;
    }
    this.touchedLen = n;
    this.rowLen[r] = end - start;
  }

  /** Made symbols (local ids) and the rows as they are now. */
  result(): SharedSums {
    const R = this.input.rows;
    const start = new Int32Array(R + 1);
    for (let r = 0; r < R; r++) start[r + 1] = start[r]! + this.rowLen[r]!;
    const term = new Int32Array(start[R]!);
    for (let r = 0; r < R; r++) term.set(this.rowBuf.subarray(this.rowStart[r]!, this.rowStart[r]! + this.rowLen[r]!), start[r]!);
    return {
      atoms: this.input.atoms,
      defA: this.defA.data.slice(0, this.defA.length),
      defB: this.defB.data.slice(0, this.defB.length),
      defNeg: Uint8Array.from(this.defNeg.data.subarray(0, this.defNeg.length)),
      rows: R,
      start,
      term,
    };
  }
}
