/**
 * Row intervals of a ternary stage on lane intervals, through its weights or through its
 * add tree node by node (add: [la+lb, ha+hb], sub: [la-hb, ha-lb], neg: [-h, -l]). Tree
 * interval arithmetic is sound for any DAG, and exact (every bound is reached by some
 * input) when each node's operands depend on disjoint lanes, as in every tree the passes
 * build.
 */
import type { AddTree } from '../addtree.js';
import { liveNodes, TreeOp } from '../addtree.js';
import type { TernaryTensor } from '../ternary.js';
import { ternaryRowTerms } from '../ternary.js';
import { chan, ranges, type Ranges } from './ranges.js';

/**
 * One evaluation of a tree by an op: rows rowFrom..rowTo-1 (a grouped conv's group) on
 * `lanes`, one interval per lane (a padded conv's lanes include 0).
 */
export interface TreeUse {
  readonly tree: string;
  readonly rowFrom: number;
  readonly rowTo: number;
  readonly lanes: Ranges;
}

/** Interval of every ternary row rowFrom..rowTo-1 on the lanes. */
export function ternaryRowRanges(w: TernaryTensor, lanes: Ranges, rowFrom = 0, rowTo = w.rows): Ranges {
  const out = ranges(rowTo - rowFrom);
  for (let o = rowFrom; o < rowTo; o++) {
    const { plus, minus } = ternaryRowTerms(w, o);
    let lo = 0;
    let hi = 0;
    for (const j of plus) { lo += lanes.lo[chan(lanes, j)]!; hi += lanes.hi[chan(lanes, j)]!; }
    for (const j of minus) { lo -= lanes.hi[chan(lanes, j)]!; hi -= lanes.lo[chan(lanes, j)]!; }
    out.lo[o - rowFrom] = lo;
    out.hi[o - rowFrom] = hi;
  }
  return out;
}

/** Interval of every node of `t` on the lanes; with `live`, only of the nodes it marks (NaN elsewhere). */
export function treeNodeRanges(t: AddTree, lanes: Ranges, live?: Uint8Array): Ranges {
  const r = ranges(t.size, live ? NaN : 0, live ? NaN : 0);
  for (let i = 0; i < t.size; i++) {
    if (live && !live[i]) continue;
    const a = t.a[i]!;
    const b = t.b[i]!;
    switch (t.op[i]) {
      case TreeOp.In: r.lo[i] = lanes.lo[chan(lanes, a)]!; r.hi[i] = lanes.hi[chan(lanes, a)]!; break;
      case TreeOp.Add: r.lo[i] = r.lo[a]! + r.lo[b]!; r.hi[i] = r.hi[a]! + r.hi[b]!; break;
      case TreeOp.Sub: r.lo[i] = r.lo[a]! - r.hi[b]!; r.hi[i] = r.hi[a]! - r.lo[b]!; break;
      default: r.lo[i] = -r.hi[a]!; r.hi[i] = -r.lo[a]!;
    }
  }
  return r;
}

/** Node intervals of one use: the nodes live for its rows (NaN for the others). */
export function treeUseRanges(t: AddTree, use: TreeUse): Ranges {
  return treeNodeRanges(t, use.lanes, liveNodes(t, use.rowFrom, use.rowTo));
}

/** Row intervals rowFrom..rowTo-1 read off node intervals (a row of no node is 0). */
export function treeRowRanges(t: AddTree, nodes: Ranges, rowFrom: number, rowTo: number): Ranges {
  const rows = ranges(rowTo - rowFrom);
  for (let o = rowFrom; o < rowTo; o++) {
    const id = t.outputs[o]!;
    rows.lo[o - rowFrom] = id < 0 ? 0 : nodes.lo[id]!;
    rows.hi[o - rowFrom] = id < 0 ? 0 : nodes.hi[id]!;
  }
  return rows;
}
