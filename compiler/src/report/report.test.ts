import { describe, expect, it } from 'vitest';
import { readModel } from '../onnx/read.js';
import { buildModel, floatTensor, node, valueInfo } from '../onnx/testing/builder.js';
import { makeInt } from '../onnx/attrs.js';
import { int8Tensor } from '../onnx/tensor.js';
import { writeTsvdMeta, type CompressedLayer } from '../onnx/tsvd-meta.js';
import { importOnnx } from '../onnx/import/index.js';
import { writeModel } from '../onnx/write.js';
import { loadOrt } from './ort.js';
import { reportModel } from './index.js';
import { formatCount, formatReport } from './table.js';

/**
 * A compressed layer written by hand, following README.md's convention:
 *   V = [[1, -1, 0], [0, 1, 1]] (stored transposed), s = [0.5, 2], U = [[1, 0], [1, -1]] (stored transposed), b = [0.1, 0.2]
 * so W' = U diag(s) V = [[0.5, -0.5, 0], [0.5, -2.5, -2]].
 */
function handCompressed(storedError: number): Uint8Array {
  const L = 'fc';
  const meta: CompressedLayer = {
    node: L, op: 'Gemm', input: 'x', output: 'y', nodes: ['fc/tsvd/V_cast', 'fc/tsvd/V', 'fc/tsvd/s', 'fc/tsvd/U_cast', 'fc/tsvd/U', 'fc/tsvd/bias'],
    U: 'fc.tsvd.Ut', s: 'fc.tsvd.s', V: 'fc.tsvd.Vt', bias: 'fc.tsvd.bias', weightShape: [2, 3], rank: 2,
    error: storedError, frobeniusError: storedError, tol: 0.01, cosThresh: 0.8386, nnzU: 3, nnzV: 4, sparsity: 0.3, reachedMaxRank: false,
  };
  const cast = (n: string, i: string, o: string) => ({ ...node('Cast', [i], [o], {}, n), attribute: [makeInt('to', 1)] });
  const p = buildModel({
    inputs: [valueInfo('x', [1, 3])], outputs: [valueInfo('y', [1, 2])],
    initializers: [
      int8Tensor('fc.tsvd.Vt', [3, 2], Int8Array.of(1, 0, -1, 1, 0, 1)), floatTensor('fc.tsvd.s', [2], [0.5, 2]),
      int8Tensor('fc.tsvd.Ut', [2, 2], Int8Array.of(1, 1, 0, -1)), floatTensor('fc.tsvd.bias', [2], [0.1, 0.2]),
    ],
    nodes: [
      cast('fc/tsvd/V_cast', 'fc.tsvd.Vt', 'vf'), node('MatMul', ['x', 'vf'], ['t1'], {}, 'fc/tsvd/V'), node('Mul', ['t1', 'fc.tsvd.s'], ['t2'], {}, 'fc/tsvd/s'),
      cast('fc/tsvd/U_cast', 'fc.tsvd.Ut', 'uf'), node('MatMul', ['t2', 'uf'], ['t3'], {}, 'fc/tsvd/U'), node('Add', ['t3', 'fc.tsvd.bias'], ['y'], {}, 'fc/tsvd/bias'),
    ],
  });
  writeTsvdMeta(p, [meta]);
  return writeModel(p);
}

function original(w: number[]): Uint8Array {
  return writeModel(buildModel({
    inputs: [valueInfo('x', [1, 3])], outputs: [valueInfo('y', [1, 2])],
    initializers: [floatTensor('W', [2, 3], w), floatTensor('b', [2], [0.1, 0.2])],
    nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], { transB: 1 }, 'fc')],
  }));
}

