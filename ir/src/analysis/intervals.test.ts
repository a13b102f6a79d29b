// Golden cases of the interval analysis, every expected interval worked out by hand.
import { describe, expect, it } from 'vitest';
import { AddTreeBuilder, type AddTree } from '../addtree.js';
import type { Module } from '../module.js';
import { fixedElem, intConst } from '../tensor.js';
import { ternaryFromValues } from '../ternary.js';
import { ModuleBuilder } from '../testing/models.js';
import { analyzeIntervals } from './intervals.js';
import type { Ranges } from './ranges.js';
import { treeUseRanges } from './rows.js';

const pairs = (r: Ranges): number[][] => Array.from(r.lo, (lo, c) => [lo, r.hi[c]!]);

/** Row 0 = lane 0 - lane 1, row 1 = lane 0 + lane 1 (node 2 is the sub, node 3 the add). */
function subAddTree(): AddTree {
  const b = new AddTreeBuilder(2, 2);
  const [l0, l1] = [b.lane(0), b.lane(1)];
  b.setOutput(0, b.sub(l0, l1));
  b.setOutput(1, b.add(l0, l1));
  return b.finish();
}

/** x : fx<4,0>[1,2,3,3] -> bias [10, -3] -> tconv (2 groups, 1x2 kernel, left pad 1) through subAddTree. */
function groupedConv(outWidth: number): Module {
  const b = new ModuleBuilder('g', 'integer');
  const x = b.input([1, 2, 3, 3], fixedElem(4, 0), 'x');
  const h = b.op('bias', [x], { b: b.constant('b', intConst([2], [10, -3])) }, fixedElem(6, 0));
  const weights = b.constant('w', ternaryFromValues([2, 1, 1, 2], [1, -1, 1, 1]));
  const y = b.op('tconv', [h], { weights, tree: b.tree('t', subAddTree()), groups: 2, pads: [0, 1, 0, 0] }, fixedElem(outWidth, 0));
  return b.output(b.op('dequantize', [y])).build();
}

describe('analyzeIntervals', () => {
  it('grouped padded conv: one tree use per group on its own window, lanes take the pad 0', () => {
    const m = groupedConv(52);
    const { values, ops } = analyzeIntervals(m);
    // bias: channel 0 [-8+10, 7+10], channel 1 [-8-3, 7-3]
    expect(pairs(values.get('v0')!)).toEqual([[2, 17], [-11, 4]]);
    const conv = ops[1]!;
    // group 0 lanes [0, 17] (pad 0 joins [2, 17]): l0 - l1 in [-17, 17]; group 1 lanes [-11, 4]: l0 + l1 in [-22, 8]
    expect(pairs(conv.result)).toEqual([[-17, 17], [-22, 8]]);
    expect(conv.uses.map((u) => [u.tree, u.rowFrom, u.rowTo, pairs(u.lanes)])).toEqual([
      ['t0', 0, 1, [[0, 17], [0, 17]]],
      ['t0', 1, 2, [[-11, 4], [-11, 4]]],
    ]);
    // per use, only the nodes its rows reach have an interval
    const t = m.trees.get('t0')!;
    expect(pairs(treeUseRanges(t, conv.uses[0]!))).toEqual([[0, 17], [0, 17], [-17, 17], [NaN, NaN]]);
    expect(pairs(treeUseRanges(t, conv.uses[1]!))).toEqual([[-11, 4], [-11, 4], [NaN, NaN], [-22, 8]]);
  });

  it('a non-saturating result does not depend on its declared width', () => {
    const [wide, narrow] = [groupedConv(52), groupedConv(3)].map((m) => pairs(analyzeIntervals(m).ops[1]!.result));
    expect(narrow).toEqual(wide);
  });

  it('requant records its product and saturates into its type; clipToDeclared clips what flows on', () => {
    const b = new ModuleBuilder('q', 'integer');
    const x = b.input([-1, 2], fixedElem(8, 0), 'x');
    const q = b.op('requant', [x], { c: b.constant('c', intConst([2], [2, -3])), shift: 1, type: { width: 4, frac: 0 } });
    const k = b.op('mulconst', [q], { c: b.constant('k', intConst([1], [3])), type: { width: 4, frac: 0 } });
    const r = b.op('relu', [k]);
    const m = b.output(b.op('dequantize', [r])).build();
    const plain = analyzeIntervals(m);
    // x * 2 in [-256, 254]; x * -3 in [-381, 384]; shrRound(., 1) saturated to fx<4,0>: [-8, 7]
    expect(pairs(plain.ops[0]!.product!)).toEqual([[-256, 254], [-381, 384]]);
    expect(pairs(plain.ops[0]!.result)).toEqual([[-8, 7], [-8, 7]]);
    // mulconst by 3 overflows its fx<4,0>: [-24, 21]; relu goes on from that ...
    expect(pairs(plain.ops[1]!.result)).toEqual([[-24, 21], [-24, 21]]);
    expect(pairs(plain.values.get(r)!)).toEqual([[0, 21], [0, 21]]);
    // ... or, clipped to the declared type, from [-8, 7]
    const clipped = analyzeIntervals(m, { clipToDeclared: true });
    expect(pairs(clipped.ops[1]!.result)).toEqual([[-24, 21], [-24, 21]]);
    expect(pairs(clipped.values.get(r)!)).toEqual([[0, 7], [0, 7]]);
  });

  it('include and typedTreesOnly: skipped nodes leave no record; an untyped tree is not evaluated', () => {
    const m = groupedConv(52);
    expect(analyzeIntervals(m, { include: (n) => n.op !== 'bias' }).ops).toEqual([undefined, undefined, undefined]);
    const conv = analyzeIntervals(m, { typedTreesOnly: true }).ops[1]!;
    expect(conv.uses).toEqual([]);
    expect(pairs(conv.result)).toEqual([[-17, 17], [-22, 8]]);
  });
});
