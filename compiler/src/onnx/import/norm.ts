/**
 * Normalization layers. BatchNormalization (inference) is the per-channel affine map
 * y = x * f + (B - mean * f), f = scale / sqrt(var + eps): folded into the producing
 * Gemm/MatMul/Conv/ConvTranspose when that layer feeds only the BN, otherwise a
 * `scale` + `bias` pair. LayerNormalization (opset 17) and the decomposed pattern
 * older PyTorch exporters emit (ReduceMean, Sub, Pow, ReduceMean, Add eps, Sqrt, Div,
 * then Mul gamma, Add beta) become one `layernorm` over the last axis.
 */
import { dense } from '@tsvdc/ir';
import { ONNX_CODES } from '../codes.js';
import type { NodeCtx } from './context.js';
import { channelAxis, foldAffine, foldTarget } from './fold.js';
import { matchLayerNorm } from './layernorm-pattern.js';
import { weightArray } from './linear.js';

export function importBatchNorm(c: NodeCtx): void {
  c.onlyOutputs(1);
  if (c.int('training_mode', 0) !== 0) c.unsupported('training_mode=1 (tsvdc imports inference graphs)');
  const eps = c.float('epsilon', 1e-5);
  const [scale, b, mean, variance] = [1, 2, 3, 4].map((i) => c.weights(i, ['scale', 'B', 'mean', 'var'][i - 1]!));
  const ch = scale!.data.length;
  for (const t of [b!, mean!, variance!]) {
    if (t.data.length !== ch) c.fail(ONNX_CODES.shapeMismatch, `BatchNormalization parameters have ${ch} and ${t.data.length} values`);
  }
  const f = new Float64Array(ch);
  const shift = new Float64Array(ch);
  for (let i = 0; i < ch; i++) {
    if (variance!.data[i]! + eps <= 0) c.fail(ONNX_CODES.badAttribute, `var + epsilon is not positive for channel ${i}`);
    f[i] = scale!.data[i]! / Math.sqrt(variance!.data[i]! + eps);
    shift[i] = b!.data[i]! - mean!.data[i]! * f[i]!;
  }
  const x = c.type(0).shape;
  if (x.length < 2 || x[1] !== ch) c.fail(ONNX_CODES.shapeMismatch, `input [${x}] does not have ${ch} channels on axis 1`);
  const t = foldTarget(c, 0);
  if (t && channelAxis(t.node.op, t.rank) === 1 && t.channels === ch) {
    foldAffine(c, t, f, shift);
    return;
  }
  emitScaleBias(c, c.value(0), f, shift, scale!.dtype);
}

/** A standalone per-channel (axis 1) affine map: `scale` then `bias`, either omitted when trivial. */
export function emitScaleBias(c: NodeCtx, input: string, f: Float64Array | undefined, shift: Float64Array | undefined, dtype: number): void {
  let v = input;
  const out = c.node.output[0]!;
  if (f) {
    const s = c.st.addConst(`${c.name}.s`, dense([f.length], weightArray(f, dtype)));
    v = c.emit('scale', [v], { s }, { outputs: [shift ? c.temp('/scaled') : out], suffix: shift ? '/scale' : '' })[0]!;
  }
  if (shift) {
    const b = c.st.addConst(`${c.name}.b`, dense([shift.length], weightArray(shift, dtype)));
    c.emit('bias', [v], { b }, { outputs: [out] });
  }
}

function layerNormConsts(c: NodeCtx, gamma: number | undefined, beta: number | undefined, last: number): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const [key, idx] of [['scale', gamma], ['bias', beta]] as const) {
    if (idx === undefined) continue;
    const t = c.weights(idx, key);
    if (t.data.length !== last) c.fail(ONNX_CODES.shapeMismatch, `${key} has ${t.data.length} values, the last axis has ${last}`);
    attrs[key] = c.st.addConst(`${c.name}.${key}`, dense([last], weightArray(t.data, t.dtype)));
  }
  return attrs;
}

export function importLayerNormalization(c: NodeCtx): void {
  c.onlyOutputs(1);
  const x = c.type(0).shape;
  const axis = c.int('axis', -1);
  if (axis !== -1 && axis !== x.length - 1) c.unsupported(`normalization over axes from ${axis} (tsvdc normalizes the last axis only)`);
  const attrs = layerNormConsts(c, 1, c.has(2) ? 2 : undefined, x[x.length - 1]!);
  c.emit('layernorm', [c.value(0)], { epsilon: c.float('epsilon', 1e-5), ...attrs });
}

/**
 * ReduceMean: the start of the decomposed LayerNorm pattern, or a mean over H and W of
 * an NCHW tensor (Keras and TF exporters' global average pooling): `globalavgpool`,
 * then a flatten to [N, C] without keepdims.
 */
export function importReduceMean(c: NodeCtx): void {
  const m = matchLayerNorm(c);
  if (!m) {
    spatialMean(c);
    return;
  }
  const x = c.type(0).shape;
  const last = x[x.length - 1]!;
  const attrs: Record<string, string> = {};
  for (const [key, t] of [['scale', m.gamma], ['bias', m.beta]] as const) {
    if (!t) continue;
    const vals = t.values;
    if (vals.length !== 1 && vals.length !== last) c.fail(ONNX_CODES.shapeMismatch, `LayerNorm ${key} has ${vals.length} values, the last axis has ${last}`);
    const full = vals.length === 1 ? new Float64Array(last).fill(vals[0]!) : vals;
    attrs[key] = c.st.addConst(`${c.name}.${key}`, dense([last], weightArray(full, t.dtype)));
  }
  for (const i of m.nodes) c.st.skip.add(i);
  c.emit('layernorm', [c.value(0)], { epsilon: m.epsilon, ...attrs }, { outputs: [m.output] });
}

function spatialMean(c: NodeCtx): void {
  const x = c.type(0).shape;
  const axes = (c.axes(18) ?? []).map((a) => (a < 0 ? a + x.length : a)).sort();
  if (x.length !== 4 || axes.join() !== '2,3') {
    c.unsupported('ReduceMean is supported over H and W of an NCHW tensor, or as part of a LayerNorm pattern (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div)');
  }
  if (c.int('keepdims', 1) !== 0) {
    c.emit('globalavgpool', [c.value(0)], {});
    return;
  }
  const pooled = c.emit('globalavgpool', [c.value(0)], {}, { outputs: [c.temp('/pooled')], suffix: '/pool' })[0]!;
  c.emit('flatten', [pooled], { axis: 1 });
}
