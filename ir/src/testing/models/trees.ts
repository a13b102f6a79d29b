/**
 * Add trees for generated modules: naive per-row chains (buildRowChain, what lowering
 * produces) or balanced pairwise trees, with interning sharing what coincides; and
 * `types` for the integer stage, from an interval analysis written here independently
 * of the verifier's (one interval for all lanes: coarse, but sound).
 */
import type { AddTree, TreeTypes } from '../../addtree.js';
import { AddTreeBuilder, buildRowChain, TreeOp } from '../../addtree.js';
import { widthFor } from '../../fixed.js';
import type { Origin } from '../../origin.js';
import type { TernaryTensor } from '../../ternary.js';
import { ternaryRowTerms } from '../../ternary.js';

export type TreeStyle = 'chain' | 'balanced';

function balancedRow(b: AddTreeBuilder, plus: readonly number[], minus: readonly number[]): number {
  // signed leaves reduced pairwise, level by level; a negative pair becomes neg(a + b)
  let level: { id: number; neg: boolean }[] = [...plus.map((l) => ({ id: b.lane(l), neg: false })), ...minus.map((l) => ({ id: b.lane(l), neg: true }))];
  if (level.length === 0) return -1;
  while (level.length > 1) {
    const next: { id: number; neg: boolean }[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const [x, y] = [level[i]!, level[i + 1]!];
      if (x.neg === y.neg) next.push({ id: b.add(x.id, y.id), neg: x.neg });
      else next.push({ id: x.neg ? b.sub(y.id, x.id) : b.sub(x.id, y.id), neg: false });
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  const top = level[0]!;
  return top.neg ? b.neg(top.id) : top.id;
}

/** The add tree of a ternary matrix (one output per row, one lane per column). */
export function treeOf(w: TernaryTensor, style: TreeStyle, origin?: Origin): AddTree {
  const b = new AddTreeBuilder(w.cols, w.rows);
  for (let o = 0; o < w.rows; o++) {
    b.currentRow = o;
    const { plus, minus } = ternaryRowTerms(w, o);
    b.setOutput(o, style === 'chain' ? buildRowChain(b, plus, minus) : balancedRow(b, plus, minus));
  }
  return b.finish(origin);
}

/** The tree with `types`: every node's interval when each lane lies in [lo, hi], and its width. */
export function typedTree(t: AddTree, frac: number, lo: number, hi: number): AddTree {
  const L = new Float64Array(t.size);
  const H = new Float64Array(t.size);
  const width = new Uint8Array(t.size);
  for (let i = 0; i < t.size; i++) {
    const [a, b] = [t.a[i]!, t.b[i]!];
    const op = t.op[i]!;
    if (op === TreeOp.In) { L[i] = lo; H[i] = hi; }
    else if (op === TreeOp.Add) { L[i] = L[a]! + L[b]!; H[i] = H[a]! + H[b]!; }
    else if (op === TreeOp.Sub) { L[i] = L[a]! - H[b]!; H[i] = H[a]! - L[b]!; }
    else { L[i] = -H[a]!; H[i] = -L[a]!; }
    width[i] = widthFor(L[i]!, H[i]!);
  }
  const types: TreeTypes = { frac, width, lo: L, hi: H };
  return { ...t, types };
}

/** Union interval of the tree's outputs (0 for empty rows). */
export function outputInterval(t: AddTree): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const o of t.outputs) {
    if (o < 0) continue;
    lo = Math.min(lo, t.types!.lo[o]!);
    hi = Math.max(hi, t.types!.hi[o]!);
  }
  return [lo, hi];
}
