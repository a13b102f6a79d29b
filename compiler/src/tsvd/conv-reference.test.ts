import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor4 } from './conv-reference.js';
import { conv2dRef, convTranspose2dRef, pad2d, tensor4 } from './conv-reference.js';
import { convOutSize } from '@tsvdc/ir';

const t4 = (shape: [number, number, number, number], values: number[]): Tensor4 => tensor4(shape, Float64Array.from(values));
const rand = (shape: [number, number, number, number], seed: number): Tensor4 => {
  let st = seed >>> 0 || 1;
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    st = (Math.imul(st, 1664525) + 1013904223) >>> 0;
    data[i] = (st / 2 ** 32) * 2 - 1;
  }
  return tensor4(shape, data);
};
const dot = (a: Tensor4, b: Tensor4): number => a.data.reduce((acc, v, i) => acc + v * b.data[i]!, 0);

describe('conv2dRef golden cases', () => {
  it('3x3 input, 2x2 kernel, no padding', () => {
    const x = t4([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = t4([1, 1, 2, 2], [1, 0, 0, -1]);
    // y[i,j] = x[i,j] - x[i+1,j+1]
    expect(Array.from(conv2dRef(x, w).data)).toEqual([-4, -4, -4, -4]);
  });
  it('stride 2, pads [1,1,1,1], two output channels', () => {
    const x = t4([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const w = t4([2, 1, 3, 3], [0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const y = conv2dRef(x, w, { strides: [2, 2], pads: [1, 1, 1, 1] });
    expect(y.shape).toEqual([1, 2, 2, 2]);
    // channel 0 picks the centre: x[0,0], x[0,2], x[2,0], x[2,2]; channel 1 sums each 3x3 window
    expect(Array.from(y.data)).toEqual([1, 3, 7, 9, 12, 16, 24, 28]);
  });
  it('groups split the channels', () => {
    const x = t4([1, 2, 1, 2], [1, 2, 10, 20]);
    const w = t4([2, 1, 1, 1], [3, -1]);
    expect(Array.from(conv2dRef(x, w, { groups: 2 }).data)).toEqual([3, 6, -10, -20]);
  });
  it('dilation 2 on W only', () => {
    const x = t4([1, 1, 1, 5], [1, 2, 3, 4, 5]);
    const w = t4([1, 1, 1, 2], [1, 1]);
    expect(Array.from(conv2dRef(x, w, { dilations: [1, 2] }).data)).toEqual([4, 6, 8]);
  });
  it('convTranspose golden: stride 2 scatters each pixel', () => {
    const x = t4([1, 1, 1, 2], [1, 10]);
    const w = t4([1, 1, 1, 3], [1, 2, 3]);
    const y = convTranspose2dRef(x, w, { strides: [1, 2] });
    expect(Array.from(y.data)).toEqual([1, 2, 13, 20, 30]);
    const cropped = convTranspose2dRef(x, w, { strides: [1, 2], pads: [0, 1, 0, 0], outputPadding: [0, 1] });
    expect(Array.from(cropped.data)).toEqual([2, 13, 20, 30, 0]);
  });
});

describe('conv2dRef against tfjs conv2d (an independent implementation)', () => {
  it('matches on random convs without groups', () => {
    fc.assert(
      fc.property(
        fc.record({
          c: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 1, max: 3 }),
          h: fc.integer({ min: 3, max: 8 }), w: fc.integer({ min: 3, max: 8 }),
          k1: fc.integer({ min: 1, max: 3 }), k2: fc.integer({ min: 1, max: 3 }),
          stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          dil: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
          dilate: fc.boolean(), seed: fc.nat(),
        }),
        (p) => {
          // tfjs refuses strides > 1 together with dilations > 1
          const strides = p.dilate ? [1, 1] : p.stride;
          const dilations = p.dilate ? p.dil : [1, 1];
          const ho = convOutSize(p.h, p.k1, strides[0]!, dilations[0]!, p.pads[0], p.pads[2]);
          const wo = convOutSize(p.w, p.k2, strides[1]!, dilations[1]!, p.pads[1], p.pads[3]);
          fc.pre(ho > 0 && wo > 0);
          const x = rand([1, p.c, p.h, p.w], p.seed);
          const w = rand([p.m, p.c, p.k1, p.k2], p.seed + 7);
          const ours = conv2dRef(x, w, { strides, dilations, pads: p.pads });
          const theirs = tf.tidy(() => {
            const xt = tf.tensor4d(Float32Array.from(x.data), [1, p.c, p.h, p.w]).transpose([0, 2, 3, 1]);
            const wt = tf.tensor4d(Float32Array.from(w.data), [p.m, p.c, p.k1, p.k2]).transpose([2, 3, 1, 0]);
            const pad: [[number, number], [number, number], [number, number], [number, number]] =
              [[0, 0], [p.pads[0], p.pads[2]], [p.pads[1], p.pads[3]], [0, 0]];
            return tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, strides as [number, number], pad, 'NHWC', dilations as [number, number])
              .transpose([0, 3, 1, 2]).dataSync();
          });
          expect(ours.shape).toEqual([1, p.m, ho, wo]);
          theirs.forEach((v, i) => expect(ours.data[i]).toBeCloseTo(v, 4));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('convTranspose2dRef is the adjoint of conv2dRef', () => {
  it('<convT(y), x> = <y, conv(x)> for random geometry and groups', () => {
    fc.assert(
      fc.property(
        fc.record({
          g: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 2 }), mg: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 2, max: 7 }), w: fc.integer({ min: 2, max: 7 }),
          k1: fc.integer({ min: 1, max: 3 }), k2: fc.integer({ min: 1, max: 3 }),
          s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          d: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
          pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)), seed: fc.nat(),
        }),
        (p) => {
          const attrs = { groups: p.g, strides: p.s, dilations: p.d, pads: p.pads };
          const ho = convOutSize(p.h, p.k1, p.s[0], p.d[0], p.pads[0], p.pads[2]);
          const wo = convOutSize(p.w, p.k2, p.s[1], p.d[1], p.pads[1], p.pads[3]);
          fc.pre(ho > 0 && wo > 0);
          // conv maps C = g*cg channels to M = g*mg; its weight [M, cg, K1, K2] is the
          // ConvTranspose weight [M, cg, ...] mapping M channels back to C
          const w = rand([p.g * p.mg, p.cg, p.k1, p.k2], p.seed);
          const x = rand([1, p.g * p.cg, p.h, p.w], p.seed + 1);
          const y = rand([1, p.g * p.mg, ho, wo], p.seed + 2);
          // output padding recovers the rows the conv's floor division dropped
          const full = (n: number, k: number, s: number, d: number, a: number, b: number): number => s * (n - 1) + (k - 1) * d + 1 - a - b;
          const outputPadding = [p.h - full(ho, p.k1, p.s[0], p.d[0], p.pads[0], p.pads[2]), p.w - full(wo, p.k2, p.s[1], p.d[1], p.pads[1], p.pads[3])];
          const back = convTranspose2dRef(y, w, { ...attrs, outputPadding });
          expect(back.shape).toEqual(x.shape);
          expect(dot(back, x)).toBeCloseTo(dot(y, conv2dRef(x, w, attrs)), 9);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('pad2d with negative pads crops', () => {
    const x = t4([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
    expect(Array.from(pad2d(x, [0, -1, -1, 0]).data)).toEqual([2, 3]);
  });
});
