import { describe, expect, it } from 'vitest';
import { buildModel, float, int64Tensor, node, rng, valueInfo, weight } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import { importError } from '../testing/errors.js';
import { DTYPE, type NodeProto, type TensorProto } from '../proto.js';
import { writeModel } from '../write.js';

const r = rng(17);

interface Case {
  title: string;
  opset?: number;
  /** Shape of x; a string is a dynamic (batch) dimension, given `batch` rows by the feeds. */
  x: Array<number | string>;
  y: Array<number | string>;
  inits?: TensorProto[];
  nodes: NodeProto[];
  ops: string[];
  batch?: number;
}

const concrete = (s: Array<number | string>, batch: number): number[] => s.map((d) => (typeof d === 'string' ? batch : d));

function run(c: Case): void {
  it(`${c.title}: ${c.ops.join(', ')}; matches onnxruntime`, async () => {
    const bytes = writeModel(buildModel({ opset: c.opset ?? 13, inputs: [valueInfo('x', c.x)], outputs: [valueInfo('y', c.y)], initializers: c.inits ?? [], nodes: c.nodes }));
    const dynamic = c.x.some((d) => typeof d === 'string');
    const res = await compareWithOrt(bytes, randomFeeds([['x', concrete(c.x, c.batch ?? 3)]]), { dynamicBatch: dynamic });
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual(c.ops);
    expect(res.module.values.get('y')!.shape).toEqual(c.y.map((d) => (typeof d === 'string' ? -1 : d)));
    expect(res.error).toBeLessThan(1e-5);
  });
}

const half = (name: string, dims: number[]): TensorProto => weight(name, dims, r, 0.5, DTYPE.FLOAT16);

describe('constant folding', () => {
  run({
    title: 'float16 weights behind Casts (Gemm weight and bias)', x: [2, 6], y: [2, 4],
    inits: [half('W16', [4, 6]), half('b16', [4])],
    nodes: [node('Cast', ['W16'], ['W'], { to: DTYPE.FLOAT }), node('Cast', ['b16'], ['b'], { to: DTYPE.FLOAT }), node('Gemm', ['x', 'W', 'b'], ['y'], { transB: 1 })],
    ops: ['linear'],
  });
  run({
    title: 'a weight behind an Identity, a Cast of a computed tensor to FLOAT', x: [2, 6], y: [2, 4], inits: [weight('W', [6, 4], r)],
    nodes: [node('Identity', ['W'], ['Wi']), node('Cast', ['x'], ['xc'], { to: DTYPE.FLOAT }), node('MatMul', ['xc', 'Wi'], ['y'])], ops: ['linear'],
  });
  const flatten = (x: string, out: string): NodeProto[] => [
    node('Shape', [x], ['shape']), node('Gather', ['shape', 'zero'], ['n'], { axis: 0 }), node('Unsqueeze', ['n'], ['n1'], { axes: [0] }),
    node('Concat', ['n1', 'minus1'], ['target'], { axis: 0 }), node('Reshape', [x, 'target'], [out]),
  ];
  const shapeConsts = [int64Tensor('zero', [], [0]), int64Tensor('minus1', [1], [-1])];
  run({
    title: 'x.view(x.size(0), -1) as older PyTorch exports it, dynamic batch', opset: 11, x: ['n', 2, 3, 3], y: ['n', 5],
    inits: [...shapeConsts, weight('W', [5, 18], r)],
    nodes: [node('Relu', ['x'], ['a']), ...flatten('a', 'f'), node('Gemm', ['f', 'W'], ['y'], { transB: 1 })], ops: ['relu', 'reshape', 'linear'],
  });
  run({
    title: 'the same with a fixed batch', opset: 11, x: [2, 2, 3, 3], y: [2, 5], inits: [...shapeConsts, weight('W', [5, 18], r)],
    nodes: [node('Relu', ['x'], ['a']), ...flatten('a', 'f'), node('Gemm', ['f', 'W'], ['y'], { transB: 1 })], ops: ['relu', 'reshape', 'linear'],
  });
  it('a dynamic batch size used anywhere but in place: TSVDC209 saying so', () => {
    const e = importError({
      opset: 11, inputs: [valueInfo('x', ['n', 6])], outputs: [valueInfo('y', [6, 'n'])], initializers: shapeConsts,
      nodes: [
        node('Shape', ['x'], ['shape']), node('Gather', ['shape', 'zero'], ['n'], { axis: 0 }), node('Unsqueeze', ['n'], ['n1'], { axes: [0] }),
        node('Concat', ['minus1', 'n1'], ['target'], { axis: 0 }), node('Reshape', ['x', 'target'], ['y'], {}, 'swap'),
      ],
    }, 'dyn.onnx');
    expect(e.message).toBe('dyn.onnx: TSVDC209: 1 node cannot be imported: "swap" (Reshape: target dimension 1 is dimension 0 of "x", which is dynamic (tsvdc copies a dynamic dimension only in place))');
  });
  it('Squeeze of a constant on an axis that is not 1: the same TSVDC210 as Squeeze of a computed tensor', () => {
    const squeezeOf = (what: string): NodeProto[] => [node('Squeeze', [what], ['s'], { axes: [0] }, 'sq'), node('Relu', ['s'], ['y'])];
    const io = { opset: 11, inputs: [valueInfo('x', [2, 3])], outputs: [valueInfo('y', [3])] };
    const computed = importError({ ...io, nodes: squeezeOf('x') });
    const folded = importError({ ...io, initializers: [weight('C', [2, 3], r)], nodes: squeezeOf('C') });
    expect(computed.message).toBe('bad.onnx: TSVDC210: Squeeze: cannot squeeze axis 0 of size 2 (node "sq")');
    expect(folded.message).toBe(computed.message);
  });

  it('Concat of constants without an axis: the same TSVDC211 as Concat of computed tensors', () => {
    const concatOf = (what: string): NodeProto[] => [node('Concat', [what, what], ['s'], {}, 'cat'), node('Relu', ['s'], ['y'])];
    const io = { inputs: [valueInfo('x', [2, 3])], outputs: [valueInfo('y', [4, 3])] };
    const computed = importError({ ...io, nodes: concatOf('x') });
    const folded = importError({ ...io, initializers: [weight('C', [2, 3], r)], nodes: concatOf('C') });
    expect(computed.message).toBe('bad.onnx: TSVDC211: Concat: attribute axis is required (node "cat")');
    expect(folded.message).toBe(computed.message);
  });
});

