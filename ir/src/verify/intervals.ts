/**
 * Overflow checks of the integer program (integer and scheduled stages) against the
 * interval analysis (analysis/intervals.ts): every live tree node stays within its declared
 * interval for each use of the tree, every op's result fits its fixed type, and requant's
 * untyped product x * c fits MAX_WIDTH bits. Only well-typed nodes are analysed, and each
 * result goes on clipped to its type, so one overflow is reported once.
 */
import type { AddTree } from '../addtree.js';
import { analyzeIntervals } from '../analysis/intervals.js';
import type { Ranges } from '../analysis/ranges.js';
import { treeUseRanges, type TreeUse } from '../analysis/rows.js';
import { fits, fixedTypeProblem, maxOf, MAX_WIDTH, minOf, type FixedType } from '../fixed.js';
import type { Module } from '../module.js';
import type { Origin } from '../origin.js';
import * as C from './codes.js';
import type { NodeInfo } from './nodes.js';
import { FirstOf, fxText, type Reporter } from './report.js';

export function checkIntervals(m: Module, infos: readonly NodeInfo[], r: Reporter): void {
  const include = (_: unknown, i: number): boolean => {
    const out = m.values.get(infos[i]!.node.outputs[0] ?? '');
    return infos[i]!.typed && out?.elem.kind === 'fixed' && !fixedTypeProblem(out.elem);
  };
  const { ops } = analyzeIntervals(m, { include, clipToDeclared: true, typedTreesOnly: true });
  ops.forEach((found, i) => {
    if (!found) return;
    const { node, origin } = infos[i]!;
    for (const use of found.uses) checkTreeUse(use, m.trees.get(use.tree)!, origin, r);
    if (found.product) checkProduct(found.product, origin, r);
    const out = m.values.get(node.outputs[0]!)!.elem as FixedType;
    checkFits(`%${node.outputs[0]}`, found.result, out, origin, r);
  });
}

/** Reports the first channel of a result range that does not fit its type. */
function checkFits(value: string, res: Ranges, t: FixedType, origin: Origin, r: Reporter): void {
  for (let c = 0; c < res.lo.length; c++) {
    if (!fits(res.lo[c]!, t.width) || !fits(res.hi[c]!, t.width)) {
      const where = res.lo.length > 1 ? ` (channel ${c})` : '';
      r.add(C.RESULT_OVERFLOW, `${value} can reach [${res.lo[c]}, ${res.hi[c]}]${where}, ${fxText(t)} holds [${minOf(t.width)}, ${maxOf(t.width)}]`, origin);
      return;
    }
  }
}

/** requant: the product x * c must fit MAX_WIDTH bits. */
function checkProduct(prod: Ranges, origin: Origin, r: Reporter): void {
  for (let c = 0; c < prod.lo.length; c++) {
    if (!fits(prod.lo[c]!, MAX_WIDTH) || !fits(prod.hi[c]!, MAX_WIDTH)) {
      r.add(C.PRODUCT_OVERFLOW, `requant product x * c can reach [${prod.lo[c]}, ${prod.hi[c]}], beyond ${MAX_WIDTH} bits`, origin);
      return;
    }
  }
}

/** Reports live nodes of one tree use that can leave their declared interval. */
function checkTreeUse(use: TreeUse, t: AddTree, origin: Origin, r: Reporter): void {
  const nodes = treeUseRanges(t, use);
  const ty = t.types!;
  const bad = new FirstOf(C.TREE_INTERVAL);
  for (let i = 0; i < t.size; i++) {
    const lo = nodes.lo[i]!;
    if (Number.isNaN(lo)) continue;
    const hi = nodes.hi[i]!;
    if (lo < ty.lo[i]! || hi > ty.hi[i]!) {
      const row = t.row[i]!;
      bad.hit(`tree @${use.tree}: node ${i} can take [${lo}, ${hi}], it declares [${ty.lo[i]}, ${ty.hi[i]}]`, { ...origin, ...(row >= 0 ? { row } : {}) });
    }
  }
  bad.flush(r);
}
