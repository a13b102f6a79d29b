// Golden cases per op family: every expected value is computed by hand (in the comments).
import { describe, expect, it } from 'vitest';
import { OPS } from '../ops.js';
import { dense, fixedElem, intConst } from '../tensor.js';
import { ternaryFromValues } from '../ternary.js';
import { treeOf } from '../testing/models.js';
import { KERNELS } from './kernels.js';
import { oneOp, run } from './test-util.js';

const f = (shape: number[], vals: number[]) => dense(shape, Float64Array.from(vals));
const X9 = [1, 2, 3, 4, 5, 6, 7, 8, 9]; // 3x3: rows 1 2 3 / 4 5 6 / 7 8 9

describe('every op has semantics', () => {
  it('the interpreter has a kernel for each op of ops.ts', () => {
    expect([...OPS.keys()].filter((op) => !KERNELS[op])).toEqual([]);
  });
});

describe('dense layers', () => {
  it('linear: [1,2] . [[1,2],[3,4]]^T + [0.5,-1] = [5.5, 10]', () => {
    const m = oneOp({ op: 'linear', inputs: [{ shape: [1, 2] }], consts: { W: f([2, 2], [1, 2, 3, 4]), bias: f([2], [0.5, -1]) } });
    expect(run(m, [[1, 2]])).toEqual({ shape: [1, 2], data: [5.5, 10] });
  });
  it('conv2d 2x2 ones over 3x3: [[12,16],[24,28]]', () => {
    const m = oneOp({ op: 'conv2d', inputs: [{ shape: [1, 1, 3, 3] }], consts: { W: f([1, 1, 2, 2], [1, 1, 1, 1]) } });
    expect(run(m, [X9])).toEqual({ shape: [1, 1, 2, 2], data: [12, 16, 24, 28] });
  });
  it('conv2d with pads 1, stride 2: windows (0,0)=1, (0,2)=2+3, (2,0)=4+7, (2,2)=5+6+8+9', () => {
    const m = oneOp({ op: 'conv2d', inputs: [{ shape: [1, 1, 3, 3] }], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] }, consts: { W: f([1, 1, 2, 2], [1, 1, 1, 1]) } });
    expect(run(m, [X9]).data).toEqual([1, 5, 11, 28]);
  });
  it('conv2d with dilation 2: the four corners 1+3+7+9', () => {
    const m = oneOp({ op: 'conv2d', inputs: [{ shape: [1, 1, 3, 3] }], attrs: { dilations: [2, 2] }, consts: { W: f([1, 1, 2, 2], [1, 1, 1, 1]) } });
    expect(run(m, [X9]).data).toEqual([20]);
  });
  it('grouped conv2d: channel-wise [3,5] * [2,10] + 1', () => {
    const m = oneOp({ op: 'conv2d', inputs: [{ shape: [1, 2, 1, 1] }], attrs: { groups: 2 }, consts: { W: f([2, 1, 1, 1], [2, 10]), bias: f([2], [1, 1]) } });
    expect(run(m, [[3, 5]]).data).toEqual([7, 51]);
  });
  it('convtranspose2d stride 1: overlapping 2x2 stamps of [[1,2],[3,4]]', () => {
    const m = oneOp({ op: 'convtranspose2d', inputs: [{ shape: [1, 1, 2, 2] }], consts: { W: f([1, 1, 2, 2], [1, 1, 1, 1]) } });
    expect(run(m, [[1, 2, 3, 4]])).toEqual({ shape: [1, 1, 3, 3], data: [1, 3, 2, 4, 10, 6, 3, 7, 4] });
  });
  it('convtranspose2d stride 2: disjoint 2x2 blocks; pads 1 at stride 1 keep the centre', () => {
    const m = oneOp({ op: 'convtranspose2d', inputs: [{ shape: [1, 1, 2, 2] }], attrs: { strides: [2, 2] }, consts: { W: f([1, 1, 2, 2], [1, 1, 1, 1]) } });
    expect(run(m, [[1, 2, 3, 4]]).data).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const p = oneOp({ op: 'convtranspose2d', inputs: [{ shape: [1, 1, 2, 2] }], attrs: { pads: [1, 1, 1, 1] }, consts: { W: f([1, 1, 2, 2], [1, 1, 1, 1]) } });
    expect(run(p, [[1, 2, 3, 4]]).data).toEqual([10]);
  });
});

