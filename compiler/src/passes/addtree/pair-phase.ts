/**
 * One lazy phase of greedy pairwise sharing (pair-sharing.ts has the algorithm and the
 * driver): pair counts found at the start, then lazy recounting of upper bounds. The
 * phase's atoms have row bit sets; symbols it makes have sorted row lists.
 * Hot loops keep typed arrays in locals, the hottest run in WebAssembly
 * (phase-kernels.ts); terms are `symbol * 2 + negative`.
 */
import { IntList } from './int-list.js';
import type { SymbolRows } from './pair-sharing.js';
import { maxSymbols, PhaseRows } from './phase-rows.js';

/** Int32 pieces of discovery's memory for these rows: visits, rowStart, older, olderAt, olderLen. */
function discoveryPieces(terms: number, rows: number): number[] {
  return [2 * terms, rows, terms, terms, rows];
}

export class PairPhase extends PhaseRows {
  // made symbols' sorted row lists (entry = row * 2 + negative) in `pool`
  private readonly listStart = new IntList();
  private readonly listLen = new IntList();
  private readonly pool = new IntList(1024);
  private alive = new Uint8Array(1024);
  /** Rows each symbol still occurs in. */
  private readonly occurs: Int32Array;
  /** Words and list entries read by recounts: the phase's cost beyond discovery. */
  private staleWork = 0;
  /** What a recount of two atoms adds to staleWork: the 32-bit words of a row set. */
  private readonly setWords: number;

  /**
   * Only pairs seen in at least `floor` rows are stored: the phase ends when the
   * top falls below it, and the next phase (lower floor) counts the rest afresh.
   */
  constructor(input: SymbolRows, private floor = 0) {
    super(input, input.atoms, false, maxSymbols(input), discoveryPieces(input.term.length, input.rows));
    this.setWords = Math.max(1, Math.ceil(input.rows / 32));
    this.occurs = new Int32Array(maxSymbols(input));
    for (let i = input.start[0]!; i < input.start[input.rows]!; i++) this.occurs[input.term[i]! >>> 1]!++;
  }

  /**
   * Shares until no pair occurs in two rows (returns true), or returns false when the
   * top falls below the floor, or when recounting stale pairs has cost more than
   * this phase's discovery (a fresh phase on the current rows is then cheaper).
   */
  override run(): boolean {
    let discovery = 0;
    for (let r = 0; r < this.input.rows; r++) discovery += (this.rowLen[r]! * (this.rowLen[r]! - 1)) / 2;
    const floor = this.floor;
    this.floor = Math.max(2, floor);
    this.discover(floor === 0);
    const buckets = this.buckets;
    let top = buckets.maxLevel;
    while (top >= 2 && buckets.isEmpty(top)) top--;
    if (floor === 0) this.floor = Math.max(2, Math.floor(top / 2));
    let applied = 0;
    for (;;) {
      this.top = top;
      if (top < 2) return true;
      if (top < this.floor || (applied > 0 && this.staleWork > discovery)) return false;
      if (buckets.isEmpty(top)) { top--; continue; }
      buckets.pop(top);
      const p = buckets.p;
      const qr = buckets.qr;
      // a pair occurs in no more rows than either of its symbols: a free bound
      const bound = Math.min(this.occurs[p]!, this.occurs[qr >>> 1]!);
      if (bound < top) {
        if (bound >= this.floor) buckets.push(bound, p, qr);
        continue;
      }
      const c = this.recount(p, qr >>> 1, qr & 1, top);
      if (c === top) { this.apply(p, qr >>> 1, qr & 1); applied++; }
      else if (c >= this.floor) buckets.push(c, p, qr);
    }
  }

  /**
   * Pairs of every atom with the older atoms (a pair is found by its younger symbol),
   * counted in p's rows in ascending order, each row's older terms in row order (the
   * order pairs enter the queue, so it decides which of equal pairs wins). Each row
   * keeps its visited (older) terms packed in row order, p's term inserted at its
   * place after a visit, so a visit reads only the older terms, in a plain loop: half
   * a row on average, where a scan of the whole row that tests every term's age spent
   * most of its time on mispredicted tests.
   */
  private discover(firstPhase: boolean): void {
    const A = this.input.atoms;
    const R = this.input.rows;
    const buf = this.rowBuf;
    const mem = this.mem;
    // every atom's visits (row, position), by ascending row
    const posStart = new Int32Array(A + 1);
    for (let p = 0; p < A; p++) posStart[p + 1] = posStart[p]! + this.occurs[p]!;
    const fill = posStart.slice(0, A);
    // row r's older terms go in older and olderAt (their positions) from rowStart[r], in row order
    const [visits, rowStart, older, olderAt, olderLen] = discoveryPieces(buf.length, R).map((n) => mem.int32(n));
    const visitView = visits.view;
    for (let r = 0; r < R; r++) {
      const s = (rowStart.view[r] = this.rowStart[r]!);
      for (let i = s; i < s + this.rowLen[r]!; i++) {
        const k = fill[buf[i]! >>> 1]!++;
        visitView[2 * k] = r;
        visitView[2 * k + 1] = i;
      }
    }
    const discoverAtom = mem.k.discoverAtom;
    const { rowBuf, tally, touched } = this.at;
    // a first phase's floor is half its top, not known yet: pairs below half the top so far can be left out already
    let most = 0;
    for (let p = 0; p < A; p++) {
      // none of its pairs can reach the floor: not counted, but its terms become older terms all the same
      const counted = this.occurs[p]! >= this.floor;
      this.touchedLen = discoverAtom(visits.at + 8 * posStart[p]!, posStart[p + 1]! - posStart[p]!, counted ? 1 : 0,
        rowStart.at, rowBuf, older.at, olderAt.at, olderLen.at, tally, touched, this.touchedLen);
      if (counted) most = Math.max(most, this.store(p, firstPhase ? Math.max(this.floor, most >> 1) : this.floor));
    }
  }

