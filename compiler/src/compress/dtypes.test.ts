import { describe, expect, it } from 'vitest';
import { verify } from '@tsvdc/ir';
import { importOnnx } from '../onnx/import/index.js';
import { readModel } from '../onnx/read.js';
import { DTYPE, type TensorProto } from '../onnx/proto.js';
import { buildModel, node, rng, valueInfo, weight } from '../onnx/testing/builder.js';
import { randomFeeds } from '../onnx/testing/compare.js';
import { writeModel } from '../onnx/write.js';
import { compareOutputs } from '../report/agreement.js';
import { reportModel } from '../report/index.js';
import { loadOrt } from '../report/ort.js';
import { compressModel } from './index.js';

/**
 * [Conv (+bias) -> Relu -> Flatten ->] Gemm (+bias) -> MatMul, every tensor of element type
 * `dtype`. onnxruntime has no float64 Conv on the CPU, so float64 gets the linear part only.
 */
function model(dtype: number, conv: boolean): Uint8Array {
  const r = rng(11);
  const t = (name: string, dims: number[]): TensorProto => weight(name, dims, r, 0.5, dtype);
  const head = conv ? [
    node('Conv', ['x', 'K', 'kb'], ['c'], { pads: [1, 1, 1, 1], strides: [2, 2] }, 'conv'), node('Relu', ['c'], ['a']), node('Flatten', ['a'], ['f']),
  ] : [];
  return writeModel(buildModel({
    inputs: [valueInfo('x', conv ? [2, 4, 6, 6] : [2, 72], dtype)], outputs: [valueInfo('y', [2, 10], dtype)],
    initializers: [...(conv ? [t('K', [8, 4, 3, 3]), t('kb', [8])] : []), t('W', [24, 72]), t('C', [24]), t('M', [24, 10])],
    nodes: [...head, node('Gemm', [conv ? 'f' : 'x', 'W', 'C'], ['g'], { transB: 1 }, 'fc'), node('MatMul', ['g', 'M'], ['y'], {}, 'mm')],
  }));
}

describe('compressing float64 and float16 models', () => {
  for (const [what, dtype, conv] of [['float64', DTYPE.DOUBLE, false], ['float16', DTYPE.FLOAT16, true]] as const) {
    it(`${what}: factors are cast to, and scales and biases stored in, the model's type; onnxruntime agrees with the original`, async () => {
      const bytes = model(dtype, conv);
      const res = await compressModel(readModel(bytes, { file: `${what}.onnx` }), { tol: 0.01, cosThresh: 0.8386, jobs: 0 });
      expect(res.layers.map((l) => l.node)).toEqual(conv ? ['conv', 'fc', 'mm'] : ['fc', 'mm']);
      const g = res.proto.graph!;
      expect(new Set(g.node.filter((n) => n.opType === 'Cast').map((n) => n.attribute[0]!.i))).toEqual(new Set([dtype]));
      expect(new Set(g.initializer.filter((i) => /\.tsvd\.(s|bias)$/.test(i.name!)).map((i) => i.dataType))).toEqual(new Set([dtype]));
      const feeds = randomFeeds([['x', conv ? [2, 4, 6, 6] : [2, 72]]]);
      const ya = (await (await loadOrt(bytes)).run(feeds)).y!;
      const yb = (await (await loadOrt(writeModel(res.proto))).run(feeds)).y!;
      expect(yb.dims).toEqual([2, 10]);
      const agree = compareOutputs(ya.data, yb.data, 10);
      // two or three layers at 1% operator-norm error each (float16 adds its own rounding)
      expect(agree.relErr).toBeLessThan(0.05);
      expect(agree.cosine).toBeGreaterThan(0.998);
      // and tsvdc reads it back: the errors recomputed against the original, the layers ternary
      const back = readModel(writeModel(res.proto), { file: 'back.onnx' });
      const rep = reportModel(back, readModel(bytes, { file: `${what}.onnx` }));
      for (const l of rep.layers) expect(l.error).toBeLessThan(0.01);
      const m = importOnnx(back);
      expect(verify(m, 'ternary')).toEqual([]);
      expect(m.nodes.filter((n) => n.op === 'tlinear' || n.op === 'tconv2d').map((n) => n.name)).toEqual(res.layers.map((l) => l.node));
    });
  }
});