describe('ternary layers', () => {
  it('tlinear: V x = [1-3, 1+2+3] = [-2, 6]; * s = [-1, 12]; U . = [11, 1]; + bias = [12, 3]', () => {
    const m = oneOp({ op: 'tlinear', inputs: [{ shape: [1, 3] }], consts: {
      U: ternaryFromValues([2, 2], [1, 1, -1, 0]), s: f([2], [0.5, 2]), V: ternaryFromValues([2, 3], [1, 0, -1, 1, 1, 1]), bias: f([2], [1, 2]) } });
    expect(run(m, [[1, 2, 3]]).data).toEqual([12, 3]);
  });
  it('tconv2d form 0: V [[1,0],[0,-1]] over [[1,2],[3,4]] = -3; * 2 = -6; U [1,-1] = [-6, 6]; + [0,1]', () => {
    const m = oneOp({ op: 'tconv2d', inputs: [{ shape: [1, 1, 2, 2] }], attrs: { form: 0 }, consts: {
      U: ternaryFromValues([2, 1, 1, 1], [1, -1]), s: f([1], [2]), V: ternaryFromValues([1, 1, 2, 2], [1, 0, 0, -1]), bias: f([2], [0, 1]) } });
    expect(run(m, [[1, 2, 3, 4]]).data).toEqual([-6, 7]);
  });
  it('tconv2d form 1 pads once, before V: U sees the padded border through the 1x1 V', () => {
    // padded 4x4 p; y[i,j] = p[i,j] - p[i+1,j+1]
    const m = oneOp({ op: 'tconv2d', inputs: [{ shape: [1, 1, 2, 2] }], attrs: { form: 1, pads: [1, 1, 1, 1] }, consts: {
      U: ternaryFromValues([1, 1, 2, 2], [1, 0, 0, -1]), s: f([1], [1]), V: ternaryFromValues([1, 1, 1, 1], [1]) } });
    expect(run(m, [[1, 2, 3, 4]])).toEqual({ shape: [1, 1, 3, 3], data: [-1, -2, 0, -3, -3, 2, 0, 3, 4] });
  });
  const W3x4 = ternaryFromValues([3, 4], [1, 0, -1, 1, 0, 1, 1, 0, -1, -1, 0, 1]);
  it('tmatvec with and without its tree: [1-3+4, 2+3, -1-2+4] = [2, 5, 1]', () => {
    const plain = oneOp({ op: 'tmatvec', inputs: [{ shape: [1, 4] }], consts: { weights: W3x4 } });
    expect(run(plain, [[1, 2, 3, 4]]).data).toEqual([2, 5, 1]);
    const withTree = { ...plain, nodes: [{ ...plain.nodes[0]!, attrs: { ...plain.nodes[0]!.attrs, tree: 't' } }], trees: new Map([['t', treeOf(W3x4, 'chain')]]) };
    expect(run(withTree, [[1, 2, 3, 4]]).data).toEqual([2, 5, 1]);
  });
  it('grouped tconv with a tree: group 0 computes 1-2, group 1 computes 10+20', () => {
    const w = ternaryFromValues([2, 1, 1, 2], [1, -1, 1, 1]);
    const m0 = oneOp({ op: 'tconv', inputs: [{ shape: [1, 2, 1, 2] }], attrs: { groups: 2 }, consts: { weights: w } });
    const m = { ...m0, nodes: [{ ...m0.nodes[0]!, attrs: { ...m0.nodes[0]!.attrs, tree: 't' } }], trees: new Map([['t', treeOf(w, 'balanced')]]) };
    expect(run(m, [[1, 2, 10, 20]])).toEqual({ shape: [1, 2, 1, 1], data: [-1, 30] });
    expect(run(m0, [[1, 2, 10, 20]]).data).toEqual([-1, 30]);
  });
});

