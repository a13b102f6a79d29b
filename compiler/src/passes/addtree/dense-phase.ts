/**
 * A phase of greedy pairwise sharing with EXACT pair counts in a dense table (for up
 * to `cap` symbols). Making a symbol in k rows updates the counts of every pair it
 * touches (one table write per distinct partner), so a popped bucket entry is checked
 * in O(1) and nothing is ever recounted. Used while the symbols fit the table (the
 * early part of a large layer, where rows are long and lazy recounting is most
 * expensive); pair-phase.ts takes over when they do not.
 *
 * The count of pair (a, b) is split over a square table: count = T[a][b] + T[b][a].
 * Making s = p +- q changes the counts of (p, x), (q, x) and (s, x) for every partner
 * x; each change goes to the row of p, q or s, so it is a write within one row (a few
 * cache lines) instead of one cache miss per partner, as a triangular table (one cell
 * per pair) needs for half of them (those in column p). A pop reads both halves.
 */
import { invariant } from '@tsvdc/ir';
import { IntList } from './int-list.js';
import type { SymbolRows } from './pair-sharing.js';
import { PhaseRows } from './phase-rows.js';

/** Bytes the count table may take (twice the triangle's 64 MiB, for the same capacity). */
const TABLE_BYTES = 128 * 2 ** 20;

/** Most symbols a dense phase can hold for a given row count (a half can go down to -rows). */
export function denseCapacity(rows: number): number {
  const bytes = rows < 32768 ? 2 : 4;
  return Math.floor(Math.sqrt(TABLE_BYTES / (2 * bytes)));
}

export class DensePhase extends PhaseRows {
  private readonly cap: number;
  /** T[a][b] for sign rel at counts[a * stride + b * 2 + rel]; a pair's count is T[a][b] + T[b][a]. */
  private readonly counts: Int16Array | Int32Array;
  private readonly stride: number;
  private symbols: number;
  private readonly tally: Int32Array;
  private readonly touched = new IntList();

  constructor(input: SymbolRows, cap: number) {
    super(input, cap, true);
    this.cap = cap;
    this.stride = 2 * cap;
    this.counts = input.rows < 32768 ? new Int16Array(cap * this.stride) : new Int32Array(cap * this.stride);
    this.symbols = input.atoms;
    this.tally = new Int32Array(2 * cap);
  }

  /** Shares until no pair occurs in two rows (true) or the table is full (false). */
  override run(): boolean {
    this.countAll();
    const counts = this.counts;
    const cap = this.cap;
    let top = this.buckets.length - 1;
    for (;;) {
      this.top = top;
      if (top < 2) return true;
      const bucket = this.buckets[top]!;
      if (bucket.length === 0) { top--; continue; }
      if (this.symbols === cap) return false;
      const key = bucket.pop()!;
      const pq = key >>> 1;
      const p = Math.floor(pq / cap);
      const q = pq - p * cap;
      const c = counts[p * this.stride + q * 2 + (key & 1)]! + counts[q * this.stride + p * 2 + (key & 1)]!;
      if (c === top) this.apply(p, q, key & 1, c);
      else if (c >= 2) this.buckets[c]!.push(key);
    }
  }

  private countAll(): void {
    const counts = this.counts;
    const buf = this.rowBuf;
    for (let r = 0; r < this.input.rows; r++) {
      const s = this.rowStart[r]!;
      const e = s + this.rowLen[r]!;
      for (let j = s + 1; j < e; j++) {
        const tq = buf[j]!;
        const base = (tq >>> 1) * this.stride; // row q holds the initial counts (rows are sorted: p < q)
        const negQ = tq & 1;
        for (let i = s; i < j; i++) counts[base + (buf[i]! ^ negQ)]!++;
      }
    }
    const cap = this.cap;
    for (let q = 1; q < this.input.atoms; q++) {
      const base = q * this.stride;
      for (let k = 0; k < 2 * q; k++) {
        const c = counts[base + k]!;
        if (c >= 2) this.buckets[c]!.push(((k >>> 1) * cap + q) * 2 + (k & 1));
      }
    }
  }

  /**
   * Makes p + rel*q, substitutes it in its rows and updates the counts. Every other
   * term t of those rows pairs with p, q and the new symbol s in the same rows (s
   * takes p's sign), so one tally per (symbol, relative sign to p) gives all three
   * changes: three table writes per distinct partner, not per row entry.
   */
  private apply(p: number, q: number, rel: number, count: number): void {
    const W = this.W;
    const bits = this.bits;
    const k = this.intersect(p, q, rel);
    // the table must agree with the rows, or greedy would apply a pair that is not the most frequent
    invariant(k === count, `dense phase: pair (${p}, ${q}) counted ${count}, occurs in ${k} rows`);
    const s = this.symbols++;
    this.defA.push(p);
    this.defB.push(q);
    this.defNeg.push(rel);
    for (let i = 0; i < k; i++) {
      const r = this.found[i]! >>> 1;
      const negP = this.found[i]! & 1;
      const word = r >>> 5;
      const bit = 1 << (r & 31);
      bits[(p * 2 + negP) * W + word]! &= ~bit;
      bits[(q * 2 + (negP ^ rel)) * W + word]! &= ~bit;
      bits[(s * 2 + negP) * W + word]! |= bit;
      this.substituteAndTally(r, p, q, s * 2 + negP);
    }
    this.updateCounts(p, q, rel, s);
  }

  /**
   * Row r: p's slot takes the new term, q's slot is removed (one pass), and every
   * other term is tallied by its sign relative to p (the new term's sign).
   */
  private substituteAndTally(r: number, p: number, q: number, newTerm: number): void {
    const buf = this.rowBuf;
    const tally = this.tally;
    const touched = this.touched;
    const negP = newTerm & 1;
    const start = this.rowStart[r]!;
    let end = start + this.rowLen[r]!;
    for (let j = start; j < end; j++) {
      const t = buf[j]!;
      const x = t >>> 1;
      if (x === p) { buf[j] = newTerm; continue; }
      if (x === q) { buf[j--] = buf[--end]!; continue; }
      const key = t ^ negP;
      if (tally[key]++ === 0) touched.push(key);
    }
    this.rowLen[r] = end - start;
  }

  private updateCounts(p: number, q: number, rel: number, s: number): void {
    const counts = this.counts;
    const tally = this.tally;
    const [pBase, qBase, sBase] = [p * this.stride, q * this.stride, s * this.stride];
    counts[pBase + q * 2 + rel] = 0;
    counts[qBase + p * 2 + rel] = 0;
    // T[x][s] is still 0: s is new, so its pair counts live in row s alone
    for (let i = 0; i < this.touched.length; i++) {
      const key = this.touched.data[i]!; // x * 2 + sign of x relative to p
      const c = tally[key]!;
      tally[key] = 0;
      const x = key >>> 1;
      const relX = key & 1;
      counts[pBase + key]! -= c;
      counts[qBase + x * 2 + (relX ^ rel)]! -= c;
      counts[sBase + key] = c;
      if (c >= 2) this.buckets[c]!.push((x * this.cap + s) * 2 + relX);
    }
    this.touched.length = 0;
  }

  /** Rows where p and q occur with relative sign rel, into `found` (row * 2 + sign of p). */
  private intersect(p: number, q: number, rel: number): number {
    const W = this.W;
    const bits = this.bits;
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
        this.found[n++] = ((w << 5) + 31 - Math.clz32(low)) * 2 + ((mNeg & low) !== 0 ? 1 : 0);
      }
    }
    return n;
  }
}
