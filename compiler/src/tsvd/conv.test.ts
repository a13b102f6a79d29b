import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convOutSize, convTransposeOutSize, ternaryNnz, ternaryToInt8 } from '@tsvdc/ir';
import type { ConvForm, WeightShape } from './conv-forms.js';
import { convWeightFromFactors, formLayout, groupMatrix } from './conv-forms.js';
import type { Tensor4 } from './conv-reference.js';
import { conv2dRef, convTranspose2dRef, pad2d, scaleChannels, tensor4, ternaryConvRef } from './conv-reference.js';
import { decomposeConv } from './conv.js';
import { spectralNormRef as opNorm } from './conv-testing.js';

const lcg = (seed: number): (() => number) => {
  let st = seed >>> 0 || 1;
  return () => ((st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
};
const randT = (shape: [number, number, number, number], seed: number): Tensor4 => {
  const r = lcg(seed);
  return tensor4(shape, Float64Array.from({ length: shape[0] * shape[1] * shape[2] * shape[3] }, r));
};
const maxAbs = (t: Tensor4): number => t.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
function expectClose(a: Tensor4, b: Tensor4): void {
  expect(a.shape).toEqual(b.shape);
  const scale = Math.max(1, maxAbs(b));
  a.data.forEach((v, i) => expect(Math.abs(v - b.data[i]!)).toBeLessThan(1e-9 * scale));
}

const caseArb = fc.record({
  g: fc.integer({ min: 1, max: 2 }), mg: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 3 }),
  k1: fc.integer({ min: 1, max: 3 }), k2: fc.integer({ min: 1, max: 3 }),
  s: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
  h: fc.integer({ min: 3, max: 7 }), w: fc.integer({ min: 3, max: 7 }),
  form: fc.constantFrom<ConvForm>(0, 1, 2, 3), tol: fc.constantFrom(0.03, 0.1, 0.3), seed: fc.nat(),
});

