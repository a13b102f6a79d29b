import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret, liveNodes, maxOf, minOf, verify, type AddTree, type Module } from '@tsvdc/ir';
import { arbModel, ModuleBuilder, randomInputs } from '@tsvdc/ir/testing/models';
import { bitWidths } from './bit-widths.js';
import { stageModule } from './widths/testing.js';

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
