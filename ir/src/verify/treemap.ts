/**
 * A tree must compute exactly the linear map of its op's ternary weights: output row o
 * equals sum_j weights[o, j] * lane j, for every input. Two ways to check it:
 *
 * - exact coefficient propagation when lanes * size <= EXACT_LIMIT: every node gets its
 *   integer coefficient vector over the lanes (in: a unit vector; add / sub / neg: the
 *   sum / difference / negation), and each output row's vector is compared with the
 *   weight row. This is a proof, and names the first wrong (row, column).
 * - otherwise, evaluation on PROBES deterministic pseudo-random integer vectors with entries
 *   in [-2^16, 2^16). Tree and weights are both linear, so a wrong row differs by a
 *   non-zero linear form, which vanishes on a uniform vector from a set of 2^17 values per
 *   coordinate with probability at most 2^-17 (Schwartz-Zippel, degree 1); three
 *   independent vectors miss it with probability <= 2^-51. Values stay exact in float64:
 *   a correct row sums at most 2^24 lanes of magnitude 2^16 (< 2^41).
 */
import type { AddTree } from '../addtree.js';
import { TreeOp } from '../addtree.js';
import type { TernaryTensor } from '../ternary.js';
import { ternaryGet, ternaryRowTerms } from '../ternary.js';
import * as C from './codes.js';
import { FirstOf, type Reporter } from './report.js';
import type { Origin } from '../origin.js';

export const EXACT_LIMIT = 1 << 22;
const PROBES = 3;

/** Reports TREE_MAP unless `t` computes `w` (caller ensured lanes/outputs match w's columns/rows). */
export function checkTreeMap(treeName: string, t: AddTree, weightsName: string, w: TernaryTensor, origin: Origin, r: Reporter,
  strategy: 'auto' | 'exact' | 'probe' = 'auto'): void {
  const bad = new FirstOf(C.TREE_MAP);
  const exact = strategy === 'auto' ? t.lanes * t.size <= EXACT_LIMIT : strategy === 'exact';
  if (exact) exactCheck(treeName, t, weightsName, w, origin, bad);
  else probeCheck(treeName, t, weightsName, w, origin, bad);
  bad.flush(r);
}

function exactCheck(treeName: string, t: AddTree, weightsName: string, w: TernaryTensor, origin: Origin, bad: FirstOf): void {
  const L = t.lanes;
  const coef = new Float64Array(t.size * L);
  for (let i = 0; i < t.size; i++) {
    const base = i * L;
    const a = t.a[i]! * L;
    const b = t.b[i]! * L;
    switch (t.op[i]) {
      case TreeOp.In: coef[base + t.a[i]!] = 1; break;
      case TreeOp.Add: for (let l = 0; l < L; l++) coef[base + l] = coef[a + l]! + coef[b + l]!; break;
      case TreeOp.Sub: for (let l = 0; l < L; l++) coef[base + l] = coef[a + l]! - coef[b + l]!; break;
      default: for (let l = 0; l < L; l++) coef[base + l] = -coef[a + l]!;
    }
  }
  for (let o = 0; o < t.outputs.length; o++) {
    const id = t.outputs[o]!;
    for (let l = 0; l < L; l++) {
      const got = id < 0 ? 0 : coef[id * L + l]!;
      const want = ternaryGet(w, o, l);
      if (got !== want) {
        bad.hit(`tree @${treeName} row ${o} has coefficient ${got} for lane ${l}, @${weightsName} has ${want}`, { ...origin, row: o, col: l });
        break; // one hit per row: the count is of wrong rows
      }
    }
  }
}

/** xorshift32: a fixed sequence, so the check is deterministic. */
function probeVector(lanes: number, seed: number): Float64Array {
  let s = (0x9e3779b9 ^ seed) >>> 0 || 1;
  const x = new Float64Array(lanes);
  for (let l = 0; l < lanes; l++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    x[l] = (s & 0x1ffff) - 0x10000;
  }
  return x;
}

function probeCheck(treeName: string, t: AddTree, weightsName: string, w: TernaryTensor, origin: Origin, bad: FirstOf): void {
  const wrong = new Uint8Array(t.outputs.length);
  const val = new Float64Array(t.size);
  for (let p = 0; p < PROBES; p++) {
    const x = probeVector(t.lanes, p);
    for (let i = 0; i < t.size; i++) {
      const op = t.op[i]!;
      val[i] = op === TreeOp.In ? x[t.a[i]!]! : op === TreeOp.Add ? val[t.a[i]!]! + val[t.b[i]!]!
        : op === TreeOp.Sub ? val[t.a[i]!]! - val[t.b[i]!]! : -val[t.a[i]!]!;
    }
    for (let o = 0; o < t.outputs.length; o++) {
      const { plus, minus } = ternaryRowTerms(w, o);
      let want = 0;
      for (const j of plus) want += x[j]!;
      for (const j of minus) want -= x[j]!;
      const id = t.outputs[o]!;
      if ((id < 0 ? 0 : val[id]!) !== want) wrong[o] = 1;
    }
  }
  wrong.forEach((bit, o) => {
    if (bit) bad.hit(`tree @${treeName} row ${o} does not compute row ${o} of @${weightsName} (differs on a probe vector)`, { ...origin, row: o });
  });
}
