import { describe, expect, it } from 'vitest';
import { buildModel, node, rng, valueInfo, weight, type AttrInput } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import { writeModel } from '../write.js';

const r = rng(21);

function convModel(op: 'Conv' | 'ConvTranspose', x: number[], w: number[], attrs: Record<string, AttrInput>, bias: boolean, outShape: number[]): Uint8Array {
  const cout = op === 'Conv' ? w[0]! : w[1]! * ((attrs['group'] as number | undefined) ?? 1);
  return writeModel(buildModel({
    inputs: [valueInfo('x', x)], outputs: [valueInfo('y', outShape)],
    initializers: [weight('W', w, r), ...(bias ? [weight('B', [cout], r)] : [])],
    nodes: [node(op, ['x', 'W', ...(bias ? ['B'] : [])], ['y'], attrs)],
  }));
}

describe('Conv', () => {
  const cases: Array<[string, number[], number[], Record<string, AttrInput>, boolean, number[]]> = [
    ['pads, bias', [2, 3, 7, 6], [4, 3, 3, 3], { pads: [1, 0, 2, 1] }, true, [2, 4, 8, 5]],
    ['strides 2, dilations 2, no bias', [1, 2, 9, 9], [3, 2, 3, 2], { strides: [2, 2], dilations: [2, 2] }, false, [1, 3, 3, 4]],
    ['groups 2', [1, 4, 5, 5], [6, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] }, true, [1, 6, 5, 5]],
    ['depthwise', [1, 3, 5, 5], [3, 1, 3, 3], { group: 3 }, true, [1, 3, 3, 3]],
    ['auto_pad SAME_UPPER, stride 2', [1, 2, 7, 6], [2, 2, 4, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, true, [1, 2, 4, 3]],
    ['auto_pad SAME_LOWER, stride 2', [1, 2, 7, 6], [2, 2, 4, 3], { auto_pad: 'SAME_LOWER', strides: [2, 2] }, true, [1, 2, 4, 3]],
    ['auto_pad VALID', [1, 2, 6, 6], [2, 2, 3, 3], { auto_pad: 'VALID' }, false, [1, 2, 4, 4]],
  ];
  for (const [title, x, w, attrs, bias, out] of cases) {
    it(`${title}: matches onnxruntime`, async () => {
      const res = await compareWithOrt(convModel('Conv', x, w, attrs, bias, out), randomFeeds([['x', x]]));
      expect(res.diagnostics).toEqual([]);
      expect(res.module.values.get('y')!.shape).toEqual(out);
      expect(res.error).toBeLessThan(1e-5);
    });
  }
});

describe('ConvTranspose', () => {
  const cases: Array<[string, number[], number[], Record<string, AttrInput>, boolean, number[]]> = [
    ['strides 2, pads, output_padding', [1, 3, 4, 5], [3, 2, 3, 3], { strides: [2, 2], pads: [1, 0, 1, 1], output_padding: [1, 0] }, true, [1, 2, 8, 10]],
    ['groups 2, dilations 2', [1, 4, 3, 3], [4, 3, 2, 2], { group: 2, dilations: [2, 2] }, true, [1, 6, 5, 5]],
    ['auto_pad SAME_UPPER', [1, 2, 3, 4], [2, 2, 3, 3], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, false, [1, 2, 6, 8]],
    ['auto_pad SAME_LOWER', [1, 2, 3, 4], [2, 2, 4, 4], { auto_pad: 'SAME_LOWER', strides: [2, 2] }, false, [1, 2, 6, 8]],
    ['output_shape', [1, 2, 3, 3], [2, 1, 3, 3], { strides: [2, 2], output_shape: [6, 6] }, true, [1, 1, 6, 6]],
  ];
  for (const [title, x, w, attrs, bias, out] of cases) {
    it(`${title}: matches onnxruntime`, async () => {
      const res = await compareWithOrt(convModel('ConvTranspose', x, w, attrs, bias, out), randomFeeds([['x', x]]));
      expect(res.diagnostics).toEqual([]);
      expect(res.module.values.get('y')!.shape).toEqual(out);
      expect(res.error).toBeLessThan(1e-5);
    });
  }
});
