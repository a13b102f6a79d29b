import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countAdders, dense, interpret, printModule, ternaryFromValues, treeDepths, verify, type DenseConst, type Module } from '@tsvdc/ir';
import { arbModel, ModuleBuilder, randomInputs } from '@tsvdc/ir/testing/models';
import { valuesOf } from '@tsvdc/ir/testing/values';
import { lowerTernaryToAddTrees } from './lower-ternary-to-add-trees.js';

/** The largest |a - b| relative to the largest |a| (1 at least). */
function relDiff(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let s = 1;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(a[i]!));
  }
  return d / s;
}

/** A tlinear on `shape` (a -1 batch: dynamic), V [3, 4], U [2, 3], with bias. */
function tlinearOn(shape: readonly number[]): Module {
  const b = new ModuleBuilder('one', 'ternary');
  const x = b.input([...shape]);
  const V = b.constant('V', ternaryFromValues([3, 4], [1, -1, 0, 1, 0, 1, 1, 1, -1, 0, 0, -1]));
  const U = b.constant('U', ternaryFromValues([2, 3], [1, 1, 0, -1, 0, 1]));
  const s = b.constant('s', dense([3], Float32Array.from([0.5, 2, -1])));
  const bias = b.constant('b', dense([2], Float32Array.from([1, -1])));
  return b.output(b.op('tlinear', [x], { U, s, V, bias })).build();
}

const tlinearModule = (): Module => tlinearOn([2, 4]);

