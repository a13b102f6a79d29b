import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PhaseMemory } from './phase-kernels.js';

/** JS statements of the kernels' contracts (phase-kernels.ts), to hold them to. */
function tallyRef(keys: Iterable<number>, tally: Map<number, number>, touched: number[]): void {
  for (const k of keys) {
    const c = tally.get(k) ?? 0;
    if (c === 0) touched.push(k);
    tally.set(k, c + 1);
  }
}

function substituteRef(row: number[], p: number, q: number, newTerm: number, tally: Map<number, number>, touched: number[]): number[] {
  const out = [...row];
  let end = out.length;
  for (let j = 0; j < end; j++) {
    const x = out[j]! >>> 1;
    if (x === p) { out[j] = newTerm; continue; }
    if (x === q) { out[j--] = out[--end]!; continue; }
    tallyRef([out[j]! ^ (newTerm & 1)], tally, touched);
  }
  return out.slice(0, end);
}

/** A row of distinct symbols in random order with random signs, as terms. */
const arbRow = fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 30 }).chain((syms) =>
  fc.array(fc.boolean(), { minLength: syms.length, maxLength: syms.length }).map((neg) => syms.map((s, i) => s * 2 + (neg[i] ? 1 : 0))));

describe('phase kernels (WebAssembly) against their JS statements', () => {
  it('substitute: p takes the new term, q leaves (the last term fills its slot), the rest is tallied relative to p', () => {
    // p and q anywhere in the row: q before the end moves the last term (maybe p) into its slot, looked at next
    const arbCase = fc.tuple(arbRow, fc.nat(), fc.nat()).filter(([r, i, j]) => i % r.length !== j % r.length);
    fc.assert(fc.property(arbCase, fc.boolean(), ([row, i, j], neg) => {
      const [p, q] = [row[i % row.length]! >>> 1, row[j % row.length]! >>> 1];
      const newTerm = 100 * 2 + (neg ? 1 : 0);
      const pieces = [row.length, 256, 256];
      const mem = new PhaseMemory(PhaseMemory.bytesFor(...pieces));
      const [buf, tally, touched] = pieces.map((n) => mem.int32(n));
      buf.view.set(row);
      const n = mem.k.substitute(buf.at, row.length, p, q, newTerm, tally.at, touched.at, 0);
      const refTally = new Map<number, number>();
      const refTouched: number[] = [];
      const refRow = substituteRef(row, p, q, newTerm, refTally, refTouched);
      expect(Array.from(buf.view.subarray(0, row.length - 1))).toEqual(refRow);
      expect(Array.from(touched.view.subarray(0, n))).toEqual(refTouched);
      for (const k of refTouched) expect(tally.view[k]).toBe(refTally.get(k));
    }));
  });

  it('discoverAtom and keep: counts over the older terms in row order, the atom inserted at its place, the kept keys in first-seen order', () => {
    // an atom not counted (below the floor: pair-phase.ts) tallies nothing, but its terms become older terms all the same
    const arbCounted = fc.array(fc.boolean(), { minLength: 41, maxLength: 41 });
    fc.assert(fc.property(fc.array(arbRow, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 }), arbCounted, (rows, floor, counted) => {
      const terms = rows.flat();
      const start = rows.map((_, r) => rows.slice(0, r).reduce((n, x) => n + x.length, 0));
      const pieces = [terms.length, 2 * terms.length, terms.length, terms.length, rows.length, rows.length, 128, 128, 128];
      const mem = new PhaseMemory(PhaseMemory.bytesFor(...pieces));
      const [buf, visits, older, olderAt, olderLen, rowStart, tally, touched, kept] = pieces.map((n) => mem.int32(n));
      buf.view.set(terms);
      rowStart.view.set(start);
      const refOlder = rows.map(() => [] as number[]);
      for (let atom = 0; atom <= 40; atom++) {
        const seen: number[] = [];
        rows.forEach((row, r) => row.forEach((t, i) => { if (t >>> 1 === atom) seen.push(r, start[r]! + i); }));
        if (seen.length === 0) continue;
        visits.view.set(seen);
        const n = mem.k.discoverAtom(visits.at, seen.length / 2, counted[atom] ? 1 : 0, rowStart.at, buf.at, older.at, olderAt.at, olderLen.at, tally.at, touched.at, 0);
        const m = mem.k.keep(touched.at, n, tally.at, floor, kept.at);
        const refTally = new Map<number, number>();
        const refTouched: number[] = [];
        for (let v = 0; v < seen.length; v += 2) {
          const [r, i] = [seen[v]!, seen[v + 1]!];
          const t = terms[i]!;
          if (counted[atom]) tallyRef(refOlder[r]!.map((u) => terms[u]! ^ (t & 1)), refTally, refTouched);
          refOlder[r]!.push(i);
          refOlder[r]!.sort((a, b) => a - b);
        }
        expect(n).toBe(refTouched.length);
        const refKept = refTouched.filter((k) => refTally.get(k)! >= floor);
        expect(Array.from(touched.view.subarray(0, m))).toEqual(refKept);
        expect(Array.from(kept.view.subarray(0, m))).toEqual(refKept.map((k) => refTally.get(k)));
        expect(Array.from(tally.view)).toEqual(new Array<number>(128).fill(0));
        // every row's older terms, packed in row order from its start, with their positions
        rows.forEach((_, r) => {
          const len = refOlder[r]!.length;
          expect(olderLen.view[r]).toBe(len);
          expect(Array.from(olderAt.view.subarray(start[r]!, start[r]! + len))).toEqual(refOlder[r]);
          expect(Array.from(older.view.subarray(start[r]!, start[r]! + len))).toEqual(refOlder[r]!.map((u) => terms[u]));
        });
      }
    }));
  });

  it('phase memory: pieces end below 2^31 bytes (the kernels compare pointers signed)', () => {
    const mem = new PhaseMemory(2 ** 31); // reserved, not touched: cheap
    expect(mem.int32(2 ** 29 - 4).at).toBe(0);
    expect(() => mem.int32(4)).toThrow(/2\^31/);
  });

  it('countPair: rows where two symbols occur with the given relative sign', () => {
    fc.assert(fc.property(fc.array(fc.integer(), { minLength: 16, maxLength: 16 }), (w) => {
      const mem = new PhaseMemory(PhaseMemory.bytesFor(16));
      const planes = mem.uint32(16); // p+, p-, q+, q- (4 words each: two i64 words a plane)
      planes.view.set(w.map((x) => x >>> 0));
      const pop = (x: number): number => x.toString(2).split('1').length - 1;
      let same = 0;
      let other = 0;
      for (let i = 0; i < 4; i++) {
        const [pP, pN, qP, qN] = [w[i]!, w[4 + i]!, w[8 + i]!, w[12 + i]!];
        same += pop(((pP & qP) | (pN & qN)) >>> 0);
        other += pop(((pP & qN) | (pN & qP)) >>> 0);
      }
      const at = planes.at;
      expect(mem.k.countPair(at, at + 16, at + 32, at + 48, 2)).toBe(same);
      expect(mem.k.countPair(at, at + 16, at + 48, at + 32, 2)).toBe(other);
    }));
  });
});
