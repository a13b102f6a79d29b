import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddTreeBuilder, countAdders, interpret, ternaryFromValues, treeDepths, verify, type AddTree, type Module } from '@tsvdc/ir';
import { arbModel, ModuleBuilder, randomInputs } from '@tsvdc/ir/testing/models';
import { valuesOf } from '@tsvdc/ir/testing/values';
import { addTreeBalance, balanceTree } from './add-tree-balance.js';
import { addTreeCse } from './add-tree-cse.js';
import { buildNaive } from './addtree/naive.js';
import { rowsFromTernary } from './addtree/linear-forms.js';

function rowDepths(t: AddTree): number[] {
  const d = treeDepths(t);
  return Array.from(t.outputs, (o) => (o < 0 ? 0 : d[o]!));
}

const maxDepth = (t: AddTree): number => Math.max(0, ...rowDepths(t));

/** Rows: r0 = ((x0 + x1) + x2) + x3 (shared), r1 = r0 + x4, r2 = ((x0 + x1) + x2) + x5. */
function sharedChain(): AddTree {
  const b = new AddTreeBuilder(6, 3);
  const x = [0, 1, 2, 3, 4, 5].map((l) => b.lane(l));
  const s2 = b.add(b.add(x[0]!, x[1]!), x[2]!);
  const s3 = b.add(s2, x[3]!);
  b.setOutput(0, s3);
  b.setOutput(1, b.add(s3, x[4]!));
  b.setOutput(2, b.add(s2, x[5]!));
  return b.finish();
}

function moduleOf(t: AddTree, weights: number[], rows: number, cols: number): Module {
  const b = new ModuleBuilder('bal', 'addtree');
  const x = b.input([1, cols]);
  const w = b.constant('W', ternaryFromValues([rows, cols], weights));
  return b.output(b.op('tmatvec', [x], { weights: w, tree: b.tree('t', t) })).build();
}

describe('add-tree-balance', () => {
  it('a chain of 8 terms becomes a balanced sum of depth 3 with the same 7 adders', () => {
    const w = ternaryFromValues([1, 8], [1, -1, 1, 1, -1, 1, 1, 1]);
    const chain = buildNaive(rowsFromTernary(w), 'chain');
    expect(rowDepths(chain)).toEqual([7]);
    const t = balanceTree(chain, 0);
    expect([rowDepths(t), countAdders(t)]).toEqual([[3], 7]);
  });

  it('rebuilding shared nodes is free; a row over its bound unfolds its deepest shared operand', () => {
    const t = sharedChain();
    // before: depths 3, 4, 3 with 5 adders (a = x0+x1, s2 = a+x2, s3 = s2+x3, s3+x4, s2+x5)
    expect([rowDepths(t), countAdders(t)]).toEqual([[3, 4, 3], 5]);
    // unbounded: shared nodes rebuilt in minimum depth only: nothing to gain here
    const free = balanceTree(t, Infinity);
    expect([rowDepths(free), countAdders(free)]).toEqual([[3, 4, 3], 5]);
    // slack 1: bounds 3, 4, 3 (fan-ins 4, 5, 4): already met
    expect(rowDepths(balanceTree(t, 1))).toEqual([3, 4, 3]);
    // slack 0: bounds 2, 3, 2. Row 0 = a + (x2+x3), row 1 = s2 + (x3+x4), row 2 = a + (x2+x5):
    // s3 falls out of use; a and s2 stay shared; 8 adders
    const tight = balanceTree(t, 0);
    expect([rowDepths(tight), countAdders(tight)]).toEqual([[2, 3, 2], 8]);
  });

  it('property: results stay bit-identical, depth never grows, and each row meets ceil(log2 fan-in) + slack', () => {
    fc.assert(
      fc.property(arbModel('addtree', ['mlp', 'cnn'], { integerValued: true }), fc.constantFrom(0, 1, 2), fc.boolean(), ({ module }, slack, cse) => {
        const input = cse ? addTreeCse(module) : module;
        const out = addTreeBalance(input, { slack });
        expect(verify(out)).toEqual([]);
        const xs = randomInputs(module, 9, { integers: true, range: 5 });
        const a = interpret(input, xs, { mode: 'f64' });
        const b = interpret(out, xs, { mode: 'f64' });
        for (const k of module.outputs) expect(valuesOf(b[k]!.data)).toEqual(valuesOf(a[k]!.data));
        for (const [name, t] of input.trees) {
          const after = out.trees.get(name)!;
          expect(maxDepth(after)).toBeLessThanOrEqual(maxDepth(t));
          const w = rowsFromTernary(input.consts.get(String(input.nodes.find((n) => n.attrs['tree'] === name)!.attrs['weights'])) as never);
          rowDepths(after).forEach((d, r) => {
            const k = w.start[r + 1]! - w.start[r]!;
            let allNeg = k > 0;
            for (let i = w.start[r]!; i < w.start[r + 1]!; i++) if (w.coef[i]! > 0) allNeg = false;
            const floor = k === 0 ? 0 : Math.ceil(Math.log2(k + (allNeg ? 1 : 0)));
            expect(d).toBeLessThanOrEqual(floor + slack);
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('property: with unbounded slack, adders never grow', () => {
    fc.assert(
      fc.property(arbModel('addtree', ['mlp', 'cnn'], { integerValued: true }), ({ module }) => {
        const out = addTreeBalance(addTreeCse(module), { slack: Infinity });
        for (const [name, t] of addTreeCse(module).trees) expect(countAdders(out.trees.get(name)!)).toBeLessThanOrEqual(countAdders(t));
      }),
      { numRuns: 200 },
    );
  });

  it('property: integer modules stay valid and bit-exact', () => {
    fc.assert(
      fc.property(arbModel('integer'), fc.constantFrom(0, 1), ({ module }, slack) => {
        const out = addTreeBalance(module, { slack });
        expect(verify(out)).toEqual([]);
        const xs = randomInputs(module, 2, { range: 6 });
        const a = interpret(module, xs, { mode: 'exact' });
        const b = interpret(out, xs, { mode: 'exact' });
        for (const k of module.outputs) expect(b[k]!.data).toEqual(a[k]!.data);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a module whose trees are already shallow unchanged in value', () => {
    const w = [1, 1, 0, -1, 1, 1];
    const m = moduleOf(buildNaive(rowsFromTernary(ternaryFromValues([2, 3], w)), 'balanced'), w, 2, 3);
    const out = addTreeBalance(m);
    expect(rowDepths(out.trees.get('t0')!)).toEqual([1, 2]);
  });

  it('rejects a negative slack', () => {
    const w = [1, 1];
    const m = moduleOf(buildNaive(rowsFromTernary(ternaryFromValues([1, 2], w)), 'chain'), w, 1, 2);
    expect(() => addTreeBalance(m, { slack: -1 })).toThrow('TSVDC410: add-tree-balance: slack must be a number >= 0, got -1');
  });
});
