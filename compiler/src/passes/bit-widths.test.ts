import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedElem, interpret, liveNodes, maxOf, minOf, ternaryFromValues, verify, type AddTree, type Module } from '@tsvdc/ir';
import { arbModel, ModuleBuilder, randomInputs } from '@tsvdc/ir/testing/models';
import { addTreeBalance } from './add-tree-balance.js';
import { addTreeCse } from './add-tree-cse.js';
import { bitWidths } from './bit-widths.js';
import { buildNaive } from './addtree/naive.js';
import { rowsFromTernary } from './addtree/linear-forms.js';
import { typeTree } from './widths/tree-types.js';

/** x : fx<bits,0>[1, lanes] -> tmatvec with a typed tree (types filled by bit-widths) -> dequantize. */
function stageModule(rows: number, lanes: number, values: number[], bits: number, shape: 'cse' | 'chain'): Module {
  const b = new ModuleBuilder('w', 'integer');
  const x = b.input([-1, lanes], fixedElem(bits, 0), 'x');
  const w = ternaryFromValues([rows, lanes], values);
  // typed from the declared input range only (wider than the rows need); bit-widths refines it
  const full = { lo: new Float64Array(lanes).fill(minOf(bits)), hi: new Float64Array(lanes).fill(maxOf(bits)) };
  const tree = b.tree('t', typeTree(buildNaive(rowsFromTernary(w), 'chain'), full, 0));
  const y = b.op('tmatvec', [x], { weights: b.constant('W', w), tree }, fixedElem(bits + 8, 0));
  const m = b.output(b.op('dequantize', [y])).build();
  return shape === 'cse' ? addTreeBalance(addTreeCse(m), { slack: 0 }) : m;
}

function fixedWidths(m: Module): Map<string, number> {
  const out = new Map<string, number>();
  for (const [v, t] of m.values) if (t.elem.kind === 'fixed') out.set(v, t.elem.width);
  return out;
}

describe('bit-widths', () => {
  it('property: random extremes on larger layers stay in range, and each row attains its bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 48 }), fc.integer({ min: 1, max: 16 }), fc.integer(), (lanes, rows, seed) => {
        let s = seed >>> 0;
        const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const values = Array.from({ length: rows * lanes }, () => [-1, 0, 0, 1][Math.floor(next() * 4)]!);
        const m = bitWidths(stageModule(rows, lanes, values, 8, 'cse'));
        expect(verify(m)).toEqual([]);
        const t = m.trees.get('t0')!;
        // input maximizing row r: +127 where the weight is +1, -128 where it is -1
        const data = new Float64Array(rows * lanes);
        for (let r = 0; r < rows; r++) for (let l = 0; l < lanes; l++) data[r * lanes + l] = values[r * lanes + l]! < 0 ? minOf(8) : maxOf(8);
        const y = m.nodes[0]!.outputs[0]!;
        const out = interpret({ ...m, outputs: [y] }, { x: { shape: [rows, lanes], data } }, { mode: 'exact' })[y]!.data;
        for (let r = 0; r < rows; r++) {
          const o = t.outputs[r]!;
          expect(out[r * rows + r]).toBe(o < 0 ? 0 : t.types!.hi[o]);
        }
        // random extreme corners never overflow (exact mode would throw)
        const corners = Float64Array.from({ length: 64 * lanes }, () => (next() < 0.5 ? minOf(8) : maxOf(8)));
        interpret({ ...m, outputs: [y] }, { x: { shape: [64, lanes], data: corners } }, { mode: 'exact' });
      }),
      { numRuns: 200 },
    );
  });

  it('property: generated integer modules stay valid and exact, with no value wider than before', () => {
    fc.assert(
      fc.property(arbModel('integer'), ({ module }) => {
        const out = bitWidths(module);
        expect(verify(out)).toEqual([]);
        const before = fixedWidths(module);
        for (const [v, w] of fixedWidths(out)) expect(w).toBeLessThanOrEqual(before.get(v)!);
        const xs = randomInputs(module, 13, { range: 8 });
        const a = interpret(module, xs, { mode: 'exact' });
        const b = interpret(out, xs, { mode: 'exact' });
        for (const k of module.outputs) expect(b[k]!.data).toEqual(a[k]!.data);
        for (const [name, t] of out.trees) {
          const live = liveNodes(t as AddTree);
          const old = module.trees.get(name)!;
          for (let i = 0; i < t.size; i++) if (live[i] && old.types) expect(t.types!.width[i]).toBeLessThanOrEqual(old.types.width[i]!);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a float module', () => {
    const b = new ModuleBuilder('f', 'addtree');
    const m = b.output(b.op('relu', [b.input([1, 2])])).build();
    expect(() => bitWidths(m)).toThrow('TSVDC401: bit-widths expects a module at stage integer or scheduled, got addtree');
  });
});
