/**
 * What both phases of greedy pairwise sharing keep (dense-phase.ts, pair-phase.ts):
 * the rows being rewritten, the definitions of the symbols made, the per-symbol row
 * bit sets, the bucket queue, and the result in SharedSums form. Fields are
 * protected so the phases' hot loops read them directly.
 */
import { IntList } from './int-list.js';
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
  /** Bucket queue of pair keys by count (or count bound). */
  protected readonly buckets: number[][];
  /** Scratch: rows found by an intersection. */
  protected readonly found: Int32Array;
  /** Last level the queue reached (where the next phase picks up). */
  top = 0;

  /** Rows and bit sets for `symbolCapacity` symbols; `sortRows` sorts each row's terms. */
  protected constructor(protected readonly input: SymbolRows, symbolCapacity: number, sortRows: boolean) {
    const R = input.rows;
    const W = (this.W = Math.max(1, Math.ceil(R / 32)));
    this.bits = new Uint32Array(symbolCapacity * 2 * W);
    this.rowStart = input.start.slice(0, R);
    this.rowLen = new Int32Array(R);
    this.rowBuf = input.term.slice();
    this.found = new Int32Array(R);
    this.buckets = Array.from({ length: R + 1 }, () => []);
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
