import { describe, expect, it } from 'vitest';
import { float, floatTensor, node, valueInfo } from '../testing/builder.js';
import { importError } from '../testing/errors.js';

const x = valueInfo('x', [1, 4]);
const y = valueInfo('y', [1, 3]);
const W = floatTensor('W', [3, 4], new Float32Array(12).fill(0.5));

describe('bad graphs', () => {
  it('a cycle: TSVDC207 naming the nodes on it', () => {
    const e = importError({ inputs: [x], outputs: [y], nodes: [
      node('Add', ['x', 'c'], ['a'], {}, 'first'), node('Relu', ['a'], ['b'], {}, 'second'), node('Relu', ['b'], ['c'], {}, 'third'), node('Relu', ['c'], ['y'], {}, 'last'),
    ] });
    expect(e.message).toBe('bad.onnx: TSVDC207: the graph has a cycle: "first" -> "second" -> "third" -> "first" (node "first")');
  });

  it('a missing initializer: TSVDC208 naming the node', () => {
    const e = importError({ inputs: [x], outputs: [y], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] });
    expect(e.message).toBe('bad.onnx: TSVDC208: input "W" of Gemm is not defined by any initializer, graph input or node (node "fc")');
  });

  it('an undefined graph output: TSVDC208', () => {
    const e = importError({ inputs: [x], outputs: [valueInfo('nowhere', [1])], nodes: [node('Relu', ['x'], ['y'])] });
    expect(e.message).toBe('bad.onnx: TSVDC208: graph output "nowhere" is not defined by any node, input or initializer');
  });

  it('a value defined twice: TSVDC213', () => {
    const e = importError({ inputs: [x], outputs: [y], nodes: [node('Relu', ['x'], ['y'], {}, 'r1'), node('Tanh', ['x'], ['y'], {}, 'r2')] });
    expect(e.message).toBe('bad.onnx: TSVDC213: value "y" is defined twice (by node "r1" and by node "r2") (node "r2")');
  });

  it('a weight of a non-float dtype: TSVDC204', () => {
    const w = { ...W, dataType: 6, floatData: [], int32Data: new Array<number>(12).fill(1) };
    const e = importError({ inputs: [x], outputs: [y], initializers: [w], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] });
    expect(e.message).toBe('bad.onnx: TSVDC204: weight tensor "W" has data type INT32, expected FLOAT, FLOAT16, BFLOAT16 or DOUBLE (node "fc")');
  });

  it('a weight whose data does not fill its shape: TSVDC205', () => {
    const e = importError({ inputs: [x], outputs: [y], initializers: [{ ...W, rawData: new Uint8Array(40) }], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] });
    expect(e.message).toBe('bad.onnx: TSVDC205: tensor "W" has 40 bytes of FLOAT data, its shape [3,4] needs 48 (node "fc")');
  });

  it('operand shapes that do not fit: TSVDC210', () => {
    const e = importError({ inputs: [valueInfo('x', [1, 5])], outputs: [y], initializers: [W], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] });
    expect(e.message).toBe('bad.onnx: TSVDC210: Gemm: input features 5 != W columns 4 (node "fc")');
  });

  it('NaN and Inf weights: TSVDC206 with the position', () => {
    const vals = new Float32Array(12).fill(0.5);
    vals[7] = NaN;
    const e = importError({ inputs: [x], outputs: [y], initializers: [floatTensor('W', [3, 4], vals)], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] });
    expect(e.message).toBe('bad.onnx: TSVDC206: weight tensor "W" has a non-finite value (NaN) at flat index 7 (node "fc")');
    vals[7] = -Infinity;
    const e2 = importError({ inputs: [valueInfo('x', [1, 3])], outputs: [valueInfo('y', [1, 4])], initializers: [floatTensor('W', [3, 4], vals)], nodes: [node('MatMul', ['x', 'W'], ['y'], {}, 'mm')] });
    expect(e2.message).toBe('bad.onnx: TSVDC206: weight tensor "W" has a non-finite value (-Infinity) at flat index 7 (node "mm")');
  });

  it('a weight that is computed: TSVDC212', () => {
    const e = importError({ inputs: [valueInfo('x', [1, 1, 4, 4]), valueInfo('w', [1])], outputs: [y], nodes: [node('Conv', ['x', 'w'], ['y'], {}, 'c')] });
    expect(e.message).toBe('bad.onnx: TSVDC212: Conv: weight W (input 1, "w") must be a constant (an initializer or a Constant node) (node "c")');
  });

  it('a bad attribute: TSVDC211', () => {
    const e = importError({ inputs: [valueInfo('x', [1, 1, 4, 4])], outputs: [y], initializers: [floatTensor('K', [1, 1, 2, 2], [1, 2, 3, 4])], nodes: [node('Conv', ['x', 'K'], ['y'], { auto_pad: 'SAME' }, 'c')] });
    expect(e.message).toBe('bad.onnx: TSVDC211: Conv: auto_pad "SAME" is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID (node "c")');
  });

  it('a graph input that is not a float tensor: TSVDC214', () => {
    const e = importError({ inputs: [valueInfo('ids', [1, 4], 7)], outputs: [y], nodes: [node('Relu', ['ids'], ['y'])] });
    expect(e.message).toBe('bad.onnx: TSVDC214: graph input "ids" has element type INT64; tsvdc imports float networks');
    const e2 = importError({ inputs: [valueInfo('x', ['n', 'c'])], outputs: [y], nodes: [node('Relu', ['x'], ['y'])] });
    expect(e2.message).toBe('bad.onnx: TSVDC214: graph input "x" has an unknown dimension at axis 1 (only the batch dimension may be unknown)');
  });
});

describe('unsupported ops', () => {
  it('ONE TSVDC209 listing every unsupported node, with the reason where there is one', () => {
    const e = importError({
      inputs: [x], outputs: [y], initializers: [W, floatTensor('k', [1, 1, 4], [1, 2, 3, 4])],
      nodes: [
        node('Erf', ['x'], ['a'], {}, 'erf_1'), node('Relu', ['a'], ['b']), node('Mul', ['x', 'k'], ['c'], {}, 'mul_full'),
        node('CustomOp', ['b'], ['d'], {}, 'custom'), node('Gemm', ['d', 'W'], ['y'], { transB: 1, alpha: float(2) }),
      ].map((n) => (n.opType === 'CustomOp' ? { ...n, domain: 'com.example' } : n)),
    });
    expect(e.code).toBe('TSVDC209');
    expect(e.message).toBe('bad.onnx: TSVDC209: 3 nodes cannot be imported: "erf_1" (Erf), "mul_full" (Mul: Mul with a constant of shape [1,1,4] that is not one value per channel (axis 1) of [1,4]), "custom" (com.example:CustomOp)');
    expect(e.related.map((d) => [d.code, d.origin?.node])).toEqual([['TSVDC209', 'erf_1'], ['TSVDC209', 'mul_full'], ['TSVDC209', 'custom']]);
  });
});
