import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sharePairs, type SharedSums, type SymbolRows } from './pair-sharing.js';

/** Rows from signed lane lists, e.g. [[+0, +1, -2]] with -0 written as ~0 (see term()). */
function rowsOf(atoms: number, rows: ReadonlyArray<ReadonlyArray<readonly [number, 1 | -1]>>): SymbolRows {
  const start = new Int32Array(rows.length + 1);
  const term: number[] = [];
  rows.forEach((r, i) => {
    for (const [l, s] of r) term.push(l * 2 + (s < 0 ? 1 : 0));
    start[i + 1] = term.length;
  });
  return { atoms, rows: rows.length, start, term: Int32Array.from(term) };
}

/** Each row of the result expanded back to lane coefficients (symbols unfolded by their definitions). */
function expand(s: SharedSums): number[][] {
  const memo = new Map<number, Map<number, number>>();
  const coefs = (sym: number): Map<number, number> => {
    if (sym < s.atoms) return new Map([[sym, 1]]);
    let m = memo.get(sym);
    if (m) return m;
    const i = sym - s.atoms;
    m = new Map(coefs(s.defA[i]!));
    for (const [l, c] of coefs(s.defB[i]!)) m.set(l, (m.get(l) ?? 0) + (s.defNeg[i] ? -c : c));
    memo.set(sym, m);
    return m;
  };
  const out: number[][] = [];
  for (let r = 0; r < s.rows; r++) {
    const row = new Array<number>(s.atoms).fill(0);
    for (let i = s.start[r]!; i < s.start[r + 1]!; i++) {
      const sign = s.term[i]! & 1 ? -1 : 1;
      for (const [l, c] of coefs(s.term[i]! >>> 1)) row[l]! += sign * c;
    }
    out.push(row);
  }
  return out;
}

function dense(rows: SymbolRows): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows.rows; r++) {
    const row = new Array<number>(rows.atoms).fill(0);
    for (let i = rows.start[r]!; i < rows.start[r + 1]!; i++) row[rows.term[i]! >>> 1] = rows.term[i]! & 1 ? -1 : 1;
    out.push(row);
  }
  return out;
}

/** Largest number of rows any signed pair of the result still shares (counted by brute force). */
function maxPairCount(s: SharedSums): number {
  const count = new Map<string, number>();
  for (let r = 0; r < s.rows; r++) {
    const t = Array.from(s.term.subarray(s.start[r]!, s.start[r + 1]!));
    for (let i = 0; i < t.length; i++) {
      for (let j = 0; j < t.length; j++) {
        const [p, q] = [t[i]! >>> 1, t[j]! >>> 1];
        if (p >= q) continue;
        const key = `${p},${q},${(t[i]! ^ t[j]!) & 1}`;
        count.set(key, (count.get(key) ?? 0) + 1);
      }
    }
  }
  return Math.max(0, ...count.values());
}

/** Binary adders: made symbols plus (terms - 1) per row (negations are the tree builder's business). */
function adders(s: SharedSums): number {
  let n = s.defA.length;
  for (let r = 0; r < s.rows; r++) n += Math.max(0, s.start[r + 1]! - s.start[r]! - 1);
  return n;
}

const arbRows = fc
  .record({ atoms: fc.integer({ min: 1, max: 24 }), rows: fc.integer({ min: 1, max: 40 }), zeros: fc.double({ min: 0.2, max: 0.9, noNaN: true }), seed: fc.integer() })
  .map(({ atoms, rows, zeros, seed }) => {
    let s = seed >>> 0;
    const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const list = Array.from({ length: rows }, () => {
      const r: Array<readonly [number, 1 | -1]> = [];
      for (let l = 0; l < atoms; l++) if (next() >= zeros) r.push([l, next() < 0.5 ? 1 : -1]);
      return r;
    });
    return rowsOf(atoms, list);
  });

describe('greedy pairwise sharing', () => {
  it('shares the pair in most rows, across signs: (x0 + x1) serves x0+x1+x2, x0+x1-x2 and -x0-x1+x3', () => {
    const rows = rowsOf(4, [[[0, 1], [1, 1], [2, 1]], [[0, 1], [1, 1], [2, -1]], [[0, -1], [1, -1], [3, 1]]]);
    const s = sharePairs(rows);
    expect([Array.from(s.defA), Array.from(s.defB), Array.from(s.defNeg)]).toEqual([[0], [1], [0]]);
    // rows now: s + x2, s - x2, -s + x3 (symbol 4 is x0 + x1)
    const rowTerms = (r: number) => Array.from(s.term.subarray(s.start[r]!, s.start[r + 1]!)).sort((a, b) => a - b);
    expect([rowTerms(0), rowTerms(1), rowTerms(2)]).toEqual([[4, 8], [5, 8], [6, 9]]);
    expect(adders(s)).toBe(4);
  });

  it('a - b and b - a are one symbol and a sign', () => {
    const rows = rowsOf(4, [[[0, 1], [1, -1]], [[0, -1], [1, 1], [2, 1]], [[0, 1], [1, -1], [3, 1]]]);
    const s = sharePairs(rows);
    expect([Array.from(s.defA), Array.from(s.defB), Array.from(s.defNeg)]).toEqual([[0], [1], [1]]);
    expect(adders(s)).toBe(3);
    expect(expand(s)).toEqual(dense(rows));
  });

  it('property: rows keep their values, no pair is left in two rows, binary adders never grow (dense and lazy phases)', () => {
    fc.assert(
      fc.property(arbRows, fc.constantFrom(undefined, 0, 6, 12), (rows, denseCapacity) => {
        const s = sharePairs(rows, denseCapacity === undefined ? {} : { denseCapacity });
        expect(expand(s)).toEqual(dense(rows));
        expect(maxPairCount(s)).toBeLessThan(2);
        const before = adders({ ...rows, defA: new Int32Array(0), defB: new Int32Array(0), defNeg: new Uint8Array(0) });
        expect(adders(s)).toBeLessThanOrEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('the lazy phase reaches the same sharing as the dense one', () => {
    // x0+x1 (3 rows), then x0+x1+x2 and x3-x4 (2 rows each, in either order): 3 symbols + 1 adder in row 0
    const rows = rowsOf(5, [[[0, 1], [1, 1], [2, 1], [3, 1]], [[0, 1], [1, 1], [2, 1]], [[0, 1], [1, 1]], [[3, 1], [4, -1]], [[3, 1], [4, -1]]]);
    const a = sharePairs(rows);
    const b = sharePairs(rows, { denseCapacity: 0 });
    expect([adders(a), adders(b)]).toEqual([4, 4]);
    expect(expand(b)).toEqual(dense(rows));
  });
});
