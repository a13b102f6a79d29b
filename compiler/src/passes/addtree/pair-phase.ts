/**
 * One phase of greedy pairwise sharing (pair-sharing.ts has the algorithm and the
 * driver): exact pair counts at the start, then lazy recounting of upper bounds.
 * Hot loops keep typed arrays in locals; terms are `symbol * 2 + negative`.
 */
import { IntList } from './int-list.js';
import type { SymbolRows } from './pair-sharing.js';
import { PhaseRows } from './phase-rows.js';

export class PairPhase extends PhaseRows {
  // made symbols' sorted row lists (entry = row * 2 + negative) in `pool`
  private readonly listStart = new IntList();
  private readonly listLen = new IntList();
  private readonly pool = new IntList(1024);
  private alive = new Uint8Array(1024);
  /** Rows each symbol still occurs in. */
  private occurs: Int32Array;
  // pairs (p < q, value p + (neg ? -q : q)) and the bucket queue of their count bounds
  private readonly pA = new IntList(1 << 16);
  private readonly pB = new IntList(1 << 16);
  private readonly pNeg = new IntList(1 << 16);
  // scratch
  private tally = new Int32Array(0);
  private touched = new Int32Array(0);
  private touchedLen = 0;
  private foundLen = 0;
  /** Words and list entries read by recounts: the phase's cost beyond discovery. */
  private staleWork = 0;

  /**
   * Only pairs seen in at least `floor` rows are stored: the phase ends when the
   * top falls below it, and the next phase (lower floor) counts the rest afresh.
   */
  constructor(input: SymbolRows, private floor = 0) {
    super(input, input.atoms, false);
    this.occurs = new Int32Array(Math.max(16, input.atoms * 2));
    for (let i = input.start[0]!; i < input.start[input.rows]!; i++) this.occurs[input.term[i]! >>> 1]!++;
    this.growScratch(input.atoms);
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
    for (let p = 0; p < this.input.atoms; p++) this.discoverAtom(p);
    let top = this.buckets.length - 1;
    while (top >= 2 && this.buckets[top]!.length === 0) top--;
    if (floor === 0) this.floor = Math.max(2, Math.floor(top / 2));
    let applied = 0;
    const occurs = (): Int32Array => this.occurs;
    for (;;) {
      this.top = top;
      if (top < 2) return true;
      if (top < this.floor || (applied > 0 && this.staleWork > discovery)) return false;
      const bucket = this.buckets[top]!;
      if (bucket.length === 0) { top--; continue; }
      const id = bucket.pop()!;
      // a pair occurs in no more rows than either of its symbols: a free bound
      const bound = Math.min(occurs()[this.pA.data[id]!]!, occurs()[this.pB.data[id]!]!);
      if (bound < top) {
        if (bound >= this.floor) this.buckets[bound]!.push(id);
        continue;
      }
      const c = this.intersect(id);
      if (c === top) { this.apply(id); applied++; }
      else if (c >= this.floor) this.buckets[c]!.push(id);
    }
  }

  private growScratch(symbols: number): void {
    if (this.tally.length >= 2 * symbols) return;
    const size = Math.max(2 * symbols, this.tally.length * 2);
    const tally = new Int32Array(size);
    tally.set(this.tally);
    this.tally = tally;
    this.touched = new Int32Array(size);
    const occurs = new Int32Array(size);
    occurs.set(this.occurs.subarray(0, Math.min(this.occurs.length, size)));
    this.occurs = occurs;
  }

  /** Pairs of atom p with smaller atoms (a pair is found by its younger symbol). */
  private discoverAtom(p: number): void {
    if (this.occurs[p]! < this.floor) return; // none of its pairs can reach the floor
    const W = this.W;
    const bits = this.bits;
    for (let w = 0; w < W; w++) {
      const negWord = bits[(p * 2 + 1) * W + w]!;
      let m = bits[p * 2 * W + w]! | negWord;
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        this.tallyRow((w << 5) + 31 - Math.clz32(low), (negWord & low) !== 0 ? 1 : 0, p);
      }
    }
    this.flushTally(p);
  }

  /** Counts, for every older symbol x of row r, its co-occurrence with `self` (sign negSelf). */
  private tallyRow(r: number, negSelf: number, self: number): void {
    const buf = this.rowBuf;
    const tally = this.tally;
    const touched = this.touched;
    let n = this.touchedLen;
    const s = this.rowStart[r]!;
    const e = s + this.rowLen[r]!;
    for (let i = s; i < e; i++) {
      const t = buf[i]!;
      if (t >>> 1 >= self) continue;
      const k = t ^ negSelf; // x * 2 + relative sign
      if (tally[k]++ === 0) touched[n++] = k;
    }
    this.touchedLen = n;
  }

  /** Stores every pair (x, self) seen in two rows or more, and clears the tally. */
  private flushTally(self: number): void {
    const tally = this.tally;
    const touched = this.touched;
    for (let i = 0; i < this.touchedLen; i++) {
      const k = touched[i]!;
      const c = tally[k]!;
      tally[k] = 0;
      if (c < this.floor) continue;
      this.buckets[c]!.push(this.pA.length);
      this.pA.push(k >>> 1);
      this.pB.push(self);
      this.pNeg.push(k & 1);
    }
    this.touchedLen = 0;
  }

  /** Exact rows of pair `id` into `found` (row * 2 + sign of p, ascending); returns their number. */
  private intersect(id: number): number {
    const p = this.pA.data[id]!;
    const q = this.pB.data[id]!;
    const rel = this.pNeg.data[id]!;
    const A = this.input.atoms;
    this.foundLen = 0;
    if (q < A) {
      this.intersectAtoms(p, q, rel);
      this.staleWork += this.W;
    } else if (p < A) {
      this.intersectAtomList(p, q, rel);
      this.staleWork += this.listLen.data[q - A]!;
    } else {
      this.intersectLists(p, q, rel);
      this.staleWork += this.listLen.data[p - A]! + this.listLen.data[q - A]!;
    }
    return this.foundLen;
  }

  private intersectAtoms(p: number, q: number, rel: number): void {
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
  }

  private intersectAtomList(p: number, q: number, rel: number): void {
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
  }

  private intersectLists(p: number, q: number, rel: number): void {
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
  }

  /** Makes the symbol of pair `id` (rows in `found`) and substitutes it in those rows. */
  private apply(id: number): void {
    const p = this.pA.data[id]!;
    const q = this.pB.data[id]!;
    const rel = this.pNeg.data[id]!;
    const s = this.input.atoms + this.defA.length;
    this.defA.push(p);
    this.defB.push(q);
    this.defNeg.push(rel);
    this.listStart.push(this.pool.length);
    this.listLen.push(this.foundLen);
    this.growScratch(s + 1);
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
    this.flushTally(s);
  }

  /**
   * Row r: p's slot takes the new term, q's slot is removed (one pass), and every
   * other term (all older than the new symbol) is tallied against it.
   */
  private substituteAndTally(r: number, p: number, q: number, newTerm: number): void {
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
