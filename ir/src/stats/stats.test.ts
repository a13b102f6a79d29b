// Statistics on small modules whose counts are worked out by hand in the comments.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countAdders } from '../addtree.js';
import { dense } from '../tensor.js';
import { ternaryFromValues, ternaryRowTerms, type TernaryTensor } from '../ternary.js';
import { arbModel, treeOf } from '../testing/models.js';
import { oneOp } from '../interp/test-util.js';
import { addtreeModule, integerModule } from '../verify/test-fixtures.js';
import { formatStatsTable, moduleStats } from './index.js';

describe('moduleStats', () => {
  it('an add-tree layer: W3x4 has 8 non-zeros in 3 rows -> 5 additions; its chain tree has 5 adders, depth 2', () => {
    const s = moduleStats(addtreeModule());
    expect(s.layers.map((l) => [l.op, l.muls, l.addsBefore, l.addsAfter, l.depth, l.nnz, l.paramBytes])).toEqual([
      ['tmatvec', 0, 5, 5, 2, 8, 3], // 12 entries x 2 bits = 3 bytes
      ['scale', 3, 0, 0, null, 0, 12], // 3 f32 scales
      ['bias', 0, 3, 3, null, 0, 12],
    ]);
    expect(formatStatsTable(s)).toBe([
      'layer  op       x  + before  + after  depth  max width  nnz  param bytes',
      '-----  -------  -  --------  -------  -----  ---------  ---  -----------',
      'n0     tmatvec  0         5        5      2          -    8            3',
      'n1     scale    3         0        0      -          -    0           12',
      'n2     bias     0         3        3      -          -    0           12',
      '-----  -------  -  --------  -------  -----  ---------  ---  -----------',
      'total           3         8        8      2          -    8           27',
    ].join('\n'));
  });

  it('integer widths: lanes of 8 bits, sums of two of 9, of three of 10, the result fx<10,4>', () => {
    const s = moduleStats(integerModule());
    const mv = s.layers[1]!;
    expect([mv.op, mv.maxWidth, mv.widths]).toEqual(['tmatvec', 10, { 8: 4, 9: 3, 10: 3 }]);
    expect(s.totals.widths).toEqual({ 8: 7, 9: 3, 10: 3 }); // + quantize, requant, relu results of 8 bits
    expect(s.totals.paramBytes).toBe(3 + 1); // ternary 3 B; c = [3] needs 3 bits -> 1 B
  });

  it('tconv2d: V (2 nnz, 1 row) at 1 position, U (1 nnz per row), bias on 2 outputs, 1 scaling', () => {
    const m = oneOp({ op: 'tconv2d', inputs: [{ shape: [1, 1, 2, 2] }], attrs: { form: 0 }, consts: {
      U: ternaryFromValues([2, 1, 1, 1], [1, -1]), s: dense([1], Float64Array.of(2)), V: ternaryFromValues([1, 1, 2, 2], [1, 0, 0, -1]), bias: dense([2], Float64Array.of(0, 1)) } });
    const l = moduleStats({ ...m, stage: 'ternary' }).layers[0]!;
    expect([l.muls, l.addsBefore, l.addsAfter, l.nnz]).toEqual([1, 1 + 0 + 2, 3, 4]);
  });

  it('a dense conv counts MACs per output plus the bias: 4 outputs x 4 taps', () => {
    const m = oneOp({ op: 'conv2d', inputs: [{ shape: [1, 1, 3, 3] }], consts: { W: dense([1, 1, 2, 2], new Float64Array(4)), bias: dense([1], new Float64Array(1)) } });
    const l = moduleStats({ ...m, stage: 'graph' }).layers[0]!;
    expect([l.muls, l.addsBefore, l.paramBytes]).toEqual([16, 20, 20]);
  });

  it('sharing: a tree that shares x0 + x1 between two rows has fewer adders after than before', () => {
    const w = ternaryFromValues([2, 3], [1, 1, 1, 1, 1, -1]);
    const m0 = oneOp({ op: 'tmatvec', inputs: [{ shape: [1, 3] }], consts: { weights: w } });
    const m = { ...m0, nodes: [{ ...m0.nodes[0]!, attrs: { ...m0.nodes[0]!.attrs, tree: 't' } }], trees: new Map([['t', treeOf(w, 'chain')]]) };
    const l = moduleStats(m).layers[0]!;
    expect([l.addsBefore, l.addsAfter]).toEqual([4, 3]); // (x0 + x1) + x2, (x0 + x1) - x2
  });
});

describe('stats properties', () => {
  // A row tree needs nnz - 1 adders per row, plus a neg for a row with no +1 entry; interning
  // may share more. So after <= before + (rows without a +1) per window, and after equals the
  // tree's countAdders per window.
  it('row trees of generated add-tree modules: after = countAdders per vector, within the naive bound', () => {
    fc.assert(fc.property(arbModel('addtree', ['mlp'], { trees: 'chain' }), ({ module }) => {
      const s = moduleStats(module);
      for (const [i, n] of module.nodes.entries()) {
        if (n.op !== 'tmatvec' || !n.attrs['tree']) continue;
        const w = module.consts.get(n.attrs['weights'] as string) as TernaryTensor;
        let negOnly = 0;
        for (let o = 0; o < w.rows; o++) { const r = ternaryRowTerms(w, o); if (r.plus.length === 0 && r.minus.length > 0) negOnly++; }
        const l = s.layers[i]!;
        expect(l.addsAfter).toBe(countAdders(module.trees.get(n.attrs['tree'] as string)!));
        expect(l.addsAfter).toBeLessThanOrEqual(l.addsBefore + negOnly);
      }
      expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    }), { numRuns: 200 });
  });
});
