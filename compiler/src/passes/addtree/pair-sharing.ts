/**
 * Greedy pairwise sharing of partial sums (the CSE algorithm of add-tree-cse).
 *
 * Rows are signed sums of symbols; symbols 0..atoms-1 are given (lanes), the rest
 * are made here. Repeatedly, the pair of signed symbols that occurs together in the
 * most rows becomes one new symbol `p + rel*q` (p < q), and every such row uses it
 * instead (with p's sign: `a-b` and `b-a` are one node and a negation). Stops when
 * no pair occurs in two rows.
 *
 * Speed (a 1024x1024 matrix has 1.3e8 pair occurrences). Pair counts never rise
 * once both symbols exist, and the largest count never rises either, so a bucket
 * queue is walked downwards only. The work runs in phases, each starting from the
 * current rows with every live symbol as an atom:
 * - dense-phase.ts while the symbols fit a dense count table: exact counts,
 *   updated with one tally per made symbol; stale queue entries cost O(1).
 * - pair-phase.ts after that: stored counts are upper bounds, recounted only when
 *   they reach the top (lazy greedy), and only pairs at or above a floor (half the
 *   previous phase's top) are stored at all; the phase ends when the top falls
 *   below the floor or recounting has cost more than counting afresh would.
 * Symbols left in a single row can never be shared again; they are parked between
 * phases. Every phase applies a pair whose exact count is the maximum, so the result
 * is the plain greedy one (up to ties). Ties go to the pair pushed last at that count,
 * so the order pairs enter the queue is part of the result: the faster loops
 * (phase-kernels.ts) keep it exactly.
 */
import { DensePhase, denseCapacity } from './dense-phase.js';
import { PairPhase } from './pair-phase.js';
import { maxSymbols } from './phase-rows.js';

/** Signed symbols per row: term = symbol * 2 + (negative ? 1 : 0). */
export interface SymbolRows {
  readonly atoms: number;
  readonly rows: number;
  readonly start: Int32Array;
  readonly term: Int32Array;
}

/** The shared symbols made, and what is left of every row. */
export interface SharedSums {
  readonly atoms: number;
  /** Symbol atoms + i = defA[i] + (defNeg[i] ? -1 : +1) * defB[i]. */
  readonly defA: Int32Array;
  readonly defB: Int32Array;
  readonly defNeg: Uint8Array;
  readonly rows: number;
  readonly start: Int32Array;
  readonly term: Int32Array;
}

export interface SharingOptions {
  /** Most symbols a dense phase may hold (default: denseCapacity, what its 128 MiB table allows; tests lower it). */
  readonly denseCapacity?: number;
}

/** Runs greedy pairwise sharing to completion (no pair left in two rows). */
export function sharePairs(input: SymbolRows, options: SharingOptions = {}): SharedSums {
  const defA: number[] = [];
  const defB: number[] = [];
  const defNeg: number[] = [];
  const parked: number[][] = Array.from({ length: input.rows }, () => []);
  let { rows, global } = pairable(input.atoms, input.rows, input.start, input.term, parked);
  let floor = 0;
  for (;;) {
    const cap = Math.min(options.denseCapacity ?? denseCapacity(rows.rows), maxSymbols(rows));
    const phase = rows.atoms * 2 <= cap ? new DensePhase(rows, cap) : new PairPhase(rows, floor);
    const finished = phase.run();
    const r = phase.result();
    const made = new Int32Array(r.defA.length);
    const idOf = (local: number): number => (local < r.atoms ? global[local]! : made[local - r.atoms]!);
    for (let i = 0; i < r.defA.length; i++) {
      made[i] = input.atoms + defA.length;
      defA.push(idOf(r.defA[i]!));
      defB.push(idOf(r.defB[i]!));
      defNeg.push(r.defNeg[i]!);
    }
    const term = r.term.map((t) => idOf(t >>> 1) * 2 + (t & 1));
    if (finished) {
      const out = withParked(r.rows, r.start, term, parked);
      return { atoms: input.atoms, defA: Int32Array.from(defA), defB: Int32Array.from(defB), defNeg: Uint8Array.from(defNeg), ...out };
    }
    ({ rows, global } = pairable(input.atoms + defA.length, r.rows, r.start, term, parked));
    floor = Math.max(2, Math.floor(phase.top / 2));
  }
}

/**
 * The next phase's rows: symbols that occur in two rows or more, numbered 0..n-1.
 * A symbol in one row can never be shared again (occurrences only fall), so its
 * term is parked in `parked[row]` and comes back in the result.
 */
function pairable(symbols: number, rowCount: number, start: Int32Array, term: Int32Array, parked: number[][]): { rows: SymbolRows; global: Int32Array } {
  const occurs = new Int32Array(symbols);
  for (let i = 0; i < term.length; i++) occurs[term[i]! >>> 1]!++;
  const local = new Int32Array(symbols).fill(-1);
  const global: number[] = [];
  const out: number[] = [];
  const outStart = new Int32Array(rowCount + 1);
  for (let r = 0; r < rowCount; r++) {
    for (let i = start[r]!; i < start[r + 1]!; i++) {
      const g = term[i]! >>> 1;
      if (occurs[g]! < 2) { parked[r]!.push(term[i]!); continue; }
      if (local[g] === -1) { local[g] = global.length; global.push(g); }
      out.push(local[g]! * 2 + (term[i]! & 1));
    }
    outStart[r + 1] = out.length;
  }
  return { rows: { atoms: global.length, rows: rowCount, start: outStart, term: Int32Array.from(out) }, global: Int32Array.from(global) };
}

function withParked(rowCount: number, start: Int32Array, term: Int32Array, parked: number[][]): { rows: number; start: Int32Array; term: Int32Array } {
  const outStart = new Int32Array(rowCount + 1);
  const out: number[] = [];
  for (let r = 0; r < rowCount; r++) {
    for (let i = start[r]!; i < start[r + 1]!; i++) out.push(term[i]!);
    for (const t of parked[r]!) out.push(t);
    outStart[r + 1] = out.length;
  }
  return { rows: rowCount, start: outStart, term: Int32Array.from(out) };
}