  /**
   * Stores every pair (x, self) of the tally seen in `floor` rows or more (x * 2 + sign
   * relative to self is its key), in the order the tally first saw them, and clears the
   * tally; returns the largest count stored.
   */
  private store(self: number, floor: number): number {
    const n = this.keepTally(floor);
    const keys = this.touched;
    const counts = this.kept;
    let most = 0;
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const c = counts[i]!;
      if (c > most) most = c;
      this.buckets.push(c, k >>> 1, self * 2 + (k & 1));
    }
    return most;
  }

  /** The exact count of pair (p, q, rel) now; when it reaches `top`, its rows are in `found`. */
  private recount(p: number, q: number, rel: number, top: number): number {
    const A = this.input.atoms;
    if (q < A) {
      this.staleWork += this.setWords;
      const c = this.countAtoms(p, q, rel);
      return c === top ? this.intersectAtoms(p, q, rel) : c;
    }
    if (p < A) {
      this.staleWork += this.listLen.data[q - A]!;
      return this.intersectAtomList(p, q, rel);
    }
    this.staleWork += this.listLen.data[p - A]! + this.listLen.data[q - A]!;
    return this.intersectLists(p, q, rel);
  }

  private intersectAtomList(p: number, q: number, rel: number): number {
    const W = this.W;
    const bits = this.bits;
    const pool = this.pool.data;
    const alive = this.alive;
    const found = this.found;
    let n = 0;
    const j = q - this.input.atoms;
    const s = this.listStart.data[j]!;
    const e = s + this.listLen.data[j]!;
    for (let i = s; i < e; i++) {
      if (!alive[i]) continue;
      const entry = pool[i]!;
      const r = entry >>> 1;
      const negP = (entry & 1) ^ rel;
      if ((bits[(p * 2 + negP) * W + (r >>> 5)]! & (1 << (r & 31))) !== 0) found[n++] = r * 2 + negP;
    }
    this.foundLen = n;
    return n;
  }

  private intersectLists(p: number, q: number, rel: number): number {
    const A = this.input.atoms;
    const pool = this.pool.data;
    const alive = this.alive;
    const found = this.found;
    let n = 0;
    let i = this.listStart.data[p - A]!;
    const ie = i + this.listLen.data[p - A]!;
    let j = this.listStart.data[q - A]!;
    const je = j + this.listLen.data[q - A]!;
    while (i < ie && j < je) {
      const a = pool[i]!;
      const b = pool[j]!;
      const ra = a >>> 1;
      const rb = b >>> 1;
      if (ra < rb) i++;
      else if (rb < ra) j++;
      else {
        if (alive[i] && alive[j] && ((a ^ b) & 1) === rel) found[n++] = a;
        i++;
        j++;
      }
    }
    this.foundLen = n;
    return n;
  }

  /** Makes the symbol p + rel*q (its rows in `found`) and substitutes it in those rows. */
  private apply(p: number, q: number, rel: number): void {
    const s = this.input.atoms + this.defA.length;
    this.defA.push(p);
    this.defB.push(q);
    this.defNeg.push(rel);
    this.listStart.push(this.pool.length);
    this.listLen.push(this.foundLen);
    this.occurs[s] = this.foundLen;
    if (this.pool.length + this.foundLen > this.pool.data.length) this.pool.grow(this.pool.length + this.foundLen);
    if (this.pool.data.length > this.alive.length) {
      const next = new Uint8Array(this.pool.data.length);
      next.set(this.alive);
      this.alive = next;
    }
    for (let i = 0; i < this.foundLen; i++) {
      const entry = this.found[i]!;
      const r = entry >>> 1;
      const negP = entry & 1;
      this.substituteAndTally(r, p, q, s * 2 + negP);
      this.leave(p, r, negP);
      this.leave(q, r, negP ^ rel);
      this.alive[this.pool.length] = 1;
      this.pool.data[this.pool.length++] = entry;
    }
    this.store(s, this.floor);
  }

  /** Symbol x no longer occurs in row r (where it had sign neg). */
  private leave(x: number, r: number, neg: number): void {
    const A = this.input.atoms;
    this.occurs[x]!--;
    if (x < A) {
      this.bits[(x * 2 + neg) * this.W + (r >>> 5)]! &= ~(1 << (r & 31));
      return;
    }
    const j = x - A;
    let lo = this.listStart.data[j]!;
    let hi = lo + this.listLen.data[j]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const rm = this.pool.data[mid]! >>> 1;
      if (rm === r) {
        this.alive[mid] = 0;
        if (this.occurs[x]! * 2 < this.listLen.data[j]!) this.compact(j);
        return;
      }
      if (rm < r) lo = mid + 1;
      else hi = mid - 1;
    }
  }

  /** Drops the dead entries of made symbol j's row list (kept sorted, in place). */
  private compact(j: number): void {
    const s = this.listStart.data[j]!;
    const e = s + this.listLen.data[j]!;
    let k = s;
    for (let i = s; i < e; i++) {
      if (!this.alive[i]) continue;
      this.pool.data[k] = this.pool.data[i]!;
      this.alive[k++] = 1;
    }
    this.listLen.data[j] = k - s;
  }
}