describe('decomposeConv: the compressed conv computes conv(W_approx), for every form', () => {
  it('pad -> conv V -> scale -> conv U equals conv(W_approx), and W_approx is within tol in the layout', () => {
    fc.assert(
      fc.property(caseArb, (p) => {
        const shape: WeightShape = [p.g * p.mg, p.cg, p.k1, p.k2];
        const attrs = { groups: p.g, strides: p.s, dilations: p.d, pads: p.pads };
        fc.pre(convOutSize(p.h, p.k1, p.s[0], p.d[0], p.pads[0], p.pads[2]) > 0 && convOutSize(p.w, p.k2, p.s[1], p.d[1], p.pads[1], p.pads[3]) > 0);
        const W = randT([...shape], p.seed);
        const res = decomposeConv(W, { ...attrs, inputSize: [p.h, p.w] }, { tol: p.tol, forms: [p.form], seed: p.seed });
        if (p.mg * p.cg * p.k1 * p.k2 <= 9) {
          expect(res).toBeNull();
          return;
        }
        expect(res).not.toBeNull();
        const r = res!;
        expect(r.form).toBe(p.form);
        const approx = convWeightFromFactors(r, p.g);
        const Wa = tensor4([...approx.shape], approx.data);
        // the staged computation, written out here on the dense reference conv
        const x = randT([1, p.g * p.cg, p.h, p.w], p.seed + 1);
        const unpack = (t: typeof r.U): Tensor4 => tensor4(t.shape as [number, number, number, number], Float64Array.from(ternaryToInt8(t)));
        const mid = conv2dRef(pad2d(x, p.pads), unpack(r.V), { groups: p.g, strides: r.vStrides, dilations: r.vDilations });
        const staged = conv2dRef(scaleChannels(mid, r.s), unpack(r.U), { groups: p.g, strides: r.uStrides, dilations: r.uDilations });
        const direct = conv2dRef(x, Wa, attrs);
        expectClose(staged, direct);
        expectClose(ternaryConvRef(x, r), direct);
        // the cost counts the pixels each stage really computes
        const [, , mh, mw] = mid.shape;
        const [, , oh, ow] = staged.shape;
        expect(r.stats.adds).toBe(r.stats.nnzV * mh * mw + r.stats.nnzU * oh * ow);
        expect(r.stats.muls).toBe(r.s.length * mh * mw);
        expect([r.stats.nnzU, r.stats.nnzV]).toEqual([ternaryNnz(r.U), ternaryNnz(r.V)]);
        // W_approx is within tol of W in the layout that was decomposed
        const layout = formLayout(r.form, shape, p.g);
        for (let g = 0; g < p.g; g++) {
          const a = groupMatrix(layout, shape, W.data, g);
          const b = groupMatrix(layout, shape, approx.data, g);
          const diff = { ...a, data: a.data.map((v, i) => v - b.data[i]!) };
          const rel = opNorm(diff) / opNorm(a);
          if (!r.stats.reachedMaxRank) expect(rel).toBeLessThan(p.tol * (1 + 1e-6));
          expect(Math.abs(rel - r.stats.groupErrors[g]!)).toBeLessThan(1e-6 * rel + 1e-12); // the reported error is the true one
        }
      }),
      { numRuns: 250 },
    );
  });

  it('a compressed ConvTranspose (two transposed convs) equals ConvTranspose(W_approx)', () => {
    fc.assert(
      fc.property(caseArb, fc.tuple(fc.nat(1), fc.nat(1)), (p, opad) => {
        // ConvTranspose weight [Cin, Cout/G, K1, K2]: Cin = g*mg input channels, g*cg outputs
        const shape: WeightShape = [p.g * p.mg, p.cg, p.k1, p.k2];
        const outputPadding = [Math.min(opad[0], p.s[0] - 1), Math.min(opad[1], p.s[1] - 1)];
        const attrs = { groups: p.g, strides: p.s, dilations: p.d, pads: p.pads, outputPadding };
        fc.pre(convTransposeOutSize(p.h, p.k1, p.s[0], p.d[0], p.pads[0], p.pads[2], outputPadding[0]!) > 0
          && convTransposeOutSize(p.w, p.k2, p.s[1], p.d[1], p.pads[1], p.pads[3], outputPadding[1]!) > 0);
        fc.pre(p.mg * p.cg * p.k1 * p.k2 > 9);
        const W = randT([...shape], p.seed);
        const spec = { ...attrs, transposed: true, inputSize: [p.h, p.w] as [number, number] };
        // outputPadding needs the last (V) stage to carry the axis's stride: not so where U's kernel spans it
        const uSpans = [[false, false], [true, true], [true, false], [false, true]][p.form]!.map((u, a) => u && [p.k1, p.k2][a]! > 1);
        if (uSpans.some((u, a) => u && outputPadding[a]! > 0)) {
          expect(() => decomposeConv(W, spec, { tol: p.tol, forms: [p.form], seed: p.seed })).toThrow(`TSVDC310: decomposeConv: no requested form can be written: form ${p.form} puts output_padding [${outputPadding}]`);
          return;
        }
        const r = decomposeConv(W, spec, { tol: p.tol, forms: [p.form], seed: p.seed })!;
        expect(r.transposed).toBe(true);
        for (const a of [0, 1]) if (outputPadding[a]! > 0) expect(outputPadding[a]).toBeLessThan(Math.max(r.vStrides[a]!, r.vDilations[a]!));
        const approx = convWeightFromFactors(r, p.g);
        const x = randT([1, p.g * p.mg, p.h, p.w], p.seed + 3);
        const unpack = (t: typeof r.U): Tensor4 => tensor4(t.shape as [number, number, number, number], Float64Array.from(ternaryToInt8(t)));
        const mid = convTranspose2dRef(x, unpack(r.U), { groups: p.g, strides: r.uStrides, dilations: r.uDilations });
        const staged = convTranspose2dRef(scaleChannels(mid, r.s), unpack(r.V), {
          groups: p.g, strides: r.vStrides, dilations: r.vDilations, pads: p.pads, outputPadding,
        });
        expectClose(staged, convTranspose2dRef(x, tensor4([...approx.shape], approx.data), attrs));
        expect(r.stats.muls).toBe(r.s.length * mid.shape[2] * mid.shape[3]);
        expect(r.stats.adds).toBe(r.stats.nnzU * p.h * p.w + r.stats.nnzV * mid.shape[2] * mid.shape[3]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('decomposeConv: choosing a form', () => {
  it('keeps the cheapest form and reports every form', () => {
    fc.assert(
      fc.property(caseArb, fc.constantFrom(0, 1, 8), (p, mulWeight) => {
        fc.pre(p.mg * p.cg * p.k1 * p.k2 > 9);
        const shape: WeightShape = [p.g * p.mg, p.cg, p.k1, p.k2];
        const r = decomposeConv(randT([...shape], p.seed), { groups: p.g, strides: p.s, pads: p.pads, inputSize: [p.h + 4, p.w + 4] }, { tol: p.tol, seed: p.seed, mulWeight })!;
        expect(r.forms.map((f) => f.form)).toEqual([0, 1, 2, 3]);
        for (const f of r.forms) {
          expect(f.cost).toBe(f.adds + mulWeight * f.muls);
          expect(r.stats.cost).toBeLessThanOrEqual(f.cost);
          if (f.sameAs !== undefined) expect(f.sameAs).toBeLessThan(f.form);
        }
        expect(r.forms[r.form]).toEqual(r.stats);
        // an axis of size 1 makes forms coincide (they differ only in where a 1-wide kernel sits)
        if (p.k1 === 1) expect([r.forms[2]!.sameAs, r.forms[3]!.sameAs]).toEqual([0, 1]);
      }),
      { numRuns: 60 },
    );
  });

  it('ConvTranspose: never picks a form whose last stage cannot carry output_padding, even when it would be cheapest', () => {
    // W[ci, co, a, b] = p[ci, a, b] q[co], ternary: rank 1 in form 1 (U 3x3 over ci, V 1x1 over co),
    // rank up to 9 in form 0; but form 1's V stage has stride 1 on both axes
    const cin = 6;
    const cout = 5;
    const r = lcg(7);
    const tern = (): number => Math.round(1.4 * r());
    const pt = Array.from({ length: cin * 9 }, tern);
    const q = Array.from({ length: cout }, (_, o) => (o % 2 ? 1 : -1));
    const data = new Float64Array(cin * cout * 9);
    for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) for (let k = 0; k < 9; k++) data[(ci * cout + co) * 9 + k] = pt[ci * 9 + k]! * q[co]!;
    const W = tensor4([cin, cout, 3, 3], data);
    const base = { transposed: true, strides: [2, 2], pads: [1, 1, 1, 1], inputSize: [6, 6] as [number, number] };
    const free = decomposeConv(W, base, { tol: 0.01 })!;
    expect(free.form).toBe(1); // the premise: without output_padding, form 1 is the cheapest
    expect(free.excluded).toEqual([]);
    const padded = decomposeConv(W, { ...base, outputPadding: [1, 0] }, { tol: 0.01 })!;
    // forms 1 and 2 put K1 on U, leaving the axis with output_padding 1 a stride-1 last stage
    expect(padded.excluded.map((e) => e.form)).toEqual([1, 2]);
    expect(padded.forms.map((f) => f.form)).toEqual([0, 3]);
    expect(padded.stats.cost).toBe(Math.min(...padded.forms.map((f) => f.cost)));
    expect(padded.vStrides[0]).toBe(2);
    // and it still computes ConvTranspose(W_approx)
    const x = randT([1, cin, 6, 6], 3);
    const unpack = (t: typeof padded.U): Tensor4 => tensor4(t.shape as [number, number, number, number], Float64Array.from(ternaryToInt8(t)));
    const mid = convTranspose2dRef(x, unpack(padded.U), { strides: padded.uStrides, dilations: padded.uDilations });
    const staged = convTranspose2dRef(scaleChannels(mid, padded.s), unpack(padded.V), { strides: padded.vStrides, dilations: padded.vDilations, pads: [1, 1, 1, 1], outputPadding: [1, 0] });
    const approx = convWeightFromFactors(padded, 1);
    expectClose(staged, convTranspose2dRef(x, tensor4([...approx.shape], approx.data), { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 0] }));
    // asking only for forms that cannot be written is an error, not a silent dense layer
    expect(() => decomposeConv(W, { ...base, outputPadding: [1, 1] }, { forms: [1, 2, 3] })).toThrow('TSVDC310: decomposeConv: no requested form can be written: form 1 puts output_padding [1,1]');
  });

  it('leaves layers with 9 or fewer weights per group dense', () => {
    expect(decomposeConv(randT([4, 1, 3, 3], 1), { groups: 4 })).toBeNull(); // depthwise 3x3
    expect(decomposeConv(randT([3, 3, 1, 1], 1))).toBeNull();
    expect(decomposeConv(randT([2, 5, 1, 1], 1))).not.toBeNull();
  });

  it('golden: an exactly ternary separable kernel is rank 1 in every form; form 0 is cheapest', () => {
    // W[o, 0] = c_o a b^T, a = [1, 0, -1] (K1), b = [1, 1, 0] (K2), c = [1, -1]
    const k = [1, 1, 0, 0, 0, 0, -1, -1, 0];
    const W = tensor4([2, 1, 3, 3], Float64Array.from([...k, ...k.map((v) => -v)]));
    const r = decomposeConv(W, { pads: [1, 1, 1, 1], inputSize: [8, 8] }, { tol: 0.01 })!;
    expect(r.forms.map((f) => f.rank)).toEqual([1, 1, 1, 1]);
    for (const f of r.forms) expect(f.error).toBeLessThan(1e-4); // only the 1e-5 damping of the refit
    // form 0: V 3x3 (4 nnz) on 8x8, U 1x1 (2 nnz) on 8x8, 64 scalings
    // form 1: V 1x1 (1 nnz) on the padded 10x10, U 3x3 (8 nnz) on 8x8, 100 scalings
    // form 2: V 1x3 (2 nnz) on 10x8, U 3x1 (4 nnz) on 8x8, 80 scalings; form 3 mirrors it
    expect(r.forms.map((f) => [f.adds, f.muls])).toEqual([[4 * 64 + 2 * 64, 64], [100 + 8 * 64, 100], [2 * 80 + 4 * 64, 80], [2 * 80 + 4 * 64, 80]]);
    expect(r.form).toBe(0);
  });
});
