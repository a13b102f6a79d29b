import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AddTree } from '../addtree.js';
import { AddTreeBuilder, TreeOp } from '../addtree.js';
import { formatDiagnostic } from '../diagnostics.js';
import type { Module } from '../module.js';
import { ternaryFromValues } from '../ternary.js';
import { Rng, treeOf } from '../testing/models.js';
import { verify } from './index.js';
import { checkTreeMap } from './treemap.js';
import { Reporter } from './report.js';
import { addtreeModule, integerModule, setTree } from './test-fixtures.js';

const diags = (m: Module) => verify(m).map(formatDiagnostic);
const tree0 = (m: Module) => m.trees.get('t0')!;
const edit = (t: AddTree, f: (c: { op: Uint8Array; a: Int32Array; b: Int32Array; outputs: Int32Array }) => void): AddTree => {
  const c = { op: t.op.slice(), a: t.a.slice(), b: t.b.slice(), outputs: t.outputs.slice() };
  f(c);
  return { ...t, ...c };
};

describe('verifier: tree structure', () => {
  it('TSVDC130 arrays of the wrong length', () => {
    const m = addtreeModule();
    const t = { ...tree0(m), a: tree0(m).a.slice(1) };
    expect(diags(setTree(m, 't0', t))).toEqual([`TSVDC130: tree @t0: size ${t.size}, lanes 4, but arrays of lengths [${t.size},${t.size - 1},${t.size},${t.size}] (node "fc1", part V)`]);
  });
  it('TSVDC130 an unknown opcode', () => {
    const m = addtreeModule();
    const t = edit(tree0(m), (c) => { c.op[4] = 7; });
    expect(diags(setTree(m, 't0', t))).toEqual(['TSVDC130: tree @t0: node 4 has the unknown opcode 7 (node "fc1", part V, row 0)']);
  });
  it('TSVDC131 an operand that is not an earlier node', () => {
    const m = addtreeModule();
    const t = edit(tree0(m), (c) => { c.b[2] = 5; });
    expect(diags(setTree(m, 't0', t))).toEqual(['TSVDC131: tree @t0: node 2 reads node 5, operands must be earlier nodes (node "fc1", part V, row 0)']);
  });
  it('TSVDC131 neg with a second operand', () => {
    const b = new AddTreeBuilder(2, 1);
    b.setOutput(0, b.neg(b.lane(1)));
    const t = edit(b.finish(), (c) => { c.b[1] = 0; });
    const m = integerModule();
    expect(diags(setTree(m, 'x', t))).toEqual(['TSVDC131: tree @x: node 1 reads node 0, neg takes one operand (b = -1) (node "@x")']);
  });
  it('TSVDC132 a lane out of range', () => {
    const m = addtreeModule();
    const t = edit(tree0(m), (c) => { c.a[0] = 4; });
    expect(diags(setTree(m, 't0', t))).toEqual(['TSVDC132: tree @t0: node 0 reads lane 4, lanes are 0..3 (node "fc1", part V, row 0)']);
  });
  it('TSVDC133 an output out of range', () => {
    const m = addtreeModule();
    const t = edit(tree0(m), (c) => { c.outputs[2] = 99; });
    expect(diags(setTree(m, 't0', t))).toEqual([`TSVDC133: tree @t0: output row 2 points at node 99, nodes are 0..${t.size - 1} (node "fc1", part V, row 2)`]);
  });
});

describe('verifier: trees are interned (TSVDC135)', () => {
  // a two-lane tree %0 = in 0, %1 = in 1, %2 = add %0, %1, %3 = sub %0, %1, edited to break interning
  const small = () => {
    const b = new AddTreeBuilder(2, 2);
    const [x, y] = [b.lane(0), b.lane(1)];
    b.setOutput(0, b.add(x, y));
    b.setOutput(1, b.sub(x, y));
    return b.finish();
  };
  const check = (f: Parameters<typeof edit>[1]) => diags(setTree(integerModule(), 'x', edit(small(), f)));
  it('the builder\'s trees pass', () => {
    expect(diags(setTree(integerModule(), 'x', small()))).toEqual([]);
  });
  it('two nodes reading the same lane', () => {
    expect(check((c) => { c.a[1] = 0; })).toEqual(['TSVDC135: tree @x: node 1 repeats node 0 (in lane 0) (node "@x")']);
  });
  it('an add whose operands are not ordered', () => {
    expect(check((c) => { [c.a[2], c.b[2]] = [1, 0]; })).toEqual(['TSVDC135: tree @x: node 2 is add %1, %0; an add\'s operands are ordered (add %0, %1) (node "@x")']);
  });
  it('a repeated sub-tree', () => {
    expect(check((c) => { c.op[3] = TreeOp.Add; })).toEqual(['TSVDC135: tree @x: node 3 repeats node 2 (add %0, %1) (node "@x")']);
  });
});

describe('verifier: a tree computes its weights (TSVDC134)', () => {
  it('a swapped output row is caught with row and column', () => {
    const m = addtreeModule();
    const t = edit(tree0(m), (c) => { [c.outputs[0], c.outputs[1]] = [c.outputs[1]!, c.outputs[0]!]; });
    expect(diags(setTree(m, 't0', t))).toEqual([
      'TSVDC134: tree @t0 row 0 has coefficient 0 for lane 0, @V0 has 1 (2 in all) (node "n0", row 0, col 0)',
    ]);
  });
  it('add turned into sub is caught', () => {
    const m = addtreeModule();
    const t = edit(tree0(m), (c) => { const i = c.op.indexOf(TreeOp.Add); c.op[i] = TreeOp.Sub; });
    expect(diags(setTree(m, 't0', t))).toEqual(['TSVDC134: tree @t0 row 0 has coefficient -1 for lane 3, @V0 has 1 (node "n0", row 0, col 3)']);
  });

  // Both strategies (exact coefficients, probe vectors) must accept correct trees and reject
  // a flipped weight entry in any row.
  const cases = fc.record({ seed: fc.integer({ min: 0, max: 1 << 30 }), rows: fc.integer({ min: 1, max: 8 }), cols: fc.integer({ min: 1, max: 70 }) });
  for (const strategy of ['exact', 'probe'] as const) {
    it(`${strategy}: accepts the tree of the weights, rejects a flipped entry (property)`, () => {
      fc.assert(fc.property(cases, ({ seed, rows, cols }) => {
        const rng = new Rng(seed);
        const vals = Array.from(rng.trits(rows * cols));
        const w = ternaryFromValues([rows, cols], vals);
        const t = treeOf(w, rng.bool() ? 'chain' : 'balanced');
        const good = new Reporter();
        checkTreeMap('t', t, 'w', w, {}, good, strategy);
        expect(good.diagnostics).toEqual([]);
        const [row, col] = [rng.int(0, rows - 1), rng.int(0, cols - 1)];
        vals[row * cols + col] = vals[row * cols + col] === 1 ? -1 : 1;
        const bad = new Reporter();
        checkTreeMap('t', t, 'w', ternaryFromValues([rows, cols], vals), {}, bad, strategy);
        expect(bad.diagnostics.map((d) => [d.code, d.origin?.row])).toEqual([['TSVDC134', row]]);
      }), { numRuns: 300 });
    });
  }
});
