import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dense, F32, fixedElem, interpret, printModule, ternaryFromValues, verify, withModule, type IntConst, type Module, type Tensor } from '@tsvdc/ir';
import { arbModel, ModuleBuilder, randomInputs } from '@tsvdc/ir/testing/models';
import { chanAt } from './quant/error-bound.js';
import { csdDigits } from './quant/fixed-point.js';
import { bitWidths } from './bit-widths.js';
import { quantize, quantizeWithBound } from './quantize.js';
import { lowerTernaryToAddTrees } from './lower-ternary-to-add-trees.js';

/** Every output element within its channel's bound (plus float64 rounding of the reference). */
function withinBound(m: Module, q: Module, bound: ReadonlyMap<string, Float64Array>, xs: Record<string, Tensor>): void {
  const f = interpret(m, xs, { mode: 'f64' });
  const i = interpret(q, xs, { mode: 'exact' });
  for (const v of m.outputs) {
    const shape = f[v]!.shape;
    const inner = shape.length >= 2 ? shape.slice(2).reduce((p, d) => p * d, 1) : 1;
    const ch = shape.length >= 2 ? shape[1]! : 1;
    const b = bound.get(v)!;
    f[v]!.data.forEach((y, k) => {
      const c = Math.floor(k / inner) % ch;
      expect(Math.abs(i[v]!.data[k]! - y)).toBeLessThanOrEqual(chanAt(b, c) * (1 + 1e-9) + 1e-9 * (1 + Math.abs(y)));
    });
  }
}

/** x [?, 4] -> V (3x4) -> s -> U (2x3) -> bias: one TSVD layer. */
function tsvdLayer(): Module {
  const b = new ModuleBuilder('layer', 'ternary');
  const x = b.input([-1, 4], undefined, 'x');
  const V = b.constant('V', ternaryFromValues([3, 4], [1, -1, 0, 1, 0, 1, 1, 1, -1, 0, 0, -1]));
  const U = b.constant('U', ternaryFromValues([2, 3], [1, 1, 0, -1, 0, 1]));
  const s = b.constant('s', dense([3], Float32Array.from([0.5, 0.25, -1])));
  const bias = b.constant('b', dense([2], Float32Array.from([0.375, -1])));
  return b.output(b.op('tlinear', [x], { U, s, V, bias })).build();
}

const layer = (): Module => lowerTernaryToAddTrees(tsvdLayer());

const calib = (rows: number[][]): Record<string, Tensor>[] => [{ x: { shape: [rows.length, 4], data: Float64Array.from(rows.flat()) } }];

