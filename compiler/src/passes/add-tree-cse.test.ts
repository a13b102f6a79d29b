import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countAdders, countAddersByGroup, interpret, printModule, ternaryFromValues, verify, type AddTree, type Module } from '@tsvdc/ir';
import { arbModel, ModuleBuilder, randomInputs } from '@tsvdc/ir/testing/models';
import { valuesOf } from '@tsvdc/ir/testing/values';
import { addTreeCse } from './add-tree-cse.js';
import { buildNaive } from './addtree/naive.js';
import { rowsFromTernary } from './addtree/linear-forms.js';
import { treeGroups } from './stage-check.js';

function matvecModule(rows: number, cols: number, values: number[]): Module {
  const b = new ModuleBuilder('mv', 'addtree');
  const x = b.input([1, cols]);
  const w = ternaryFromValues([rows, cols], values);
  const weights = b.constant('W', w);
  const tree = b.tree('t', buildNaive(rowsFromTernary(w), 'chain'));
  return b.output(b.op('tmatvec', [x], { weights, tree })).build();
}

function treeText(m: Module): string[] {
  const lines = printModule(m).split('\n');
  const from = lines.findIndex((l) => l.startsWith('tree'));
  return lines.slice(from, lines.indexOf('}', from) + 1);
}

function adderCounts(m: Module): number[] {
  const groups = treeGroups(m);
  return [...m.trees].map(([name, t]) => countAddersByGroup(t, groups.get(name) ?? 1));
}

describe('add-tree-cse', () => {
  it('golden: x0+x1 becomes one node serving x0+x1+x2, x0+x1-x2 and x3-x0-x1', () => {
    const m = addTreeCse(matvecModule(3, 4, [1, 1, 1, 0, 1, 1, -1, 0, -1, -1, 0, 1]));
    expect(treeText(m)).toEqual([
      'tree @t0 lanes 4 outputs 3 {',
      '  %0 = in 0 row 0',
      '  %1 = in 1 row 0',
      '  %2 = in 2 row 0',
      '  %3 = in 3 row 2',
      '  %4 = add %0, %1 row 0',
      '  %5 = add %2, %4 row 0',
      '  %6 = sub %4, %2 row 1',
      '  %7 = sub %3, %4 row 2',
      '  out 0 = %5',
      '  out 1 = %6',
      '  out 2 = %7',
      '}',
    ]);
    expect(countAdders(m.trees.get('t0')!)).toBe(4);
  });

  it('shares only within the row blocks of a grouped conv', () => {
    // groups = 2: rows 0-1 see channel 0's window, rows 2-3 channel 1's; the pair (0, 1)
    // occurs once per block, so sharing it across blocks would save nothing
    const b = new ModuleBuilder('g', 'addtree');
    const x = b.input([1, 2, 1, 3]);
    const w = ternaryFromValues([4, 1, 1, 3], [1, 1, 1, 0, 1, 1, 1, 1, 0, -1, 1, 1]);
    const tree = b.tree('t', buildNaive(rowsFromTernary(w), 'chain'));
    const m = b.output(b.op('tconv', [x], { weights: b.constant('W', w), tree, groups: 2 })).build();
    const before = countAddersByGroup(m.trees.get('t0')!, 2);
    const after = addTreeCse(m);
    expect(before).toBe(6);
    expect(countAddersByGroup(after.trees.get('t0')!, 2)).toBe(5); // block 0: x1+x2 serves rows 0 and 1; block 1 has nothing to share
    expect(interpret(after, { [x]: { shape: [1, 2, 1, 3], data: Float64Array.from([1, 2, 4, 8, 16, 32]) } }, { mode: 'f64' })['v0']!.data)
      .toEqual(Float64Array.from([7, 6, 24, 40]));
  });

  it('property: addtree modules compute the same (integer-valued, bit-exact), verify, and never gain adders', () => {
    fc.assert(
      fc.property(arbModel('addtree', ['mlp', 'cnn'], { integerValued: true }), ({ module }) => {
        const out = addTreeCse(module);
        expect(verify(out)).toEqual([]);
        const xs = randomInputs(module, 3, { integers: true, range: 4 });
        const a = interpret(module, xs, { mode: 'f64' });
        const b = interpret(out, xs, { mode: 'f64' });
        for (const k of module.outputs) expect(valuesOf(b[k]!.data)).toEqual(valuesOf(a[k]!.data));
        const [before, after] = [adderCounts(module), adderCounts(out)];
        after.forEach((n, i) => expect(n).toBeLessThanOrEqual(before[i]!));
      }),
      { numRuns: 200 },
    );
  });

  it('property: integer modules stay valid (trees re-typed) and exact results are bit-identical', () => {
    fc.assert(
      fc.property(arbModel('integer'), ({ module }) => {
        const out = addTreeCse(module);
        expect(verify(out)).toEqual([]);
        const xs = randomInputs(module, 5, { range: 6 });
        const a = interpret(module, xs, { mode: 'exact' });
        const b = interpret(out, xs, { mode: 'exact' });
        for (const k of module.outputs) expect(b[k]!.data).toEqual(a[k]!.data);
      }),
      { numRuns: 200 },
    );
  });

  it('property: on random ternary matrices CSE keeps every row and never adds adders', () => {
    const arbMatrix = fc.record({ rows: fc.integer({ min: 1, max: 30 }), cols: fc.integer({ min: 1, max: 30 }) })
      .chain(({ rows, cols }) => fc.tuple(fc.constant(rows), fc.constant(cols), fc.array(fc.constantFrom(-1, 0, 0, 1), { minLength: rows * cols, maxLength: rows * cols })));
    fc.assert(
      fc.property(arbMatrix, ([rows, cols, values]) => {
        const m = matvecModule(rows, cols, values);
        const out = addTreeCse(m);
        const x = { in0: { shape: [1, cols], data: Float64Array.from({ length: cols }, (_, i) => 3 ** (i % 7) * (i % 2 ? -1 : 1) + i) } };
        expect(valuesOf(interpret(out, x, { mode: 'f64' })['v0']!.data)).toEqual(valuesOf(interpret(m, x, { mode: 'f64' })['v0']!.data));
        const t = out.trees.get('t0')! as AddTree;
        expect(countAdders(t)).toBeLessThanOrEqual(countAdders(m.trees.get('t0')!));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects a module before lowering', () => {
    const b = new ModuleBuilder('g', 'graph');
    const m = b.output(b.op('relu', [b.input([1, 2])])).build();
    expect(() => addTreeCse(m)).toThrow('TSVDC401: add-tree-cse expects a module at stage addtree or integer, got graph');
  });
});