describe('LeakyRelu, ReduceMean, old Softmax', () => {
  run({ title: 'LeakyRelu (alpha 0.2) on NCHW', x: [2, 3, 2, 2], y: [2, 3, 2, 2], nodes: [node('LeakyRelu', ['x'], ['y'], { alpha: float(0.2) })], ops: ['relu', 'scale', 'relu', 'scale', 'add'] });
  run({ title: 'LeakyRelu (default alpha) after a Gemm', x: [2, 6], y: [2, 4], inits: [weight('W', [4, 6], r)], nodes: [node('Gemm', ['x', 'W'], ['h'], { transB: 1 }), node('LeakyRelu', ['h'], ['y'])], ops: ['linear', 'relu', 'scale', 'relu', 'scale', 'add'] });
  run({ title: 'ReduceMean over H, W (keepdims)', x: [2, 3, 4, 5], y: [2, 3, 1, 1], nodes: [node('ReduceMean', ['x'], ['y'], { axes: [2, 3] })], ops: ['globalavgpool'] });
  run({ title: 'ReduceMean over -1, -2 without keepdims (opset 18 axes input)', opset: 18, x: [2, 3, 4, 5], y: [2, 3], inits: [int64Tensor('ax', [2], [-1, -2])], nodes: [node('ReduceMean', ['x', 'ax'], ['y'], { keepdims: 0 })], ops: ['globalavgpool', 'flatten'] });
  run({ title: 'Softmax opset 11 over axis 1 of NCHW (flattens C, H, W)', opset: 11, x: [2, 3, 2, 2], y: [2, 3, 2, 2], nodes: [node('Softmax', ['x'], ['y'], { axis: 1 })], ops: ['flatten', 'softmax', 'reshape'] });
  run({ title: 'Softmax opset 11 over axis 1 of a rank-3 tensor, dynamic batch', opset: 11, x: ['n', 3, 4], y: ['n', 3, 4], nodes: [node('Softmax', ['x'], ['y'], { axis: 1 })], ops: ['flatten', 'softmax', 'reshape'] });
});