describe('per-channel and elementwise', () => {
  it('scale and bias index axis 1', () => {
    const s = oneOp({ op: 'scale', inputs: [{ shape: [1, 2, 1, 2] }], consts: { s: f([2], [10, 100]) } });
    expect(run(s, [[1, 2, 3, 4]]).data).toEqual([10, 20, 300, 400]);
    const b = oneOp({ op: 'bias', inputs: [{ shape: [1, 2, 1, 2] }], consts: { b: f([2], [10, 100]) } });
    expect(run(b, [[1, 2, 3, 4]]).data).toEqual([11, 12, 103, 104]);
  });
  it('pad [top 1, right 1] with value 7 around [5]', () => {
    const m = oneOp({ op: 'pad', inputs: [{ shape: [1, 1, 1, 1] }], attrs: { pads: [1, 0, 0, 1], value: 7 } });
    expect(run(m, [[5]])).toEqual({ shape: [1, 1, 2, 2], data: [7, 7, 5, 7] });
  });
  it('relu, sigmoid, tanh, clip', () => {
    expect(run(oneOp({ op: 'relu', inputs: [{ shape: [3] }] }), [[-1, 0, 2]]).data).toEqual([0, 0, 2]);
    expect(run(oneOp({ op: 'sigmoid', inputs: [{ shape: [1] }] }), [[0]]).data).toEqual([0.5]);
    expect(run(oneOp({ op: 'tanh', inputs: [{ shape: [1] }] }), [[0]]).data).toEqual([0]);
    expect(run(oneOp({ op: 'clip', inputs: [{ shape: [3] }], attrs: { min: -1, max: 1 } }), [[-3, 0.5, 3]]).data).toEqual([-1, 0.5, 1]);
  });
  it('add and mul broadcast like numpy', () => {
    const a = oneOp({ op: 'add', inputs: [{ shape: [2, 1] }, { shape: [1, 3] }] });
    expect(run(a, [[1, 2], [10, 20, 30]])).toEqual({ shape: [2, 3], data: [11, 21, 31, 12, 22, 32] });
    const m = oneOp({ op: 'mul', inputs: [{ shape: [2, 3] }, { shape: [3] }] });
    expect(run(m, [[1, 2, 3, 4, 5, 6], [1, 0, -1]]).data).toEqual([1, 0, -3, 4, 0, -6]);
  });
  it('layernorm: [1,3] -> mean 2, var 1 -> [-1, 1] * [2,3] + [0,1]', () => {
    const m = oneOp({ op: 'layernorm', inputs: [{ shape: [1, 2] }], attrs: { epsilon: 0 }, consts: { scale: f([2], [2, 3]), bias: f([2], [0, 1]) } });
    expect(run(m, [[1, 3]]).data).toEqual([-2, 4]);
  });
  it('softmax: [0, ln 3] -> [1/4, 3/4]; over axis 0 of a column', () => {
    const y = run(oneOp({ op: 'softmax', inputs: [{ shape: [1, 2] }] }), [[0, Math.log(3)]]).data;
    expect(y[0]).toBeCloseTo(0.25, 15);
    expect(y[1]).toBeCloseTo(0.75, 15);
    const c = run(oneOp({ op: 'softmax', inputs: [{ shape: [2, 1] }], attrs: { axis: 0 } }), [[5, 5]]).data;
    expect(c).toEqual([0.5, 0.5]);
  });
});

describe('pooling and data movement', () => {
  it('maxpool 2x2 stride 2: [5, 8]; with pads 1, padding never wins over negatives', () => {
    const m = oneOp({ op: 'maxpool2d', inputs: [{ shape: [1, 1, 2, 4] }], attrs: { kernel: [2, 2], strides: [2, 2] } });
    expect(run(m, [[1, 5, 2, 0, 3, 4, 8, 7]]).data).toEqual([5, 8]);
    const p = oneOp({ op: 'maxpool2d', inputs: [{ shape: [1, 1, 2, 2] }], attrs: { kernel: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1] } });
    expect(run(p, [[-1, -2, -3, -4]]).data).toEqual([-1, -2, -3, -4]);
  });
  it('avgpool with pads 1: real positions only, or / 4 with countIncludePad', () => {
    const a = (inc: boolean) => oneOp({ op: 'avgpool2d', inputs: [{ shape: [1, 1, 2, 2] }], attrs: { kernel: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: inc } });
    expect(run(a(false), [[1, 2, 3, 4]]).data).toEqual([1, 2, 3, 4]);
    expect(run(a(true), [[1, 2, 3, 4]]).data).toEqual([0.25, 0.5, 0.75, 1]);
  });
  it('globalavgpool: means 2.5 and 25', () => {
    expect(run(oneOp({ op: 'globalavgpool', inputs: [{ shape: [1, 2, 2, 2] }] }), [[1, 2, 3, 4, 10, 20, 30, 40]])).toEqual({ shape: [1, 2, 1, 1], data: [2.5, 25] });
  });
  it('flatten, reshape, transpose, concat, identity', () => {
    expect(run(oneOp({ op: 'flatten', inputs: [{ shape: [1, 2, 1, 2] }] }), [[1, 2, 3, 4]])).toEqual({ shape: [1, 4], data: [1, 2, 3, 4] });
    expect(run(oneOp({ op: 'reshape', inputs: [{ shape: [2, 3] }], attrs: { shape: [-1, 2] } }), [[1, 2, 3, 4, 5, 6]]).shape).toEqual([3, 2]);
    expect(run(oneOp({ op: 'transpose', inputs: [{ shape: [2, 3] }], attrs: { perm: [1, 0] } }), [[1, 2, 3, 4, 5, 6]]).data).toEqual([1, 4, 2, 5, 3, 6]);
    expect(run(oneOp({ op: 'concat', inputs: [{ shape: [2, 2] }, { shape: [2, 1] }], attrs: { axis: 1 } }), [[1, 2, 3, 4], [5, 6]]).data).toEqual([1, 2, 5, 3, 4, 6]);
    expect(run(oneOp({ op: 'identity', inputs: [{ shape: [2] }] }), [[7, 8]]).data).toEqual([7, 8]);
  });
});

