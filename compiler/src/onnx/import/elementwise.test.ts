import { describe, expect, it } from 'vitest';
import { buildModel, float, floatTensor, node, rng, valueInfo, weight } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import type { NodeProto, TensorProto } from '../proto.js';
import { writeModel } from '../write.js';

const r = rng(41);

interface Case {
  title: string;
  opset?: number;
  x: number[];
  y: number[];
  inits?: TensorProto[];
  nodes: NodeProto[];
  ops: string[];
  extra?: Array<[string, number[]]>;
}

function run(c: Case): void {
  it(`${c.title}: ${c.ops.join(', ')}; matches onnxruntime`, async () => {
    const inputs = [['x', c.x] as [string, number[]], ...(c.extra ?? [])];
    const bytes = writeModel(buildModel({
      opset: c.opset ?? 13, inputs: inputs.map(([n, d]) => valueInfo(n, d)), outputs: [valueInfo('y', c.y)],
      initializers: c.inits ?? [], nodes: c.nodes,
    }));
    const res = await compareWithOrt(bytes, randomFeeds(inputs));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual(c.ops);
    expect(res.error).toBeLessThan(1e-5);
  });
}

describe('activations', () => {
  run({ title: 'Relu, Sigmoid, Tanh', x: [2, 5], y: [2, 5], nodes: [node('Relu', ['x'], ['a']), node('Sigmoid', ['a'], ['b']), node('Tanh', ['b'], ['y'])], ops: ['relu', 'sigmoid', 'tanh'] });
  run({ title: 'Clip with attributes (opset 9)', opset: 9, x: [2, 5], y: [2, 5], nodes: [node('Clip', ['x'], ['y'], { min: float(-0.2), max: float(0.3) })], ops: ['clip'] });
  run({ title: 'Clip with inputs (opset 13), max only', x: [2, 5], y: [2, 5], inits: [floatTensor('hi', [], [0.25])], nodes: [node('Clip', ['x', '', 'hi'], ['y'])], ops: ['clip'] });
  run({ title: 'Softmax opset 11 last axis', opset: 11, x: [3, 4], y: [3, 4], nodes: [node('Softmax', ['x'], ['y'], { axis: 1 })], ops: ['softmax'] });
  run({ title: 'Softmax opset 13 axis 1 of a rank-3 tensor', x: [2, 3, 4], y: [2, 3, 4], nodes: [node('Softmax', ['x'], ['y'], { axis: 1 })], ops: ['softmax'] });
});

describe('binary ops', () => {
  run({ title: 'Add of two computed tensors with broadcasting', x: [2, 3], y: [2, 3], extra: [['z', [1, 3]]], nodes: [node('Add', ['x', 'z'], ['y'])], ops: ['add'] });
  run({ title: 'Mul of two computed tensors', x: [2, 3], y: [2, 3], extra: [['z', [2, 3]]], nodes: [node('Mul', ['x', 'z'], ['y'])], ops: ['mul'] });
  run({
    title: 'Conv then Mul and Add by per-channel constants: folded', x: [1, 2, 4, 4], y: [1, 3, 4, 4],
    inits: [weight('W', [3, 2, 1, 1], r), weight('k', [1, 3, 1, 1], r), weight('c', [3, 1, 1], r)],
    nodes: [node('Conv', ['x', 'W'], ['a']), node('Mul', ['a', 'k'], ['b']), node('Add', ['c', 'b'], ['y'])], ops: ['conv2d'],
  });
  run({
    title: 'Sub and Div by constants after a Relu', x: [2, 3, 2, 2], y: [2, 3, 2, 2],
    inits: [weight('k', [3, 1, 1], r), floatTensor('d', [], [4])],
    nodes: [node('Relu', ['x'], ['a']), node('Sub', ['a', 'k'], ['b']), node('Div', ['b', 'd'], ['y'])], ops: ['relu', 'bias', 'scale'],
  });
  run({
    title: 'constant minus a computed tensor', x: [2, 4], y: [2, 4], inits: [weight('k', [4], r)],
    nodes: [node('Relu', ['x'], ['a']), node('Sub', ['k', 'a'], ['y'])], ops: ['relu', 'scale', 'bias'],
  });
});

describe('Identity and Dropout', () => {
  run({ title: 'Dropout (opset 12, ratio input) and Identity vanish', opset: 12, x: [2, 3], y: [2, 3], inits: [floatTensor('ratio', [], [0.5])], nodes: [node('Relu', ['x'], ['a']), node('Dropout', ['a', 'ratio'], ['b']), node('Identity', ['b'], ['c']), node('Tanh', ['c'], ['y'])], ops: ['relu', 'tanh'] });
  run({ title: 'Identity producing the graph output stays', x: [2, 3], y: [2, 3], nodes: [node('Relu', ['x'], ['a']), node('Identity', ['a'], ['y'])], ops: ['relu', 'identity'] });
});
