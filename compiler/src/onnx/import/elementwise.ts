/**
 * Activations and elementwise arithmetic. A binary op with one constant operand is a
 * per-channel affine map: folded into the dense layer that produces the other operand
 * when possible (the usual MatMul + Add bias), otherwise a `scale` / `bias` node on
 * axis 1. Two computed operands give `add` / `mul`. Identity and inference-mode
 * Dropout vanish (their output is an alias), except when they produce a graph output.
 */
import { dense } from '@tsvdc/ir';
import { ONNX_CODES } from '../codes.js';
import { DTYPE } from '../proto.js';
import { weightValues } from '../tensor.js';
import type { NodeCtx } from './context.js';
import { channelAxis, foldAffine, foldTarget, perChannel } from './fold.js';
import { weightArray } from './linear.js';
import { emitScaleBias } from './norm.js';

export function importUnary(op: 'relu' | 'sigmoid' | 'tanh'): (c: NodeCtx) => void {
  return (c: NodeCtx) => {
    c.emit(op, [c.value(0)], {});
  };
}

export function importClip(c: NodeCtx): void {
  let lo: number | undefined;
  let hi: number | undefined;
  if (c.opset < 11) {
    lo = c.attr('min') ? c.float('min', 0) : undefined;
    hi = c.attr('max') ? c.float('max', 0) : undefined;
  } else {
    const bound = (i: number): number | undefined => {
      if (!c.has(i)) return undefined;
      const v = c.numbers(i, i === 1 ? 'min' : 'max');
      if (v.length !== 1) c.fail(ONNX_CODES.shapeMismatch, `${i === 1 ? 'min' : 'max'} must be a scalar, got ${v.length} values`);
      return v[0];
    };
    [lo, hi] = [bound(1), bound(2)];
  }
  const attrs: Record<string, number> = {};
  if (lo !== undefined && lo > -3.4e38) attrs['min'] = lo;
  if (hi !== undefined && hi < 3.4e38) attrs['max'] = hi;
  c.emit('clip', [c.value(0)], attrs);
}

/**
 * LeakyRelu(x) = relu(x) - alpha relu(-x), built from ops every stage has (scale per
 * channel on axis 1, relu, add), so it quantizes like the rest. Exact in float: one term
 * is always 0, and the other is x or alpha x rounded once, as onnxruntime computes it.
 */
export function importLeakyRelu(c: NodeCtx): void {
  const alpha = c.float('alpha', 0.01);
  const t = c.type(0);
  const channels = t.shape[1] ?? 0;
  if (t.shape.length < 2 || !(channels > 0)) c.unsupported(`LeakyRelu on [${t.shape}] (tsvdc builds it from per-channel scales on axis 1)`);
  const x = c.value(0);
  const dtype = t.elem.kind === 'float' && t.elem.bits === 64 ? DTYPE.DOUBLE : DTYPE.FLOAT;
  const s = (name: string, v: number): string => c.st.addConst(`${c.name}.${name}`, dense([channels], weightArray(new Float64Array(channels).fill(v), dtype)));
  const pos = c.emit('relu', [x], {}, { outputs: [c.temp('/pos')], suffix: '/pos' })[0]!;
  const negX = c.emit('scale', [x], { s: s('minus1', -1) }, { outputs: [c.temp('/negx')], suffix: '/negx' })[0]!;
  const neg = c.emit('relu', [negX], {}, { outputs: [c.temp('/neg')], suffix: '/neg' })[0]!;
  const scaled = c.emit('scale', [neg], { s: s('alpha', -alpha) }, { outputs: [c.temp('/alpha')], suffix: '/alpha' })[0]!;
  c.emit('add', [pos, scaled], {});
}

/**
 * Softmax. Before opset 13 it flattened the axes from `axis` on into one: the IR's
 * softmax over the last axis of flatten(x, axis), reshaped back (the batch, if
 * dynamic, inferred with -1 there).
 */
