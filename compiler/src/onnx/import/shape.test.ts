import { describe, expect, it } from 'vitest';
import { buildModel, int64Tensor, node, valueInfo } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import type { NodeProto, TensorProto } from '../proto.js';
import { writeModel } from '../write.js';

function run(title: string, x: number[], y: number[], nodes: NodeProto[], ops: string[], inits: TensorProto[] = [], opset = 13, extra: Array<[string, number[]]> = []): void {
  it(`${title}: matches onnxruntime`, async () => {
    const inputs: Array<[string, number[]]> = [['x', x], ...extra];
    const bytes = writeModel(buildModel({ opset, inputs: inputs.map(([n, d]) => valueInfo(n, d)), outputs: [valueInfo('y', y)], initializers: inits, nodes }));
    const res = await compareWithOrt(bytes, randomFeeds(inputs));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual(ops);
    expect(res.module.values.get('y')!.shape).toEqual(y);
    expect(res.error).toBe(0);
  });
}

describe('shape ops', () => {
  run('Flatten axis 2', [2, 3, 4, 5], [6, 20], [node('Flatten', ['x'], ['y'], { axis: 2 })], ['flatten']);
  run('Flatten axis -1', [2, 3, 4], [6, 4], [node('Flatten', ['x'], ['y'], { axis: -1 })], ['flatten']);
  run('Reshape with 0 and -1', [2, 3, 4], [2, 4, 3], [node('Reshape', ['x', 's'], ['y'])], ['reshape'], [int64Tensor('s', [3], [0, -1, 3])]);
  run('Reshape from a Constant node (Paddle style)', [2, 6], [3, 4], [node('Constant', [], ['s'], { value: int64Tensor('v', [2], [3, 4]) }), node('Reshape', ['x', 's'], ['y'])], ['reshape']);
  run('Transpose default (reversed)', [2, 3, 4], [4, 3, 2], [node('Transpose', ['x'], ['y'])], ['transpose']);
  run('Transpose perm', [2, 3, 4, 5], [2, 4, 5, 3], [node('Transpose', ['x'], ['y'], { perm: [0, 2, 3, 1] })], ['transpose']);
  run('Concat axis -1', [2, 3], [2, 7], [node('Concat', ['x', 'z'], ['y'], { axis: -1 })], ['concat'], [], 13, [['z', [2, 4]]]);
  run('Unsqueeze (opset 13, axes input)', [2, 3], [2, 1, 3], [node('Unsqueeze', ['x', 'a'], ['y'])], ['reshape'], [int64Tensor('a', [1], [1])]);
  run('Squeeze (opset 11, axes attribute)', [2, 1, 3], [2, 3], [node('Squeeze', ['x'], ['y'], { axes: [1] })], ['reshape'], [], 11);
});
