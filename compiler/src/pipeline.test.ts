import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpret, verify, type Module, type Tensor } from '@tsvdc/ir';
import { arbModel, randomInputs } from '@tsvdc/ir/testing/models';
import { chanAt } from './passes/quant/error-bound.js';
import { getTarget, passNames, runPipeline } from './pipeline.js';

describe('pipeline', () => {
  it('is the flat list of passes, in order', () => {
    expect(passNames()).toEqual(['lower-ternary-to-add-trees', 'add-tree-cse', 'add-tree-balance', 'quantize', 'bit-widths']);
  });

  it('property: float mode keeps every result within float rounding, verified after every pass', () => {
    fc.assert(
      fc.property(arbModel('ternary'), ({ module, seed }) => {
        const { module: out, runs } = runPipeline(module, { mode: 'float' }, { verifyEach: true });
        expect(runs.map((r) => r.pass)).toEqual(['lower-ternary-to-add-trees', 'add-tree-cse', 'add-tree-balance']);
        expect(out.stage).toBe('addtree');
        const xs = randomInputs(module, seed);
        const a = interpret(module, xs, { mode: 'f64' });
        const b = interpret(out, xs, { mode: 'f64' });
        for (const k of module.outputs) {
          a[k]!.data.forEach((y, i) => expect(Math.abs(b[k]!.data[i]! - y)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(y))));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('property: int mode ends in a valid integer program within its computed bound on the calibration inputs', () => {
    fc.assert(
      fc.property(arbModel('ternary'), fc.constantFrom(0, 1, 2), ({ module, seed }, slack) => {
        const calibration: Record<string, Tensor>[] = [randomInputs(module, seed), randomInputs(module, seed + 1)];
        const { module: out, state } = runPipeline(module, { mode: 'int', calibration, slack }, { verifyEach: true });
        expect(out.stage).toBe('integer');
        expect(verify(out)).toEqual([]);
        for (const xs of calibration) {
          const f = interpret(module, xs, { mode: 'f64' });
          const q = interpret(out, xs, { mode: 'exact' });
          for (const k of module.outputs) {
            const shape = f[k]!.shape;
            const inner = shape.length >= 2 ? shape.slice(2).reduce((p, d) => p * d, 1) : 1;
            const b = state.bound!.outputs.get(k)!;
            f[k]!.data.forEach((y, i) => {
              const c = shape.length >= 2 ? Math.floor(i / inner) % shape[1]! : 0;
              expect(Math.abs(q[k]!.data[i]! - y)).toBeLessThanOrEqual(chanAt(b, c) * (1 + 1e-9) + 1e-9 * (1 + Math.abs(y)));
            });
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('property: quantize leaves the widths to bit-widths, which changes nothing else', () => {
    fc.assert(
      fc.property(arbModel('ternary', ['mlp']), ({ module, seed }) => {
        const { runs } = runPipeline(module, { mode: 'int', calibration: [randomInputs(module, seed)] }, { verifyEach: true });
        const [q, w] = [runs.find((r) => r.pass === 'quantize')!.module, runs.find((r) => r.pass === 'bit-widths')!.module];
        const strip = (m: Module): unknown => m.nodes.map((n) => ({ ...n, attrs: { ...n.attrs, type: undefined } }));
        expect(strip(w)).toEqual(strip(q));
        let narrowed = 0;
        for (const [v, t] of q.values) {
          const [a, b] = [t.elem, w.values.get(v)!.elem];
          if (a.kind !== 'fixed' || b.kind !== 'fixed') { expect(b).toEqual(a); continue; }
          expect(b.frac).toBe(a.frac);
          if (b.width < a.width) narrowed++;
        }
        if (q.nodes.some((n) => n.op === 'tmatvec')) expect(narrowed).toBeGreaterThan(0);
      }),
      { numRuns: 30 },
    );
  });

  it('stops after the pass asked for', () => {
    const m = arbModelSample();
    const { runs, module } = runPipeline(m, { mode: 'int' }, { stopAfter: 'add-tree-cse' });
    expect(runs.map((r) => r.pass)).toEqual(['lower-ternary-to-add-trees', 'add-tree-cse']);
    expect(module.stage).toBe('addtree');
  });

  it('names unknown passes, passes of the other mode, and unknown targets', () => {
    expect(() => runPipeline(arbModelSample(), { mode: 'float' }, { stopAfter: 'cse' })).toThrow(
      'TSVDC402: --stop-after cse: no such pass (passes: lower-ternary-to-add-trees, add-tree-cse, add-tree-balance, quantize, bit-widths)');
    expect(() => runPipeline(arbModelSample(), { mode: 'float' }, { stopAfter: 'quantize' })).toThrow(
      'TSVDC411: --stop-after quantize: quantize does not run in mode float (its passes: lower-ternary-to-add-trees, add-tree-cse, add-tree-balance)');
    expect(() => getTarget('verilog')).toThrow('TSVDC403: --target verilog: no such target (targets: ir)');
  });

  it('int mode without calibration data says what is missing', () => {
    expect(() => runPipeline(arbModelSample(), { mode: 'int' })).toThrow('TSVDC404: quantize needs calibration inputs (at least one batch), got none');
  });
});

function arbModelSample() {
  return fc.sample(arbModel('ternary', ['mlp']), { numRuns: 1, seed: 42 })[0]!.module;
}
