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
import { InternalError } from '@tsvdc/ir';
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

  constructor(input: SymbolRows, cap: number) {
    super(input, cap, true, cap);
    this.cap = cap;
    this.stride = 2 * cap;
    this.counts = input.rows < 32768 ? new Int16Array(cap * this.stride) : new Int32Array(cap * this.stride);
    this.symbols = input.atoms;
  }

  /** Shares until no pair occurs in two rows (true) or the table is full (false). */
  override run(): boolean {
    this.countAll();
    const counts = this.counts;
    const stride = this.stride;
    const buckets = this.buckets;
    let top = buckets.maxLevel;
    for (;;) {
      this.top = top;
      if (top < 2) return true;
      if (buckets.isEmpty(top)) { top--; continue; }
      if (this.symbols === this.cap) return false;
      buckets.pop(top);
      const p = buckets.p;
      const q = buckets.qr >>> 1;
      const rel = buckets.qr & 1;
      const c = counts[p * stride + q * 2 + rel]! + counts[q * stride + p * 2 + rel]!;
      if (c === top) this.apply(p, q, rel, c);
      else if (c >= 2) buckets.push(c, p, buckets.qr);
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
    for (let q = 1; q < this.input.atoms; q++) {
      const base = q * this.stride;
      for (let k = 0; k < 2 * q; k++) {
        const c = counts[base + k]!;
        if (c >= 2) this.buckets.push(c, k >>> 1, q * 2 + (k & 1));
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
    const k = this.intersectAtoms(p, q, rel);
    // the table must agree with the rows, or greedy would apply a pair that is not the most frequent
    if (k !== count) throw new InternalError(`dense phase: pair (${p}, ${q}) counted ${count}, occurs in ${k} rows`);
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

  private updateCounts(p: number, q: number, rel: number, s: number): void {
    const counts = this.counts;
    const tally = this.tally;
    const [pBase, qBase, sBase] = [p * this.stride, q * this.stride, s * this.stride];
    counts[pBase + q * 2 + rel] = 0;
    counts[qBase + p * 2 + rel] = 0;
    // T[x][s] is still 0: s is new, so its pair counts live in row s alone
    for (let i = 0; i < this.touchedLen; i++) {
      const key = this.touched[i]!; // x * 2 + sign of x relative to p
      const c = tally[key]!;
      tally[key] = 0;
      const x = key >>> 1;
      const relX = key & 1;
      counts[pBase + key]! -= c;
      counts[qBase + x * 2 + (relX ^ rel)]! -= c;
      counts[sBase + key] = c;
      if (c >= 2) this.buckets.push(c, x, s * 2 + relX);
    }
    this.touchedLen = 0;
  }
}