describe('quantize', () => {
  it('golden: int8 input and mid tensor, exact V sums, s as a 16-bit requant multiplier, bias in the accumulator scale', () => {
    // |x| <= 1: frac 6. On these inputs |s * (V x)| reaches 2 (-1 * -2): mid frac 5 (127 / 2 < 64).
    const q = quantize(layer(), { calibration: calib([[1, -1, 0, 1], [-1, 1, 1, 0], [0.5, 0.5, -0.5, 1]]), midBits: 8 });
    expect(verify(q)).toEqual([]);
    const lines = printModule(q).split('\n');
    const func = lines.slice(lines.findIndex((l) => l.startsWith('func'))).filter((l) => l.startsWith('  %'));
    // saturating results at their chosen widths; sums at the provisional 52 bits, for bit-widths to narrow
    expect(func).toEqual([
      '  %x.q = quantize(%x) {type=fx<8,6>} : fx<8,6>[?,4] loc(part="quantize")',
      '  %v0.V = tmatvec(%x.q) {weights=@V0.pos, tree=@n0.V} : fx<52,6>[?,3] name "n0.V" loc(node="n0", part="V")',
      '  %v0.s = requant(%v0.V) {c=@v0.s.c, shift=15, type=fx<8,5>} : fx<8,5>[?,3] name "n0.scale" loc(node="n0", part="scale")',
      '  %v0.U = tmatvec(%v0.s) {weights=@U0, tree=@n0.U} : fx<52,5>[?,2] name "n0.U" loc(node="n0", part="U")',
      '  %v0.fx = bias(%v0.U) {b=@v0.b} : fx<52,5>[?,2] name "n0" loc(node="n0", part="bias")',
      '  %v0 = dequantize(%v0.fx) : f32[?,2] loc(part="dequantize")',
    ]);
    for (const t of q.trees.values()) expect(new Set(t.types!.width)).toEqual(new Set([52]));
    // bit-widths sizes the sums from the per-channel intervals: the V rows sum 3, 3 and 2 int8 lanes, together
    // [-384, 382], 10 bits; the U lanes are [-96, 96], [-48, 48], [-128, 127] (requant of the V rows), so U needs 9
    // bits and so does bias (+12, -32)
    const sized = bitWidths(q);
    expect(verify(sized)).toEqual([]);
    expect(sized.nodes.map((n) => sized.values.get(n.outputs[0]!)!.elem)).toEqual([
      fixedElem(8, 6), fixedElem(10, 6), fixedElem(8, 5), fixedElem(9, 5), fixedElem(9, 5), F32,
    ]);
    // Multipliers s * 2^(5 - 6) = [0.25, 0.125, 0.5]
    // (V row 2, all -1, was negated together with s[2] at lowering); 0.5 * 2^15 < 32767 < 0.5 * 2^16: shift 15
    expect(Array.from((q.consts.get('v0.s.c') as IntConst).data)).toEqual([8192, 4096, 16384]);
    // bias 0.375 and -1 at frac 5: 12 and -32
    expect(Array.from((q.consts.get('v0.b') as IntConst).data)).toEqual([12, -32]);
  });

  it('the mid tensor between V and U defaults to 4 bits above the activations', () => {
    const rows = [[1, -1, 0, 1], [-1, 1, 1, 0]];
    const midWidth = (bits?: number) => {
      const q = quantize(layer(), { calibration: calib(rows), ...(bits ? { bits } : {}) });
      const scale = q.nodes.find((n) => n.origin?.part === 'scale')!;
      return (scale.attrs['type'] as { width: number }).width;
    };
    expect([midWidth(), midWidth(6), midWidth(10)]).toEqual([12, 10, 14]);
  });

  it('property: exact integer results stay within the computed bound on the calibration inputs', () => {
    fc.assert(
      fc.property(arbModel('addtree'), fc.constantFrom(4, 6, 8), fc.constantFrom(0, 2, 3), ({ module }, bits, csd) => {
        const xs = [randomInputs(module, 1), randomInputs(module, 2)];
        const { module: q, bound } = quantizeWithBound(module, { calibration: xs, bits, csdDigits: csd });
        expect(verify(q)).toEqual([]);
        for (const x of xs) withinBound(module, q, bound.outputs, x);
      }),
      { numRuns: 150 },
    );
  });

  it('property: the bound holds for a lowered TSVD layer at every width, and shrinks with more bits', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 3, max: 12 }), (rows, bits) => {
        const m = layer();
        const a = quantizeWithBound(m, { calibration: calib(rows), bits });
        const b = quantizeWithBound(m, { calibration: calib(rows), bits: bits + 4, midBits: bits + 4 });
        withinBound(m, a.module, a.bound.outputs, calib(rows)[0]!);
        withinBound(m, b.module, b.bound.outputs, calib(rows)[0]!);
        const [wide, narrow] = [b.bound.outputs.get('v0')![0]!, a.bound.outputs.get('v0')![0]!];
        if (Math.max(...rows.flat().map(Math.abs)) >= 1e-3) expect(wide).toBeLessThan(narrow);
        else expect(wide).toBeLessThanOrEqual(narrow);
      }),
      { numRuns: 200 },
    );
  });

  it('percentile calibration clips an outlier that min/max holds; the clipping is reported, and the bound fails there', () => {
    const spread = Array.from({ length: 10_000 }, (_, i) => { const t = -1 + (2 * i) / 9_999; return [t, -t, 0.5 * t, 1 - Math.abs(t)]; });
    const outlier = [100, 0, 0, 0];
    const run = (method: 'minmax' | 'percentile') => {
      const r = quantizeWithBound(layer(), { calibration: calib([...spread, outlier]), method });
      const input = r.module.nodes.find((n) => n.op === 'quantize')!;
      return { ...r, inputType: input.attrs['type'], xClipped: r.bound.clipping.filter((c) => c.value === 'x') };
    };
    const [minmax, pct] = [run('minmax'), run('percentile')];
    // min/max: |x| <= 100 needs int8 frac 0, nothing clipped, and the bound holds on the outlier too
    expect([minmax.inputType, minmax.bound.clipping]).toEqual([{ width: 8, frac: 0 }, []]);
    withinBound(layer(), minmax.module, minmax.bound.outputs, calib([outlier])[0]!);
    // percentile 99.99 of the 40 004 input magnitudes is 1: frac 6, so 100 saturates at 127 / 64; exactly that one value clips
    expect([pct.inputType, pct.xClipped]).toEqual([{ width: 8, frac: 6 }, [{ value: 'x', layer: 'x', clipped: 1, total: 40_004 }]]);
    // ... and the printed bound does not hold for it (which is why the report says so)
    const f = interpret(layer(), calib([outlier])[0]!, { mode: 'f64' }).v0!.data;
    const q = interpret(pct.module, calib([outlier])[0]!, { mode: 'exact' }).v0!.data;
    const worst = Math.max(...Array.from(f, (y, k) => Math.abs(q[k]! - y) / chanAt(pct.bound.outputs.get('v0')!, k)));
    expect(worst).toBeGreaterThan(1);
  });

  // the layer's s result (requant to int8, frac 5) next to its U sum (frac 5, provisional width),
  // directly or through a relu (which keeps its input's width: bit-widths cannot widen it)
  for (const relu of [false, true]) {
    it(`concat of a saturating requant and ${relu ? 'a relu of ' : ''}a provisional sum at one frac stays integer, and bit-widths evens the widths`, () => {
      const lowered = layer();
      const r = { op: 'relu', name: 'r', inputs: ['v0.U'], outputs: ['r'], attrs: {}, origin: { node: 'r' } };
      const cat = { op: 'concat', name: 'cat', inputs: ['v0.s', relu ? 'r' : 'v0.U'], outputs: ['cat'], attrs: { axis: 1 }, origin: { node: 'cat' } };
      const m = withModule(lowered, {
        nodes: [...lowered.nodes, ...(relu ? [r] : []), cat], outputs: [...lowered.outputs, 'cat'],
        values: new Map([...lowered.values, ...(relu ? [['r', lowered.values.get('v0.U')!] as const] : []), ['cat', { shape: [-1, 5], elem: F32 }]]),
      });
      expect(verify(m)).toEqual([]);
      const xs = calib([[1, -1, 0, 1], [-1, 1, 1, 0], [0.5, 0.5, -0.5, 1]]);
      const { module: q, bound } = quantizeWithBound(m, { calibration: xs, midBits: 8 });
      expect(verify(q)).toEqual([]);
      // no float detour: the only dequantizes are those of the module outputs, and the concat is on fixed data
      expect(q.nodes.filter((n) => n.op === 'dequantize').map((n) => n.outputs[0])).toEqual(['v0', 'cat']);
      const concat = q.nodes.find((n) => n.op === 'concat')!;
      expect(concat.inputs.map((v) => q.values.get(v)!.elem)).toEqual([fixedElem(52, 5), fixedElem(52, 5)]);
      // each operand goes through an exact mulconst by 1, which bit-widths sizes
      const wraps = concat.inputs.map((v) => q.nodes.find((n) => n.outputs[0] === v)!);
      expect(wraps.map((w) => [w.op, w.inputs, (q.consts.get(w.attrs['c'] as string) as IntConst).data[0]]))
        .toEqual([['mulconst', ['v0.s'], 1], ['mulconst', [relu ? 'r' : 'v0.U'], 1]]);
      withinBound(m, q, bound.outputs, xs[0]!);
      const sized = bitWidths(q);
      expect(verify(sized)).toEqual([]);
      const widths = sized.nodes.find((n) => n.op === 'concat')!.inputs.map((v) => (sized.values.get(v)!.elem as { width: number }).width);
      expect(widths[0]).toBe(widths[1]);
      withinBound(m, sized, bound.outputs, xs[0]!);
    });
  }

  it('concat of saturating results of one width needs no mulconst', () => {
    const lowered = layer();
    const cat = { op: 'concat', name: 'cat', inputs: ['v0.s', 'v0.s'], outputs: ['cat'], attrs: { axis: 1 }, origin: { node: 'cat' } };
    const m = withModule(lowered, {
      nodes: [...lowered.nodes, cat], outputs: [...lowered.outputs, 'cat'],
      values: new Map([...lowered.values, ['cat', { shape: [-1, 6], elem: F32 }]]),
    });
    const q = quantize(m, { calibration: calib([[1, -1, 0, 1]]), midBits: 8 });
    expect(verify(q)).toEqual([]);
    const concat = q.nodes.find((n) => n.op === 'concat')!;
    expect(concat.inputs.map((v) => q.nodes.find((n) => n.outputs[0] === v)!.op)).toEqual(['requant', 'requant']);
    expect(q.values.get(concat.outputs[0]!)!.elem).toEqual(fixedElem(8, 5));
  });

  it('CSD multipliers have at most the digits asked for', () => {
    const q = quantize(layer(), { calibration: calib([[1, 0.3, -0.7, 0.1]]), csdDigits: 2 });
    const c = q.consts.get('v0.s.c') as IntConst;
    for (const v of c.data) expect(csdDigits(v).length).toBeLessThanOrEqual(2);
  });

  it('rejects bad options and calibration with exact messages', () => {
    const m = layer();
    expect(() => quantize(m, { calibration: [] })).toThrow('TSVDC404: quantize needs calibration inputs (at least one batch), got none');
    expect(() => quantize(m, { calibration: [{ x: { shape: [1, 5], data: new Float64Array(5) } }] })).toThrow('TSVDC404: calibration input %x: expected shape [?,4], got [1,5]');
    expect(() => quantize(m, { calibration: calib([[0, 0, 0, 0]]), bits: 1 })).toThrow('TSVDC406: quantize: bits must be an integer in 2..24, got 1');
    expect(() => quantize(m, { calibration: calib([[0, 0, 0, 0]]), percentile: 0 })).toThrow('TSVDC406: quantize: percentile must be in (0, 100], got 0');
    expect(() => quantize(tsvdLayer(), { calibration: [] })).toThrow('TSVDC401: quantize expects a module at stage addtree, got ternary');
  });
});
