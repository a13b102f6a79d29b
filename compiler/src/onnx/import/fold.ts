/**
 * Folding per-channel affine maps (BatchNormalization, Mul/Add/Sub/Div by a constant)
 * into the dense layer that produces their input: y = (W x + b) * f + c becomes
 * W' = f W (per output channel), b' = f b + c. Folding is only done when the layer's
 * output feeds nothing else, so no other reader sees the change.
 * A TSVD layer (tlinear, tconv2d) takes a shift only (b' = b + c): a scale per output
 * channel would make U non-ternary. That covers the bias Add PyTorch emits after a
 * MatMul on [B, T, C] inputs, which nothing else could import (scale/bias act on axis 1).
 */
import { dense, invariant, numel, type DenseConst, type Node } from '@tsvdc/ir';
import type { NodeCtx } from './context.js';

const FOLDABLE = new Set(['linear', 'conv2d', 'convtranspose2d']);
const SHIFT_FOLDABLE = new Set(['tlinear', 'tconv2d']);

/** The channel axis of a layer's output: features last for (t)linear, NCHW axis 1 for convs. */
export function channelAxis(op: string, rank: number): number {
  return op === 'linear' || op === 'tlinear' ? rank - 1 : 1;
}

/**
 * A constant of ONNX shape `dims` as one value per channel of a tensor of `shape`
 * along `axis` (numpy broadcasting, right-aligned); undefined when it varies along any
 * other axis or the channel count is unknown.
 */
export function perChannel(dims: readonly number[], data: Float64Array, shape: readonly number[], axis: number): Float64Array | undefined {
  const rank = shape.length;
  const channels = shape[axis]!;
  if (dims.length > rank || !(channels > 0)) return undefined;
  const offset = rank - dims.length;
  for (let k = 0; k < dims.length; k++) {
    if (k + offset !== axis && dims[k] !== 1) return undefined;
  }
  const along = axis - offset >= 0 ? dims[axis - offset]! : 1;
  if (along !== 1 && along !== channels) return undefined;
  return along === 1 ? new Float64Array(channels).fill(data[0]!) : Float64Array.from(data);
}

export interface FoldTarget {
  readonly index: number;
  readonly node: Node;
  /** Output channels of the layer. */
  readonly channels: number;
  /** Rank of the layer's output. */
  readonly rank: number;
  /** A TSVD layer: only a shift can be folded into it. */
  readonly ternary: boolean;
}

/**
 * The layer producing input `i` of the current node, when folding into it is safe;
 * TSVD layers only when `shiftOnly` (the caller folds no scale).
 */
export function foldTarget(c: NodeCtx, i: number, shiftOnly = false): FoldTarget | undefined {
  const v = c.node.input[i] ?? '';
  if (v === '' || c.st.resolve(v) !== v || c.st.uses(v) !== 1) return undefined;
  const index = c.st.producer.get(v);
  if (index === undefined) return undefined;
  const node = c.st.nodes[index];
  const ternary = node !== undefined && SHIFT_FOLDABLE.has(node.op);
  if (!node || !(FOLDABLE.has(node.op) || (shiftOnly && ternary)) || node.outputs.length !== 1) return undefined;
  const shape = c.st.values.get(v)!.shape;
  const channels = shape[channelAxis(node.op, shape.length)]!;
  return { index, node, channels, rank: shape.length, ternary };
}

function sameKind(like: DenseConst | undefined, data: Float64Array): Float32Array | Float64Array {
  return like?.data instanceof Float64Array ? data : Float32Array.from(data);
}

/** Scales W per output channel: the index of every weight's output channel. */
function scaleWeights(op: string, w: DenseConst, groups: number, f: Float64Array): Float64Array {
  const out = Float64Array.from(w.data);
  const [d0, d1] = [w.shape[0]!, w.shape[1] ?? 1];
  const inner = numel(w.shape.slice(op === 'convtranspose2d' ? 2 : 1));
  if (op !== 'convtranspose2d') {
    for (let o = 0; o < d0; o++) for (let k = 0; k < inner; k++) out[o * inner + k]! *= f[o]!;
    return out;
  }
  // ConvTranspose W [Cin, Cout/G, k1, k2]: output channel = group * (Cout/G) + j
  const cinPerGroup = d0 / groups;
  for (let ci = 0; ci < d0; ci++) {
    const g = Math.floor(ci / cinPerGroup);
    for (let j = 0; j < d1; j++) {
      const co = g * d1 + j;
      for (let k = 0; k < inner; k++) out[(ci * d1 + j) * inner + k]! *= f[co]!;
    }
  }
  return out;
}

/**
 * Replaces the target layer by y' = y * scale + shift (either may be absent), and makes
 * it write the current node's first output.
 */
export function foldAffine(c: NodeCtx, t: FoldTarget, scale: Float64Array | undefined, shift: Float64Array | undefined): void {
  invariant(!(t.ternary && scale), `foldAffine: a scale folded into the TSVD layer ${t.node.name}`);
  const st = c.st;
  const attrs = { ...t.node.attrs };
  // dense layers: the bias follows W's precision; TSVD layers: the scales s
  const w = st.consts.get(attrs[t.ternary ? 's' : 'W'] as string) as DenseConst;
  const b = attrs['bias'] !== undefined ? (st.consts.get(attrs['bias'] as string) as DenseConst) : undefined;
  const bias = new Float64Array(t.channels);
  if (b) bias.set(b.data);
  // the layer's constants were made by import for this node alone: replace them under their names
  if (b) st.consts.delete(attrs['bias'] as string);
  if (!t.ternary) {
    st.consts.delete(attrs['W'] as string);
    const groups = (attrs['groups'] as number | undefined) ?? 1;
    attrs['W'] = st.addConst(`${t.node.name}.W`, scale ? dense(w.shape, sameKind(w, scaleWeights(t.node.op, w, groups, scale))) : w);
  }
  if (scale) {
    for (let o = 0; o < t.channels; o++) bias[o]! *= scale[o]!;
  }
  if (shift) for (let o = 0; o < t.channels; o++) bias[o]! += shift[o]!;
  attrs['bias'] = st.addConst(`${t.node.name}.bias`, dense([t.channels], sameKind(w, bias)));
  const out = c.node.output[0]!;
  const old = t.node.outputs[0]!;
  st.values.set(out, st.values.get(old)!);
  st.values.delete(old);
  st.producer.delete(old);
  st.producer.set(out, t.index);
  st.nodes[t.index] = { ...t.node, attrs, outputs: [out] };
}