export function importSoftmax(c: NodeCtx): void {
  const shape = c.type(0).shape;
  const rank = shape.length;
  let axis = c.int('axis', c.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) c.fail(ONNX_CODES.badAttribute, `axis ${c.int('axis', 0)} is out of range for rank ${rank}`);
  if (c.opset >= 13 || axis === rank - 1) {
    c.emit('softmax', [c.value(0)], { axis });
    return;
  }
  if (axis === 0 && shape[0] === -1) c.unsupported(`opset ${c.opset} Softmax over every axis of [${shape}], whose batch size is dynamic`);
  const flat = c.emit('flatten', [c.value(0)], { axis }, { outputs: [c.temp('/flat')], suffix: '/flat' })[0]!;
  const soft = c.emit('softmax', [flat], { axis: 1 }, { outputs: [c.temp('/softmax')], suffix: '/softmax' })[0]!;
  c.emit('reshape', [soft], { shape: [...shape] });
}

export function importIdentity(c: NodeCtx): void {
  if (c.opType === 'Dropout') {
    c.onlyOutputs(1);
    if (c.has(2)) {
      const mode = c.numbers(2, 'training_mode');
      if (mode[0]) c.unsupported('training_mode=true (tsvdc imports inference graphs)');
    }
  }
  const src = c.value(0);
  const out = c.node.output[0]!;
  if (c.st.g.outputs.includes(out)) {
    c.emit('identity', [src], {});
    return;
  }
  c.st.alias.set(out, src);
}

type Binary = 'Add' | 'Sub' | 'Mul' | 'Div';

/** The affine map (scale f, shift b) for `x op k` or `k op x`, or a reason it is not one. */
function affine(op: Binary, k: Float64Array, constFirst: boolean): { f?: Float64Array; b?: Float64Array } | string {
  switch (op) {
    case 'Add': return { b: k };
    case 'Mul': return { f: k };
    case 'Sub': return constFirst ? { f: k.map(() => -1), b: k } : { b: k.map((v) => -v) };
    case 'Div':
      if (constFirst) return 'dividing a constant by a computed tensor';
      if (k.some((v) => v === 0)) return 'division by a constant with zeros';
      return { f: k.map((v) => 1 / v) };
  }
}

export function importBinary(op: Binary): (c: NodeCtx) => void {
  return (c: NodeCtx) => {
    const k0 = c.constant(0);
    const k1 = c.constant(1);
    if (k0 && k1) c.unsupported('both operands are constants (fold them before import)');
    if (!k0 && !k1) {
      if (op === 'Sub' || op === 'Div') c.unsupported(`${op} of two computed tensors`);
      c.emit(op === 'Add' ? 'add' : 'mul', [c.value(0), c.value(1)], {});
      return;
    }
    const ki = k0 ? 0 : 1;
    const xi = 1 - ki;
    const k = (k0 ?? k1)!;
    const kv = weightValues(k, c.origin);
    const x = c.type(xi).shape;
    const map = (v: Float64Array): { f?: Float64Array; b?: Float64Array } => {
      const m = affine(op, v, ki === 0);
      return typeof m === 'string' ? c.unsupported(m) : m;
    };
    // x + k and x - k shift only: they fold into a TSVD layer's bias as well
    const t = foldTarget(c, xi, op === 'Add' || (op === 'Sub' && ki === 1));
    const onLayer = t ? perChannel(k.dims, kv, x, channelAxis(t.node.op, t.rank)) : undefined;
    if (t && onLayer) {
      const m = map(onLayer);
      foldAffine(c, t, m.f, m.b);
      return;
    }
    const onAxis1 = x.length >= 2 ? perChannel(k.dims, kv, x, 1) : undefined;
    if (!onAxis1) c.unsupported(`${op} with a constant of shape [${k.dims}] that is not one value per channel (axis 1) of [${x}]`);
    const m = map(onAxis1);
    emitScaleBias(c, c.value(xi), m.f, m.b, k.dataType ?? 0);
  };
}
