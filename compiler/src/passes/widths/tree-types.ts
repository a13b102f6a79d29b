/**
 * Interval typing of one add tree: from the integer interval of every lane, the interval
 * of every node (ir's treeNodeRanges) and the smallest signed width holding it. Sound for
 * any DAG; exact when each node's operands depend on disjoint lanes, as in every tree
 * lower/cse/balance build.
 */
import { MAX_WIDTH, TreeOp, TsvdcError, maxOf, minOf, treeNodeRanges, widthFor, type AddTree, type Ranges, type TreeTypes } from '@tsvdc/ir';
import { PASS_CODES } from '../codes.js';

/** The tree with `types` filled from its lane intervals; fractional bits `frac` for every node. */
export function typeTree(tree: AddTree, lanes: Ranges, frac: number): AddTree {
  const { lo, hi } = treeNodeRanges(tree, lanes);
  const width = new Uint8Array(tree.size);
  for (let i = 0; i < tree.size; i++) {
    const w = Math.abs(lo[i]!) < 2 ** MAX_WIDTH && Math.abs(hi[i]!) < 2 ** MAX_WIDTH ? widthFor(lo[i]!, hi[i]!) : MAX_WIDTH + 1;
    if (w > MAX_WIDTH) {
      throw new TsvdcError(PASS_CODES.tooWide, `add tree node ${i} needs ${w} bits (interval [${lo[i]}, ${hi[i]}]), more than ${MAX_WIDTH}`, tree.origin);
    }
    width[i] = w;
  }
  const types: TreeTypes = { frac, width, lo, hi };
  return { ...tree, types };
}

/** Lane intervals recorded in a typed tree (its In nodes); lanes it never reads get [0, 0]. */
export function laneIntervalsOf(tree: AddTree): Ranges {
  const lo = new Float64Array(tree.lanes);
  const hi = new Float64Array(tree.lanes);
  const t = tree.types;
  if (!t) return { lo, hi };
  for (let i = 0; i < tree.size; i++) {
    if (tree.op[i] !== TreeOp.In) continue;
    lo[tree.a[i]!] = t.lo[i]!;
    hi[tree.a[i]!] = t.hi[i]!;
  }
  return { lo, hi };
}

/** Re-types `next` (a rewrite of `prev` over the same lanes) when `prev` was typed. */
export function retypeLike(next: AddTree, prev: AddTree): AddTree {
  if (!prev.types) return next;
  return typeTree(next, laneIntervalsOf(prev), prev.types.frac);
}

/**
 * Every node at MAX_WIDTH with that width's whole interval: what quantize declares before
 * bit-widths sizes the tree (valid whenever any width is).
 */
export function provisionalTypes(tree: AddTree, frac: number): AddTree {
  const n = tree.size;
  const types: TreeTypes = {
    frac, width: new Uint8Array(n).fill(MAX_WIDTH),
    lo: new Float64Array(n).fill(minOf(MAX_WIDTH)), hi: new Float64Array(n).fill(maxOf(MAX_WIDTH)),
  };
  return { ...tree, types };
}
