import { describe, expect, it } from 'vitest';
import { buildModel, node, valueInfo, type AttrInput } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import { writeModel } from '../write.js';

function run(title: string, op: string, x: number[], y: number[], attrs: Record<string, AttrInput>, irOp: string, opset = 13): void {
  it(`${op} ${title}: matches onnxruntime`, async () => {
    const bytes = writeModel(buildModel({ opset, inputs: [valueInfo('x', x)], outputs: [valueInfo('y', y)], nodes: [node(op, ['x'], ['y'], attrs)] }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', x]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual([irOp]);
    expect(res.module.values.get('y')!.shape).toEqual(y);
    expect(res.error).toBeLessThan(1e-6);
  });
}

describe('pooling', () => {
  run('2x2 stride 2', 'MaxPool', [1, 2, 6, 7], [1, 2, 3, 3], { kernel_shape: [2, 2], strides: [2, 2] }, 'maxpool2d');
  run('3x3 pads, dilations', 'MaxPool', [1, 2, 7, 7], [1, 2, 5, 5], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], dilations: [2, 2] }, 'maxpool2d');
  run('ceil_mode', 'MaxPool', [1, 1, 8, 6], [1, 1, 4, 3], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, 'maxpool2d');
  run('auto_pad SAME_UPPER', 'MaxPool', [1, 1, 5, 6], [1, 1, 3, 3], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, 'maxpool2d');
  run('count_include_pad 0', 'AveragePool', [1, 2, 5, 5], [1, 2, 5, 5], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'avgpool2d');
  run('count_include_pad 1', 'AveragePool', [1, 2, 5, 5], [1, 2, 5, 5], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }, 'avgpool2d');
  run('ceil_mode', 'AveragePool', [1, 1, 8, 6], [1, 1, 4, 3], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }, 'avgpool2d');
  run('', 'GlobalAveragePool', [2, 3, 4, 5], [2, 3, 1, 1], {}, 'globalavgpool');
});

describe('ceil_mode drops a window that would start in the end padding', () => {
  run('(H 6, k 2, s 2, end pad 1)', 'MaxPool', [1, 1, 6, 6], [1, 1, 3, 3], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 }, 'maxpool2d');
});
