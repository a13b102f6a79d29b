import { describe, expect, it } from 'vitest';
import { buildModel, float, floatTensor, node, rng, valueInfo, weight } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import { DTYPE, type NodeProto, type TensorProto } from '../proto.js';
import { writeModel } from '../write.js';

const r = rng(31);

function bn(prefix: string, c: number): TensorProto[] {
  const positive = Float32Array.from({ length: c }, () => 0.5 + Math.abs(r()));
  return [weight(`${prefix}s`, [c], r), weight(`${prefix}b`, [c], r), weight(`${prefix}m`, [c], r), floatTensor(`${prefix}v`, [c], positive)];
}
const bnNode = (x: string, y: string, p: string): NodeProto => node('BatchNormalization', [x, `${p}s`, `${p}b`, `${p}m`, `${p}v`], [y], { epsilon: float(1e-3) });

describe('BatchNormalization', () => {
  it('after a Conv without bias: folded into the conv', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [1, 2, 5, 5])], outputs: [valueInfo('y', [1, 4, 5, 5])],
      initializers: [weight('W', [4, 2, 3, 3], r), ...bn('n', 4)],
      nodes: [node('Conv', ['x', 'W'], ['t'], { pads: [1, 1, 1, 1] }), bnNode('t', 'y', 'n')],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [1, 2, 5, 5]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => [n.op, n.outputs[0]])).toEqual([['conv2d', 'y']]);
    expect([...res.module.consts.keys()].sort()).toEqual(['Conv_t.W', 'Conv_t.bias']);
    expect(res.error).toBeLessThan(1e-5);
  });

  it('after a grouped ConvTranspose: folded per output channel', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [1, 4, 3, 3])], outputs: [valueInfo('y', [1, 6, 6, 6])],
      initializers: [weight('W', [4, 3, 2, 2], r), weight('B', [6], r), ...bn('n', 6)],
      nodes: [node('ConvTranspose', ['x', 'W', 'B'], ['t'], { group: 2, strides: [2, 2] }), bnNode('t', 'y', 'n')],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [1, 4, 3, 3]]]));
    expect(res.module.nodes.map((n) => n.op)).toEqual(['convtranspose2d']);
    expect(res.error).toBeLessThan(1e-5);
  });

  it('after a Gemm (PyTorch Linear + BatchNorm1d): folded into the linear', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [3, 6])], outputs: [valueInfo('y', [3, 5])],
      initializers: [weight('W', [5, 6], r), weight('B', [5], r), ...bn('n', 5)],
      nodes: [node('Gemm', ['x', 'W', 'B'], ['t'], { transB: 1 }), bnNode('t', 'y', 'n')],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [3, 6]]]));
    expect(res.module.nodes.map((n) => n.op)).toEqual(['linear']);
    expect(res.error).toBeLessThan(1e-5);
  });

  it('after a Relu, NCHW: a scale and a bias node', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [2, 3, 4, 4])], outputs: [valueInfo('y', [2, 3, 4, 4])],
      initializers: bn('n', 3),
      nodes: [node('Relu', ['x'], ['t']), bnNode('t', 'y', 'n')],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [2, 3, 4, 4]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual(['relu', 'scale', 'bias']);
    expect(res.error).toBeLessThan(1e-5);
  });

  it('a conv output read twice is not folded into', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [1, 2, 4, 4])], outputs: [valueInfo('y', [1, 2, 4, 4]), valueInfo('t', [1, 2, 4, 4])],
      initializers: [weight('W', [2, 2, 1, 1], r), ...bn('n', 2)],
      nodes: [node('Conv', ['x', 'W'], ['t']), bnNode('t', 'y', 'n')],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [1, 2, 4, 4]]]));
    expect(res.module.nodes.map((n) => n.op)).toEqual(['conv2d', 'scale', 'bias']);
    expect(res.error).toBeLessThan(1e-5);
  });
});

describe('LayerNormalization', () => {
  it('opset 17 LayerNormalization over the last axis', async () => {
    const bytes = writeModel(buildModel({
      opset: 17, inputs: [valueInfo('x', [2, 3, 8])], outputs: [valueInfo('y', [2, 3, 8])],
      initializers: [weight('g', [8], r), weight('b', [8], r)],
      nodes: [node('LayerNormalization', ['x', 'g', 'b'], ['y'], { axis: -1, epsilon: float(1e-4) })],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [2, 3, 8]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual(['layernorm']);
    expect(res.error).toBeLessThan(1e-5);
  });

  /** The decomposed pattern over x [2, 6] reading g, b and eps (made by `pre`, or initializers): one layernorm, as onnxruntime computes. */
  async function oneLayerNorm(initializers: TensorProto[], pre: NodeProto[] = []): Promise<void> {
    const bytes = writeModel(buildModel({
      opset: 13, inputs: [valueInfo('x', [2, 6])], outputs: [valueInfo('y', [2, 6])], initializers: [...initializers, floatTensor('two', [], [2])],
      nodes: [
        ...pre, node('ReduceMean', ['x'], ['m'], { axes: [-1] }), node('Sub', ['x', 'm'], ['d']), node('Pow', ['d', 'two'], ['p']),
        node('ReduceMean', ['p'], ['v'], { axes: [-1] }), node('Add', ['v', 'eps'], ['e']), node('Sqrt', ['e'], ['s']),
        node('Div', ['d', 's'], ['n']), node('Mul', ['n', 'g'], ['ng']), node('Add', ['ng', 'b'], ['y']),
      ],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [2, 6]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => [n.op, n.outputs[0]])).toEqual([['layernorm', 'y']]);
    expect(res.error).toBeLessThan(1e-5);
  }

  it('the decomposed pattern (ReduceMean .. Div, Mul gamma, Add beta) becomes one layernorm', async () => {
    await oneLayerNorm([weight('g', [6], r), weight('b', [6], r), floatTensor('eps', [], [1e-5])]);
  });

  it('the decomposed pattern with float16 gamma and beta behind Casts and epsilon behind an Identity (folded constants)', async () => {
    await oneLayerNorm([weight('g16', [6], r, 0.5, DTYPE.FLOAT16), weight('b16', [6], r, 0.5, DTYPE.FLOAT16), floatTensor('eps0', [], [1e-5])], [
      node('Cast', ['g16'], ['g'], { to: DTYPE.FLOAT }), node('Cast', ['b16'], ['b'], { to: DTYPE.FLOAT }), node('Identity', ['eps0'], ['eps']),
    ]);
  });
});