describe('a hand-written compressed layer', () => {
  it('onnxruntime computes U diag(s) V x + b, and import makes it one tlinear', async () => {
    const bytes = handCompressed(0.123);
    const y = (await (await loadOrt(bytes)).run({ x: { dims: [1, 3], data: Float32Array.of(1, 2, 3) } })).y!;
    expect(Array.from(y.data, (v) => Math.round(v * 1e5) / 1e5)).toEqual([-0.4, -10.3]);
    const m = importOnnx(readModel(bytes, { file: 'hand.onnx' }));
    expect(m.nodes.map((n) => [n.op, n.name, n.inputs, n.outputs])).toEqual([['tlinear', 'fc', ['x'], ['y']]]);
  });

  it('reports rank, stored error, non-zeros, and exact counts', () => {
    const rep = reportModel(readModel(handCompressed(0.123), { file: 'hand.onnx' }));
    // V rows have 2 and 2 non-zeros, U rows 1 and 2: (1 + 1) + (0 + 1) additions, plus 2 for the bias
    expect(rep.layers).toEqual([{
      name: 'fc', op: 'Gemm', shape: [2, 3], compressed: true, rank: 2, error: 0.123, errorSource: 'stored', nnzU: 3, nnzV: 4, sparsity: 0.3,
      muls: 2, adds: 5, denseMuls: 6, denseAdds: 6, params: 4, ternaryParams: 10,
    }]);
    expect(rep.totals).toEqual({ muls: 2, adds: 5, denseMuls: 6, denseAdds: 6, params: 4, ternaryParams: 10 });
    expect(rep.errorSource).toBe('stored');
  });

  it('--original recomputes the error: 0 for the exact weight, delta / ||W||_2 for one changed entry', () => {
    const exact = [0.5, -0.5, 0, 0.5, -2.5, -2];
    const rep0 = reportModel(readModel(handCompressed(0.123), { file: 'hand.onnx' }), readModel(original(exact), { file: 'orig.onnx' }));
    expect(rep0.errorSource).toBe('recomputed');
    expect(rep0.layers[0]!.error).toBeLessThan(1e-7);
    const w = [...exact];
    w[5] = -2.1;
    // ||W||_2^2 is the larger eigenvalue of W W^T = [[a, b], [b, c]]
    const [a, b, c] = [0.25 + 0.25, 0.25 + 1.25 + 0, 0.25 + 6.25 + 4.41];
    const norm = Math.sqrt((a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b));
    const rep = reportModel(readModel(handCompressed(0.123), { file: 'hand.onnx' }), readModel(original(w), { file: 'orig.onnx' }));
    expect(rep.layers[0]!.error).toBeCloseTo(0.1 / norm, 6);
  });

  it('--original without the layer: TSVDC221', () => {
    const other = writeModel(buildModel({ inputs: [valueInfo('x', [1, 3])], outputs: [valueInfo('y', [1, 3])], nodes: [node('Relu', ['x'], ['y'], {}, 'relu')] }));
    expect(() => reportModel(readModel(handCompressed(0.1), { file: 'hand.onnx' }), readModel(other, { file: 'orig.onnx' })))
      .toThrow('orig.onnx: TSVDC221: layer "fc": the original model has no Gemm/MatMul/Conv/ConvTranspose of that name with a constant weight (node "fc")');
  });

  it('a chain that does not match the metadata: TSVDC215', () => {
    const bytes = handCompressed(0.1);
    const m = readModel(bytes, { file: 'hand.onnx' });
    m.proto.graph!.node = m.proto.graph!.node.map((n) => (n.name === 'fc/tsvd/s' ? { ...n, input: ['t1', 'fc.tsvd.bias'] } : n));
    expect(() => importOnnx(m)).toThrow('hand.onnx: TSVDC215: compressed layer "fc": the s node does not read initializer "fc.tsvd.s" (node "fc")');
  });

  it('a factor that is not ternary: TSVDC215', () => {
    const m = readModel(handCompressed(0.1), { file: 'hand.onnx' });
    m.proto.graph!.initializer = m.proto.graph!.initializer.map((t) => (t.name === 'fc.tsvd.Ut' ? int8Tensor('fc.tsvd.Ut', [2, 2], Int8Array.of(1, 2, 0, -1)) : t));
    expect(() => importOnnx(m)).toThrow('hand.onnx: TSVDC215: compressed layer "fc": factor "fc.tsvd.Ut" holds 2 at flat index 1, not -1, 0 or 1 (node "fc")');
  });
});

describe('a compressed model whose metadata a tool removed', () => {
  it('reports no TSVD layer, and notes why', () => {
    const m = readModel(handCompressed(0.1), { file: 'hand.onnx' });
    m.proto.metadataProps = [];
    const rep = reportModel(m);
    expect(rep.layers).toEqual([]);
    expect(formatReport(rep).split('\n\n').slice(-2)).toEqual([
      'note: 2 nodes are named like tsvdc\'s compressed layers (<layer>/tsvd/U, /V), but the model has no tsvdc.layers metadata (removed by a tool that re-saved it?): they are not counted as TSVD layers; compress the original model again',
      'note: not counted as weight layers: fc/tsvd/V (MatMul: the weight is computed, not a constant), fc/tsvd/U (MatMul: the weight is computed, not a constant)',
    ]);
  });
});

describe('dense models', () => {
  it('Gemm and Conv dense counts per sample (batch dimension counts 1)', () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', ['n', 1, 5, 5])], outputs: [valueInfo('y', ['n', 3])],
      initializers: [floatTensor('K', [2, 1, 3, 3], new Float32Array(18).fill(0.1)), floatTensor('W', [3, 18], new Float32Array(54).fill(0.1)), floatTensor('b', [3], [1, 2, 3])],
      nodes: [node('Conv', ['x', 'K'], ['c'], {}, 'conv'), node('Flatten', ['c'], ['f'], { axis: 1 }), node('Gemm', ['f', 'W', 'b'], ['y'], { transB: 1 }, 'fc')],
    }));
    const rep = reportModel(readModel(bytes, { file: 'dense.onnx' }));
    // conv: 9 output pixels x 2 channels x 9 weights; fc: 3 x 18 products, 3 x (17 + 1) additions
    expect(rep.layers.map((l) => [l.name, l.muls, l.adds, l.params])).toEqual([['conv', 162, 144, 18], ['fc', 54, 54, 57]]);
    expect(rep.totals).toEqual({ muls: 216, adds: 198, denseMuls: 216, denseAdds: 198, params: 75, ternaryParams: 0 });
    expect(rep.errorSource).toBe('none');
  });

  it('formats counts with K/M/G suffixes', () => {
    expect([999, 1234, 4.47e9, 12_600_000].map(formatCount)).toEqual(['999', '1.23K', '4.47G', '12.6M']);
  });
});

describe('the text report', () => {
  it('prints the layer table, the totals and where the error comes from', () => {
    const rep = reportModel(readModel(handCompressed(0.123), { file: 'hand.onnx' }));
    expect(formatReport(rep)).toBe([
      'hand.onnx: 1 weight layer, 1 TSVD',
      '',
      'layer  op    weight  rank  rel. error  nnz(U)  nnz(V)  sparsity  x  +',
      '-----  ----  ------  ----  ----------  ------  ------  --------  -  -',
      'fc     Gemm  [2x3]      2      0.1230       3       4     30.0%  2  5',
      '',
      'per inference        this model    dense layers',
      '-------------------  ----------  --------------',
      'x (multiplications)           2  6 (3.0x fewer)',
      '+ (additions)                 5  6 (1.2x fewer)',
      'params (float)                4',
      'ternary params               10',
      '',
      'rel. error: relative operator-norm error stored at compress time (give --original to recompute)',
    ].join('\n'));
  });
});
