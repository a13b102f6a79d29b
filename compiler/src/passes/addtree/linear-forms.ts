/**
 * Add trees as linear forms: every output row of an AddTree is an integer
 * combination of its lanes. CSE and balancing rebuild trees from these forms;
 * `rowsFromTernary` gives the same forms straight from a ternary matrix.
 */
import { AddTree, TernaryTensor, TreeOp, ternaryRowTerms } from '@tsvdc/ir';

/** Rows as sparse integer combinations of lanes (CSR, lanes ascending in each row). */
export interface LinearForms {
  readonly lanes: number;
  readonly rows: number;
  /** rows + 1 offsets into lane/coef. */
  readonly start: Int32Array;
  readonly lane: Int32Array;
  /** Non-zero integer coefficients (float64 so that odd DAGs with huge multiples stay exact). */
  readonly coef: Float64Array;
}

/** The forms of a ternary matrix [rows, cols]: coefficients in {-1, +1}. */
export function rowsFromTernary(t: TernaryTensor): LinearForms {
  const start = new Int32Array(t.rows + 1);
  const lanes: number[] = [];
  const coefs: number[] = [];
  for (let r = 0; r < t.rows; r++) {
    const { plus, minus } = ternaryRowTerms(t, r);
    const terms = [...plus.map((l) => [l, 1] as const), ...minus.map((l) => [l, -1] as const)].sort((x, y) => x[0] - y[0]);
    for (const [l, c] of terms) { lanes.push(l); coefs.push(c); }
    start[r + 1] = lanes.length;
  }
  return { lanes: t.cols, rows: t.rows, start, lane: Int32Array.from(lanes), coef: Float64Array.from(coefs) };
}

/**
 * The form of every output of a tree. Each output's reachable nodes are visited
 * once (descending ids, so every node's weight is final before it is pushed to its
 * operands): cost is the sum of the outputs' cones, not rows * size. Cones and lanes
 * are sorted as typed arrays (a comparator sort per row was most of the time).
 */
export function treeForms(tree: AddTree): LinearForms {
  const weight = new Float64Array(tree.size);
  const mark = new Int32Array(tree.size).fill(-1);
  const laneCoef = new Float64Array(tree.lanes);
  const start = new Int32Array(tree.outputs.length + 1);
  const lanes: number[] = [];
  const coefs: number[] = [];
  let cone: Int32Array = new Int32Array(1024);
  const touched = new Int32Array(tree.lanes);
  for (let r = 0; r < tree.outputs.length; r++) {
    const out = tree.outputs[r]!;
    if (out >= 0) {
      cone = collectCone(tree, out, r, mark, cone);
      const n = cone[0]!;
      const ids = cone.subarray(1, n + 1).sort();
      weight[out] = 1;
      let nTouched = 0;
      for (let k = n - 1; k >= 0; k--) {
        const id = ids[k]!;
        const w = weight[id]!;
        weight[id] = 0;
        if (w === 0) continue;
        const op = tree.op[id]!;
        if (op === TreeOp.In) {
          const l = tree.a[id]!;
          if (laneCoef[l] === 0) touched[nTouched++] = l;
          laneCoef[l] = laneCoef[l]! + w;
        } else if (op === TreeOp.Neg) weight[tree.a[id]!] = weight[tree.a[id]!]! - w;
        else {
          weight[tree.a[id]!] = weight[tree.a[id]!]! + w;
          const sb = op === TreeOp.Add ? w : -w;
          weight[tree.b[id]!] = weight[tree.b[id]!]! + sb;
        }
      }
      for (const l of touched.subarray(0, nTouched).sort()) {
        if (laneCoef[l] !== 0) { lanes.push(l); coefs.push(laneCoef[l]!); }
        laneCoef[l] = 0;
      }
    }
    start[r + 1] = lanes.length;
  }
  return { lanes: tree.lanes, rows: tree.outputs.length, start, lane: Int32Array.from(lanes), coef: Float64Array.from(coefs) };
}

/** The nodes `out` reaches, into cone[1..cone[0]] (grown as needed; returns the buffer). */
function collectCone(tree: AddTree, out: number, stamp: number, mark: Int32Array, cone: Int32Array): Int32Array {
  const stack = [out];
  mark[out] = stamp;
  let n = 0;
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (n + 2 > cone.length) {
      const next = new Int32Array(cone.length * 2);
      next.set(cone);
      cone = next;
    }
    cone[++n] = id;
    const op = tree.op[id]!;
    if (op === TreeOp.In) continue;
    const a = tree.a[id]!;
    if (mark[a] !== stamp) { mark[a] = stamp; stack.push(a); }
    if (op !== TreeOp.Neg) {
      const b = tree.b[id]!;
      if (mark[b] !== stamp) { mark[b] = stamp; stack.push(b); }
    }
  }
  cone[0] = n;
  return cone;
}

/** Total non-zero terms (the ternary non-zeros when every coefficient is +-1). */
export function formTerms(f: LinearForms): number {
  return f.start[f.rows]!;
}

/** Adders of the naive sums: (terms - 1) per non-empty row, plus a negation per row with no positive term. */
export function naiveAdders(f: LinearForms): number {
  let n = 0;
  for (let r = 0; r < f.rows; r++) {
    const k = f.start[r + 1]! - f.start[r]!;
    if (k === 0) continue;
    let anyPos = false;
    let extra = 0;
    for (let i = f.start[r]!; i < f.start[r + 1]!; i++) {
      const c = f.coef[i]!;
      if (c > 0) anyPos = true;
      extra += multipleCost(Math.abs(c));
    }
    n += k - 1 + extra + (anyPos ? 0 : 1);
  }
  return n;
}

/** Adders to form m * x from x by doubling and adding (0 for m = 1). */
export function multipleCost(m: number): number {
  if (m <= 1) return 0;
  const bits = Math.floor(Math.log2(m));
  let ones = 0;
  for (let v = m; v >= 1; v = Math.floor(v / 2)) if (v % 2 === 1) ones++;
  return bits + ones - 1;
}
