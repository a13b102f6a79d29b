import { describe, expect, it } from 'vitest';
import type { DenseConst, Module } from '@tsvdc/ir';
import { compressModel } from '../../compress/index.js';
import type { TensorProto } from '../proto.js';
import { readModel } from '../read.js';
import { buildModel, float, floatTensor, node, rng, valueInfo, weight } from '../testing/builder.js';
import { importOnnx } from './index.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import { writeModel } from '../write.js';

const r = rng(11);

describe('Gemm', () => {
  const cases = [
    { transA: 0, transB: 1, cDims: [5] },
    { transA: 0, transB: 0, cDims: [1, 5] },
    { transA: 1, transB: 1, cDims: [] },
    { transA: 1, transB: 0, cDims: undefined },
  ];
  for (const c of cases) {
    it(`transA=${c.transA} transB=${c.transB} C [${c.cDims ?? 'none'}] alpha 0.7 beta 1.3 matches onnxruntime`, async () => {
      const a = c.transA ? [4, 3] : [3, 4];
      const b = c.transB ? [5, 4] : [4, 5];
      const inits = [weight('B', b, r), ...(c.cDims ? [weight('C', c.cDims, r)] : [])];
      const bytes = writeModel(buildModel({
        inputs: [valueInfo('x', a)], outputs: [valueInfo('y', [3, 5])], initializers: inits,
        nodes: [node('Gemm', ['x', 'B', ...(c.cDims ? ['C'] : [])], ['y'], { transA: c.transA, transB: c.transB, alpha: float(0.7), beta: float(1.3) })],
      }));
      const res = await compareWithOrt(bytes, randomFeeds([['x', a]]));
      expect(res.diagnostics).toEqual([]);
      expect(res.module.nodes.map((n) => n.op)).toEqual(c.transA ? ['transpose', 'linear'] : ['linear']);
      expect(res.error).toBeLessThan(1e-5);
    });
  }
});

describe('MatMul with a constant operand', () => {
  it('x [2,3,4] @ B [4,6] + bias: the Add is folded into the linear', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [2, 3, 4])], outputs: [valueInfo('y', [2, 3, 6])],
      initializers: [weight('B', [4, 6], r), weight('b', [6], r)],
      nodes: [node('MatMul', ['x', 'B'], ['t']), node('Add', ['t', 'b'], ['y'])],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [2, 3, 4]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => [n.op, n.outputs[0], Object.keys(n.attrs).sort()])).toEqual([['linear', 'y', ['W', 'bias']]]);
    expect(res.error).toBeLessThan(1e-5);
  });

  it('A [3,4] @ x [4,5]: transposes around a linear', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [4, 5])], outputs: [valueInfo('y', [3, 5])],
      initializers: [weight('A', [3, 4], r)],
      nodes: [node('MatMul', ['A', 'x'], ['y'])],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [4, 5]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual(['transpose', 'linear', 'transpose']);
    expect(res.error).toBeLessThan(1e-5);
  });
});

describe('where weights live and how they are stored', () => {
  it('weights in Constant nodes (Paddle and older exporters) import and compress like initializers', async () => {
    const w = weight('w', [6, 4], r);
    const b = weight('b', [4], r);
    const bytes = writeModel(buildModel({
      opset: 11, inputs: [valueInfo('x', [2, 6])], outputs: [valueInfo('y', [2, 4])],
      nodes: [node('Constant', [], ['W'], { value: w }, 'const_w'), node('Constant', [], ['B'], { value: b }, 'const_b'), node('MatMul', ['x', 'W'], ['t'], {}, 'mm'), node('Add', ['t', 'B'], ['y'], {}, 'add')],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [2, 6]]]));
    expect(res.module.nodes.map((n) => [n.op, n.name])).toEqual([['linear', 'mm']]);
    expect(res.error).toBeLessThan(1e-5);
    const c = await compressModel(readModel(bytes, { file: 'paddle.onnx' }), { tol: 0.01, cosThresh: 0.8386, jobs: 0 });
    expect(c.layers.map((l) => l.node)).toEqual(['mm']);
    // the Constant holding the weight goes with the layer; the bias Constant is still read by the Add
    expect(c.proto.graph!.node.map((n) => n.opType)).toEqual(['Constant', 'Cast', 'MatMul', 'Mul', 'Cast', 'MatMul', 'Add']);
    expect((await compareWithOrt(writeModel(c.proto), randomFeeds([['x', [2, 6]]]))).error).toBeLessThan(1e-4);
  });

  it('FLOAT16 weights import as the same values as their FLOAT twin', () => {
    const halves = [1, -0.5, 0.25, 2, 0.125, -3, 0.75, 1.5];
    const f16 = { ...floatTensor('W', [2, 4], []), dataType: 10, rawData: undefined, int32Data: [0x3c00, 0xb800, 0x3400, 0x4000, 0x3000, 0xc200, 0x3a00, 0x3e00] };
    delete f16.rawData;
    const make = (t: TensorProto): Module => importOnnx(readModel(writeModel(buildModel({
      inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 2])], initializers: [t], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')],
    })), { file: 'h.onnx' }));
    const a = make(f16).consts.get('fc.W') as DenseConst;
    const b = make(floatTensor('W', [2, 4], halves)).consts.get('fc.W') as DenseConst;
    expect(Array.from(a.data)).toEqual(halves);
    expect(Array.from(b.data)).toEqual(halves);
  });

  it('a DOUBLE model keeps float64 weights and values', async () => {
    const w = { ...floatTensor('W', [3, 2], []), dataType: 11, doubleData: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6] };
    delete w.rawData;
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [1, 3], 11)], outputs: [valueInfo('y', [1, 2], 11)], initializers: [w], nodes: [node('MatMul', ['x', 'W'], ['y'], {}, 'mm')],
    }));
    const m = importOnnx(readModel(bytes, { file: 'd.onnx' }));
    expect(m.values.get('y')).toEqual({ shape: [1, 2], elem: { kind: 'float', bits: 64 } });
    expect((m.consts.get('mm.W') as DenseConst).data).toBeInstanceOf(Float64Array);
    expect(Array.from((m.consts.get('mm.W') as DenseConst).data)).toEqual([0.1, 0.3, 0.5, 0.2, 0.4, 0.6]);
  });
});
