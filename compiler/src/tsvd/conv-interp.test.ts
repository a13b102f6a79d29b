/**
 * decomposeConv's result as the IR op tconv2d, run by the reference interpreter
 * (ir/src/interp), against a conv2d module holding W_approx: the mapping onto the
 * IR's documented semantics, checked by the IR's own executable definition.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convOutSize, dense, F64, interpret, verify } from '@tsvdc/ir';
import { ModuleBuilder } from '@tsvdc/ir/testing/models';
import type { ConvForm } from './conv-forms.js';
import { convWeightFromFactors } from './conv-forms.js';
import { decomposeConv } from './conv.js';

const lcg = (seed: number): (() => number) => {
  let st = seed >>> 0 || 1;
  return () => ((st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
};

describe('decomposeConv as IR: interpret(tconv2d) == interpret(conv2d with W_approx)', () => {
  it('for every form, groups, strides, dilations, pads and non-square kernels', () => {
    fc.assert(
      fc.property(
        fc.record({
          g: fc.integer({ min: 1, max: 2 }), mg: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 3 }),
          k1: fc.integer({ min: 1, max: 3 }), k2: fc.integer({ min: 1, max: 3 }),
          s: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
          h: fc.integer({ min: 3, max: 7 }), w: fc.integer({ min: 3, max: 7 }), bias: fc.boolean(),
          form: fc.constantFrom<ConvForm>(0, 1, 2, 3), tol: fc.constantFrom(0.05, 0.2), seed: fc.nat(),
        }),
        (p) => {
          fc.pre(p.mg * p.cg * p.k1 * p.k2 > 9);
          fc.pre(convOutSize(p.h, p.k1, p.s[0], p.d[0], p.pads[0], p.pads[2]) > 0 && convOutSize(p.w, p.k2, p.s[1], p.d[1], p.pads[1], p.pads[3]) > 0);
          const rnd = lcg(p.seed);
          const shape = [p.g * p.mg, p.cg, p.k1, p.k2];
          const W = { shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rnd) };
          const r = decomposeConv(W, { groups: p.g, strides: p.s, dilations: p.d, pads: p.pads }, { tol: p.tol, forms: [p.form], seed: p.seed })!;
          const bias = dense([shape[0]!], Float64Array.from({ length: shape[0]! }, rnd));
          const xShape = [2, p.g * p.cg, p.h, p.w];

          const t = new ModuleBuilder('tsvd', 'ternary');
          const tx = t.input(xShape, F64, 'x');
          t.output(t.op('tconv2d', [tx], {
            U: t.constant('U', r.U), s: t.constant('s', dense([r.s.length], r.s)), V: t.constant('V', r.V),
            ...(p.bias ? { bias: t.constant('b', bias) } : {}),
            form: r.form, groups: p.g, pads: r.pads, vStrides: r.vStrides, vDilations: r.vDilations, uStrides: r.uStrides, uDilations: r.uDilations,
          }));
          const tm = t.build();
          expect(verify(tm, 'ternary')).toEqual([]);

          const approx = convWeightFromFactors(r, p.g);
          const d = new ModuleBuilder('dense', 'graph');
          const dx = d.input(xShape, F64, 'x');
          d.output(d.op('conv2d', [dx], {
            W: d.constant('W', dense(approx.shape, approx.data)), ...(p.bias ? { bias: d.constant('b', bias) } : {}),
            groups: p.g, strides: p.s, dilations: p.d, pads: p.pads,
          }));
          const dm = d.build();

          const x = { shape: xShape, data: Float64Array.from({ length: xShape.reduce((a, b) => a * b, 1) }, rnd) };
          const a = Object.values(interpret(tm, { x }, { mode: 'f64' }))[0]!;
          const b = Object.values(interpret(dm, { x }, { mode: 'f64' }))[0]!;
          expect(a.shape).toEqual(b.shape);
          const scale = Math.max(1, ...Array.from(b.data, Math.abs));
          a.data.forEach((v, i) => expect(Math.abs(v - b.data[i]!)).toBeLessThan(1e-9 * scale));
        },
      ),
      { numRuns: 200 },
    );
  });
});
