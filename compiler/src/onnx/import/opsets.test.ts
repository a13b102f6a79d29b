import { describe, expect, it } from 'vitest';
import { buildModel, float, floatTensor, int64Tensor, node, rng, valueInfo, weight } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import type { NodeProto } from '../proto.js';
import { writeModel } from '../write.js';

const r = rng(51);

/**
 * One network written the way each opset spells it: Clip bounds (attributes before
 * 11, inputs after), Unsqueeze/Squeeze axes (attribute before 13, input after),
 * ReduceMean axes (attribute before 18, input after), Dropout ratio (attribute before 12).
 */
function network(opset: number): Uint8Array {
  const inits = [
    weight('W1', [8, 6], r), weight('b1', [8], r), weight('W2', [8, 4], r),
    floatTensor('bn_s', [8], Float32Array.from({ length: 8 }, () => 0.5 + Math.abs(r()))), weight('bn_b', [8], r),
    weight('bn_m', [8], r), floatTensor('bn_v', [8], Float32Array.from({ length: 8 }, () => 0.5 + Math.abs(r()))),
    floatTensor('two', [], [2]), floatTensor('eps', [], [1e-5]), floatTensor('lo', [], [-0.5]), floatTensor('hi', [], [0.5]),
    int64Tensor('axes1', [1], [1]), int64Tensor('last', [1], [-1]), int64Tensor('shape', [2], [0, -1]),
  ];
  const clip: NodeProto = opset < 11 ? node('Clip', ['bn'], ['c'], { min: float(-0.5), max: float(0.5) }) : node('Clip', ['bn', 'lo', 'hi'], ['c']);
  const unsq: NodeProto = opset < 13 ? node('Unsqueeze', ['c'], ['u'], { axes: [1] }) : node('Unsqueeze', ['c', 'axes1'], ['u']);
  const sq: NodeProto = opset < 13 ? node('Squeeze', ['u'], ['q'], { axes: [1] }) : node('Squeeze', ['u', 'axes1'], ['q']);
  const mean = (x: string, y: string): NodeProto => (opset < 18 ? node('ReduceMean', [x], [y], { axes: [-1] }) : node('ReduceMean', [x, 'last'], [y]));
  const dropout: NodeProto = opset < 12 ? node('Dropout', ['ln'], ['dr'], { ratio: float(0.1) }) : node('Dropout', ['ln'], ['dr']);
  return writeModel(buildModel({
    opset, inputs: [valueInfo('x', [3, 6])], outputs: [valueInfo('y', [3, 4])], initializers: inits,
    nodes: [
      node('Gemm', ['x', 'W1', 'b1'], ['g'], { transB: 1 }),
      node('BatchNormalization', ['g', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], ['bn']),
      clip, unsq, sq,
      mean('q', 'm'), node('Sub', ['q', 'm'], ['d']), node('Pow', ['d', 'two'], ['p']), mean('p', 'v'),
      node('Add', ['v', 'eps'], ['e']), node('Sqrt', ['e'], ['s']), node('Div', ['d', 's'], ['ln']),
      dropout, node('Reshape', ['dr', 'shape'], ['rs']),
      node('MatMul', ['rs', 'W2'], ['mm']), node('Softmax', ['mm'], ['y'], { axis: opset < 13 ? 1 : -1 }),
    ],
  }));
}

describe('opsets 9 to 21', () => {
  for (let opset = 9; opset <= 21; opset++) {
    it(`opset ${opset}: imports, verifies and matches onnxruntime`, async () => {
      const bytes = network(opset);
      const res = await compareWithOrt(bytes, randomFeeds([['x', [3, 6]]]));
      expect(res.diagnostics).toEqual([]);
      expect(res.module.nodes.map((n) => n.op)).toEqual(['linear', 'clip', 'reshape', 'reshape', 'layernorm', 'reshape', 'linear', 'softmax']);
      expect(res.error).toBeLessThan(1e-5);
    });
  }
});