describe('lower-ternary-to-add-trees', () => {
  it('lowers a tlinear to V stage, scale, U stage and bias, with one naive tree per factor', () => {
    const m = lowerTernaryToAddTrees(tlinearModule());
    expect(m.stage).toBe('addtree');
    expect(verify(m)).toEqual([]);
    expect(m.nodes.map((n) => `${n.op}(${n.inputs}) -> ${n.outputs}`)).toEqual([
      'tmatvec(in0) -> v0.V', 'scale(v0.V) -> v0.s', 'tmatvec(v0.s) -> v0.U', 'bias(v0.U) -> v0',
    ]);
    const tv = m.trees.get('n0.V')!;
    // V rows have 3, 3 and 2 non-zeros: 2 + 2 + 1 adders; row 2 (-x0 - x3) is negated with s[2], so no neg
    expect(countAdders(tv)).toBe(5);
    expect(Array.from((m.consts.get('s0.pos') as DenseConst).data)).toEqual([0.5, 2, 1]);
    expect(Array.from(tv.outputs, (o) => treeDepths(tv)[o])).toEqual([2, 2, 1]);
    expect(m.trees.get('n0.V')!.origin).toEqual({ node: 'n0', part: 'V' });
  });

  it('computes what the tlinear computes (f64, exact on small integers)', () => {
    const m = tlinearModule();
    const x = { in0: { shape: [2, 4], data: Float64Array.from([1, 2, 3, 4, -1, 0, 5, -2]) } };
    const y0 = interpret(m, x, { mode: 'f64' })['v0']!;
    const y1 = interpret(lowerTernaryToAddTrees(m), x, { mode: 'f64' })['v0']!;
    // sample 1: V x = [3, 9, -5], s * t = [1.5, 18, 5], U t = [19.5, 3.5], + bias = [20.5, 2.5]
    // sample 2: V x = [-3, 3, 3], s * t = [-1.5, 6, -3], U t = [4.5, -1.5], + bias = [5.5, -2.5]
    expect(Array.from(y0.data)).toEqual([20.5, 2.5, 5.5, -2.5]);
    expect(y1.data).toEqual(y0.data);
  });

  it('chain trees have depth nnz - 1', () => {
    const m = lowerTernaryToAddTrees(tlinearModule(), { tree: 'chain' });
    const tv = m.trees.get('n0.V')!;
    expect(Array.from(tv.outputs, (o) => treeDepths(tv)[o])).toEqual([2, 2, 1]);
    const tu = m.trees.get('n0.U')!;
    expect(Array.from(tu.outputs, (o) => treeDepths(tu)[o])).toEqual([1, 1]);
  });

  it('property: lowered modules verify and compute the same outputs (integer-valued: bit-exact)', () => {
    fc.assert(
      fc.property(arbModel('ternary', ['mlp', 'cnn'], { integerValued: true }), fc.constantFrom<'balanced' | 'chain'>('balanced', 'chain'), ({ module }, tree) => {
        const low = lowerTernaryToAddTrees(module, { tree });
        expect(verify(low)).toEqual([]);
        const xs = randomInputs(module, 7, { integers: true, range: 3 });
        const a = interpret(module, xs, { mode: 'f64' });
        const b = interpret(low, xs, { mode: 'f64' });
        for (const k of module.outputs) expect(valuesOf(b[k]!.data)).toEqual(valuesOf(a[k]!.data));
      }),
      { numRuns: 200 },
    );
  });

  it('property: on float modules f64 results agree within float rounding', () => {
    fc.assert(
      fc.property(arbModel('ternary'), ({ module }) => {
        const low = lowerTernaryToAddTrees(module);
        const xs = randomInputs(module, 11);
        const a = interpret(module, xs, { mode: 'f64' });
        const b = interpret(low, xs, { mode: 'f64' });
        for (const k of module.outputs) expect(relDiff(a[k]!.data, b[k]!.data)).toBeLessThan(1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a module at another stage', () => {
    const m = lowerTernaryToAddTrees(tlinearModule());
    expect(() => lowerTernaryToAddTrees(m)).toThrow('TSVDC401: lower-ternary-to-add-trees expects a module at stage ternary, got addtree');
  });

  it('lowers a tlinear on a rank-3 input on rows: reshape [-1, C], the stages, reshape back', () => {
    for (const batch of [2, -1]) {
      const m = lowerTernaryToAddTrees(tlinearOn([batch, 5, 4]));
      expect(verify(m)).toEqual([]);
      expect(m.nodes.map((n) => `${n.op}(${n.inputs}) -> ${n.outputs} ${JSON.stringify(n.attrs['shape'] ?? null)}`)).toEqual([
        'reshape(in0) -> in0.rows [-1,4]', 'tmatvec(in0.rows) -> v0.V null', 'scale(v0.V) -> v0.s null', 'tmatvec(v0.s) -> v0.U null',
        'bias(v0.U) -> v0.rows null', 'reshape(v0.rows) -> v0 [-1,5,2]',
      ]);
      expect(m.values.get('v0.V')!.shape).toEqual([batch < 0 ? -1 : batch * 5, 3]);
      expect(m.values.get('v0')!.shape).toEqual([batch, 5, 2]);
      expect(m.nodes.every((n) => n.origin?.node === 'n0')).toBe(true);
    }
  });

  it('a rank-3 tlinear with a second dynamic dimension is refused with TSVDC409, naming the node', () => {
    expect(() => lowerTernaryToAddTrees(tlinearOn([-1, -1, 4]))).toThrow('TSVDC409: cannot lower tlinear: tlinear on [-1,-1,4]: only the first dimension may be dynamic (the rows are reshaped back to [-1, -1, 2]) (node "n0")');
  });

  it('property: a rank-3 tlinear computes what it computed before lowering, and on float inputs exactly what the [N, C] lowering does (f64 and f32)', () => {
    const arbX = fc.record({ batch: fc.integer({ min: 1, max: 4 }), dynamic: fc.boolean(), integers: fc.boolean(), seed: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(arbX, ({ batch, dynamic, integers, seed }) => {
        const data = Float64Array.from({ length: batch * 20 }, (_, i) => (integers ? Math.round(Math.sin(seed + i) * 3) : Math.sin(seed + i * 0.7) * 3));
        const m = tlinearOn([dynamic ? -1 : batch, 5, 4]);
        const low = lowerTernaryToAddTrees(m);
        const rows = lowerTernaryToAddTrees(tlinearOn([dynamic ? -1 : batch * 5, 4]));
        for (const mode of ['f64', 'f32'] as const) {
          const y = interpret(low, { in0: { shape: [batch, 5, 4], data } }, { mode })['v0']!;
          expect(y.shape).toEqual([batch, 5, 2]);
          // the sums are the [N, C] lowering's (the f32 summation contract), reshaped
          expect(valuesOf(y.data)).toEqual(valuesOf(interpret(rows, { in0: { shape: [batch * 5, 4], data } }, { mode })['v0']!.data));
          // integer-valued: every order of the sums gives the tlinear's own result
          if (integers) expect(valuesOf(y.data)).toEqual(valuesOf(interpret(m, { in0: { shape: [batch, 5, 4], data } }, { mode })['v0']!.data));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('prints as IR text (the form --print-after shows)', () => {
    const text = printModule(lowerTernaryToAddTrees(tlinearModule()));
    expect(text.split('\n').filter((l) => l.includes(' = t') || l.startsWith('tree'))).toEqual([
      'tree @n0.V lanes 4 outputs 3 loc(node="n0", part="V") {',
      'tree @n0.U lanes 3 outputs 2 loc(node="n0", part="U") {',
      '  %v0.V = tmatvec(%in0) {weights=@V0.pos, tree=@n0.V} : f32[2,3] name "n0.V" loc(node="n0", part="V")',
      '  %v0.U = tmatvec(%v0.s) {weights=@U0, tree=@n0.U} : f32[2,2] name "n0.U" loc(node="n0", part="U")',
    ]);
  });
});
