import { describe, expect, it } from 'vitest';
import { verify } from '@tsvdc/ir';
import { readModel } from '../onnx/read.js';
import { buildModel, float, floatTensor, node, rng, valueInfo, weight, type AttrInput } from '../onnx/testing/builder.js';
import { compareWithOrt, randomFeeds } from '../onnx/testing/compare.js';
import type { NodeProto, TensorProto } from '../onnx/proto.js';
import { writeModel } from '../onnx/write.js';
import { compareOutputs } from '../report/agreement.js';
import { loadOrt } from '../report/ort.js';
import { readTsvdMeta } from '../onnx/tsvd-meta.js';
import { compressModel } from './index.js';

const r = rng(61);
const TOL = 0.01;

interface Case {
  title: string;
  x: number[];
  y: number[];
  inits: TensorProto[];
  nodes: NodeProto[];
  /** IR op the compressed layer re-imports as. */
  op: string;
}

function layer(op: string, x: number[], w: number[], attrs: Record<string, AttrInput>, y: number[], bias: number | undefined, irOp: string, title: string): Case {
  return {
    title, x, y, op: irOp,
    inits: [weight('W', w, r), ...(bias !== undefined ? [weight('B', [bias], r)] : [])],
    nodes: [node(op, ['x', 'W', ...(bias !== undefined ? ['B'] : [])], ['y'], attrs, 'layer')],
  };
}

const CASES: Case[] = [
  layer('Gemm', [3, 12], [12, 10], { transA: 0, alpha: float(0.5), beta: float(2) }, [3, 10], 10, 'tlinear', 'Gemm alpha 0.5 beta 2, B not transposed'),
  layer('Gemm', [12, 3], [10, 12], { transA: 1, transB: 1 }, [3, 10], undefined, 'tlinear', 'Gemm transA'),
  layer('MatMul', [2, 5, 12], [12, 9], {}, [2, 5, 9], undefined, 'tlinear', 'MatMul on a rank-3 input'),
  layer('Conv', [1, 4, 9, 8], [6, 2, 3, 3], { group: 2, strides: [2, 2], auto_pad: 'SAME_UPPER' }, [1, 6, 5, 4], 6, 'tconv2d', 'Conv groups 2, stride 2, SAME_UPPER'),
  layer('Conv', [1, 3, 10, 10], [8, 3, 3, 5], { dilations: [2, 1], pads: [1, 2, 0, 1] }, [1, 8, 7, 9], 8, 'tconv2d', 'Conv 3x5 kernel, dilations, uneven pads'),
  layer('ConvTranspose', [1, 4, 5, 4], [4, 3, 3, 3], { strides: [2, 2], pads: [1, 1, 0, 1] }, [1, 3, 10, 7], 3, 'convtranspose2d', 'ConvTranspose stride 2, pads'),
  layer('ConvTranspose', [1, 4, 3, 3], [4, 2, 2, 2], { group: 2, strides: [2, 2] }, [1, 4, 6, 6], undefined, 'convtranspose2d', 'ConvTranspose groups 2'),
];

describe(`compressed forms at tol ${TOL} compute U diag(s) V in onnxruntime and in the IR`, () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const spec = { inputs: [valueInfo('x', c.x)], outputs: [valueInfo('y', c.y)], initializers: c.inits, nodes: c.nodes };
      const bytes = writeModel(buildModel(spec));
      const res = await compressModel(readModel(bytes, { file: 'layer.onnx' }), { tol: TOL, cosThresh: 0.8386, jobs: 0 });
      expect(res.layers.map((l) => l.node)).toEqual(['layer']);
      expect(res.layers[0]!.error).toBeLessThan(TOL);
      const compressed = writeModel(res.proto);
      const feeds = randomFeeds([['x', c.x]], 9);
      // the re-imported layer (interpreter, float64) computes what onnxruntime computes on the ONNX form
      const cmp = await compareWithOrt(compressed, feeds);
      expect(verify(cmp.module, cmp.module.stage)).toEqual([]);
      expect(cmp.module.nodes.map((n) => n.op)).toContain(c.op);
      expect(cmp.error).toBeLessThan(1e-4);
      // and it is close to the original layer
      const orig = (await (await loadOrt(bytes)).run(feeds)).y!;
      const agree = compareOutputs(orig.data, cmp.ort.y!.data, c.y[c.y.length - 1]!);
      expect(agree.relErr).toBeLessThan(0.05);
      expect(agree.cosine).toBeGreaterThan(0.999);
    });
  }
});

describe('ConvTranspose whose cheapest form ONNX cannot write', () => {
  it('is compressed in the cheapest writable form, not left dense', async () => {
    // W[ci, co, a, b] = p[ci, a, b] q[co] (ternary): rank 1 in form 1, whose V stage is 1x1 with
    // stride 1, so it cannot carry output_padding [1, 1]; every form but 0 spans an axis with U
    const [cin, cout] = [6, 5];
    const p = Array.from({ length: cin * 9 }, (_, i) => [1, 0, -1, 1, 1, 0, -1][(i * 5) % 7]!);
    const data = new Float32Array(cin * cout * 9);
    for (let ci = 0; ci < cin; ci++) for (let co = 0; co < cout; co++) for (let k = 0; k < 9; k++) data[(ci * cout + co) * 9 + k] = p[ci * 9 + k]! * (co % 2 ? 1 : -1);
    const spec = {
      inputs: [valueInfo('x', [1, cin, 6, 6])], outputs: [valueInfo('y', [1, cout, 12, 12])],
      initializers: [floatTensor('W', [cin, cout, 3, 3], data)],
      nodes: [node('ConvTranspose', ['x', 'W'], ['y'], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, 'layer')],
    };
    const bytes = writeModel(buildModel(spec));
    const res = await compressModel(readModel(bytes, { file: 'layer.onnx' }), { tol: TOL, cosThresh: 0.8386, jobs: 0 });
    expect(res.skipped).toEqual([]);
    expect(res.layers.map((l) => [l.node, l.form])).toEqual([['layer', 0]]);
    const compressed = writeModel(res.proto);
    expect(readTsvdMeta(readModel(compressed, { file: 'c.onnx' }).proto, 'c.onnx').map((l) => l.node)).toEqual(['layer']);
    const feeds = randomFeeds([['x', [1, cin, 6, 6]]], 4);
    const cmp = await compareWithOrt(compressed, feeds);
    expect(cmp.error).toBeLessThan(1e-4);
    const orig = (await (await loadOrt(bytes)).run(feeds)).y!;
    expect(compareOutputs(orig.data, cmp.ort.y!.data, 12).relErr).toBeLessThan(0.05);
  });

  it('a ConvTranspose whose own output_padding breaks ONNX\'s rule is skipped with the reason', async () => {
    const spec = {
      inputs: [valueInfo('x', [1, 4, 5, 5])], outputs: [valueInfo('y', [1, 3, 13, 13])],
      initializers: [weight('W', [4, 3, 3, 3], r)],
      nodes: [node('ConvTranspose', ['x', 'W'], ['y'], { strides: [2, 2], output_padding: [2, 0] }, 'bad')],
    };
    const res = await compressModel(readModel(writeModel(buildModel(spec)), { file: 'bad.onnx' }), { tol: TOL, cosThresh: 0.8386, jobs: 0 });
    expect(res.layers).toEqual([]);
    expect(res.skipped).toEqual([{ node: 'bad', op: 'ConvTranspose', reason: 'output_padding [2,0] is not below max(stride, dilation) on every axis' }]);
  });
});
