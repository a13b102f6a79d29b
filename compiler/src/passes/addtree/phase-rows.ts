/**
 * What both phases of greedy pairwise sharing keep (dense-phase.ts, pair-phase.ts):
 * the rows being rewritten, the definitions of the symbols made, the per-symbol row
 * bit sets, the bucket queue, the tally of a substitution, and the result in
 * SharedSums form. Rows, bit sets and tally live in the phase's WebAssembly memory
 * (phase-kernels.ts), where the inner loops run. Fields are protected so the phases'
 * hot loops read them directly.
 */
import { IntList } from './int-list.js';
import { PairBuckets } from './pair-buckets.js';
import type { SharedSums, SymbolRows } from './pair-sharing.js';
import { PhaseMemory } from './phase-kernels.js';

/**
 * Most symbols a phase on these rows can end with: every symbol made replaces two terms
 * or more (in two rows or more) by one, so at most terms / 2 are made.
 */
export function maxSymbols(input: SymbolRows): number {
  return input.atoms + Math.floor(input.term.length / 2) + 1;
}

export abstract class PhaseRows {
  /** 32-bit words per plane of a row bit set (even, for 64-bit popcounts). */
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
  /**
   * Scratch: per signed key (symbol * 2 + relative sign), rows counted; the keys
   * counted, in first-seen order (after `keep`: those kept, their counts in `kept`).
   */
  protected readonly tally: Int32Array;
  protected readonly touched: Int32Array;
  protected touchedLen = 0;
  protected readonly kept: Int32Array;
  protected readonly mem: PhaseMemory;
  /** Byte offsets of bits, rowBuf, tally, touched and kept in `mem`. */
  protected readonly at: { readonly bits: number; readonly rowBuf: number; readonly tally: number; readonly touched: number; readonly kept: number };
  /** Last level the queue reached (where the next phase picks up). */
  top = 0;

  /**
   * Rows, and bit sets for `bitSymbols` symbols; `sortRows` sorts each row's terms.
   * The tally holds keys of up to `maxSymbols` symbols; the memory has room left for
   * the phase's own pieces of `extraPieces` int32 each.
   */
  protected constructor(protected readonly input: SymbolRows, bitSymbols: number, sortRows: boolean, maxSymbols: number, extraPieces: readonly number[] = []) {
    const R = input.rows;
    const words = Math.max(1, Math.ceil(R / 32));
    const W = (this.W = words + (words & 1));
    // bits, then rowBuf, tally, touched and kept
    const [bitWords, ...ints] = [bitSymbols * 2 * W, input.term.length, 2 * maxSymbols, 2 * maxSymbols, 2 * maxSymbols];
    this.mem = new PhaseMemory(PhaseMemory.bytesFor(bitWords, ...ints, ...extraPieces));
    const bits = this.mem.uint32(bitWords);
    const [rowBuf, tally, touched, kept] = ints.map((n) => this.mem.int32(n));
    [this.bits, this.rowBuf, this.tally, this.touched, this.kept] = [bits.view, rowBuf.view, tally.view, touched.view, kept.view];
    this.at = { bits: bits.at, rowBuf: rowBuf.at, tally: tally.at, touched: touched.at, kept: kept.at };
    this.rowBuf.set(input.term);
    this.rowStart = input.start.slice(0, R);
    this.rowLen = new Int32Array(R);
    this.found = new Int32Array(R);
    this.buckets = new PairBuckets(R);
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

  /** How many rows hold atoms p and q with relative sign rel (popcounts of their bit sets). */
  protected countAtoms(p: number, q: number, rel: number): number {
    const plane = 4 * this.W;
    const pP = this.at.bits + 2 * plane * p;
    const qP = this.at.bits + 2 * plane * q;
    return this.mem.k.countPair(pP, pP + plane, rel ? qP + plane : qP, rel ? qP : qP + plane, this.W >> 1);
  }

  /**
   * Row r (which holds p and q): p's slot takes the new term, q's slot is removed,
   * and every other term is tallied by its sign relative to p (the new term's sign).
   */
  protected substituteAndTally(r: number, p: number, q: number, newTerm: number): void {
    const at = this.at;
    this.touchedLen = this.mem.k.substitute(at.rowBuf + 4 * this.rowStart[r]!, this.rowLen[r]!, p, q, newTerm, at.tally, at.touched, this.touchedLen);
    this.rowLen[r]!--;
  }

  /**
   * Clears the tally; the keys it counted `floor` times or more stay in touched[0..n),
   * in first-seen order, their counts in kept[0..n); returns n.
   */
  protected keepTally(floor: number): number {
    const at = this.at;
    const n = this.mem.k.keep(at.touched, this.touchedLen, at.tally, floor, at.kept);
    this.touchedLen = 0;
    return n;
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