describe('the integer level (fixed.ts)', () => {
  const fx = (w: number, fr: number) => ({ width: w, frac: fr });
  it('quantize fx<8,2>: 0.26 -> 1, -0.125 -> 0 (tie up), 0.375 -> 2, saturation at 127 / -128', () => {
    const m = oneOp({ op: 'quantize', inputs: [{ shape: [5] }], attrs: { type: fx(8, 2) } });
    expect(run(m, [[0.26, -0.125, 0.375, 100, -100]]).data).toEqual([1, 0, 2, 127, -128]);
  });
  it('dequantize fx<8,2>: 1 -> 0.25, -3 -> -0.75', () => {
    expect(run(oneOp({ op: 'dequantize', inputs: [{ shape: [2], elem: fixedElem(8, 2) }] }), [[1, -3]]).data).toEqual([0.25, -0.75]);
  });
  it('mulconst per channel: [5,7] * [2,-3]', () => {
    const m = oneOp({ op: 'mulconst', inputs: [{ shape: [1, 2], elem: fixedElem(8, 0) }], attrs: { type: fx(8, 0) }, consts: { c: intConst([2], [2, -3]) } });
    expect(run(m, [[5, 7]], 'exact').data).toEqual([10, -21]);
  });
  it('fixed-point results have one zero: 0 * -3 is +0 in every mode (float64 would give -0)', () => {
    const m = oneOp({ op: 'mulconst', inputs: [{ shape: [1, 2], elem: fixedElem(8, 0) }], attrs: { type: fx(8, 0) }, consts: { c: intConst([2], [-3, -3]) } });
    for (const mode of ['f64', 'f32', 'exact'] as const) {
      const y = run(m, [[0, 1]], mode).data;
      expect(Object.is(y[0], 0)).toBe(true);
      expect(y[1]).toBe(-3);
    }
  });
  it('shrround by 1 rounds ties up: 2.5 -> 3, -2.5 -> -2, 1.5 -> 2, -1.5 -> -1', () => {
    const m = oneOp({ op: 'shrround', inputs: [{ shape: [4], elem: fixedElem(8, 1) }], attrs: { shift: 1, type: fx(8, 0) } });
    expect(run(m, [[5, -5, 3, -3]], 'exact').data).toEqual([3, -2, 2, -1]);
  });
  it('requant c 3 shift 2 to 4 bits: 15 -> 4, -15 -> -4, 300 -> 75 -> saturates to 7', () => {
    const m = oneOp({ op: 'requant', inputs: [{ shape: [3], elem: fixedElem(12, 0) }], attrs: { shift: 2, type: fx(4, 0) }, consts: { c: intConst([1], [3]) } });
    expect(run(m, [[5, -5, 100]], 'exact').data).toEqual([4, -4, 7]);
  });
  it('clamp [-2, 3]', () => {
    const m = oneOp({ op: 'clamp', inputs: [{ shape: [3], elem: fixedElem(8, 0) }], attrs: { lo: -2, hi: 3 } });
    expect(run(m, [[-5, 0, 5]], 'exact').data).toEqual([-2, 0, 3]);
  });
  it('int linear and bias on fixed-point data are exact integer sums', () => {
    const m = oneOp({ op: 'linear', inputs: [{ shape: [1, 3], elem: fixedElem(8, 3) }], out: fixedElem(12, 3), consts: { W: intConst([1, 3], [2, -1, 3]), bias: intConst([1], [-7]) } });
    expect(run(m, [[10, 20, -5]], 'exact').data).toEqual([2 * 10 - 20 - 15 - 7]);
  });
});
