/**
 * Conv and ConvTranspose (2-D, NCHW) -> `conv2d` / `convtranspose2d`. auto_pad is
 * resolved to explicit pads here (it needs the input's spatial size), as is
 * ConvTranspose's output_shape, so the IR carries only [top, left, bottom, right] pads.
 */
import { dense } from '@tsvdc/ir';
import { ONNX_CODES } from '../codes.js';
import type { NodeCtx } from './context.js';
import { weightArray } from './linear.js';

/** Pads [top, left, bottom, right] for auto_pad SAME_UPPER/SAME_LOWER of a conv or pool. */
export function samePads(input: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[], upper: boolean): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  for (let a = 0; a < 2; a++) {
    const out = Math.ceil(input[a]! / strides[a]!);
    const total = Math.max(0, (out - 1) * strides[a]! + (kernel[a]! - 1) * dilations[a]! + 1 - input[a]!);
    const small = Math.floor(total / 2);
    begin.push(upper ? small : total - small);
    end.push(upper ? total - small : small);
  }
  return [begin[0]!, begin[1]!, end[0]!, end[1]!];
}

/** The pads a conv-like node asks for, auto_pad resolved (`kernel` is the spatial kernel). */
export function resolvePads(c: NodeCtx, spatial: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const autoPad = c.string('auto_pad', 'NOTSET');
  switch (autoPad) {
    case 'NOTSET': {
      const pads = c.intList('pads', [0, 0, 0, 0]);
      if (pads.length !== 4 || pads.some((p) => !Number.isInteger(p) || p < 0)) c.fail(ONNX_CODES.badAttribute, `pads [${pads}] must be 4 non-negative integers`);
      return pads;
    }
    case 'VALID': return [0, 0, 0, 0];
    case 'SAME_UPPER': case 'SAME_LOWER':
      if (spatial.some((d) => !(d > 0))) c.unsupported(`auto_pad ${autoPad} needs a known input size, got [${spatial}]`);
      return samePads(spatial, kernel, strides, dilations, autoPad === 'SAME_UPPER');
    default:
      return c.fail(ONNX_CODES.badAttribute, `auto_pad ${JSON.stringify(autoPad)} is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID`);
  }
}

/** strides/dilations attribute: two positive integers. */
export function pair(c: NodeCtx, name: string): number[] {
  const v = c.intList(name, [1, 1]);
  if (v.length !== 2 || v.some((d) => !Number.isInteger(d) || d < 1)) c.fail(ONNX_CODES.badAttribute, `${name} [${v}] must be 2 positive integers`);
  return v;
}

interface ConvCommon {
  x: readonly number[];
  w: { dims: number[]; data: Float64Array; dtype: number };
  groups: number;
  strides: number[];
  dilations: number[];
  attrs: Record<string, string | number | number[]>;
}

function common(c: NodeCtx): ConvCommon {
  const x = c.type(0).shape;
  if (x.length !== 4) c.unsupported(`only 2-D convolutions (NCHW input) are supported, the input is [${x}]`);
  const w = c.weights(1, 'weight W');
  if (w.dims.length !== 4) c.fail(ONNX_CODES.shapeMismatch, `weight W must be rank 4, got [${w.dims}]`);
  const ks = c.intList('kernel_shape', w.dims.slice(2));
  if (ks.length !== 2 || ks[0] !== w.dims[2] || ks[1] !== w.dims[3]) c.fail(ONNX_CODES.shapeMismatch, `kernel_shape [${ks}] does not match W [${w.dims}]`);
  const groups = c.int('group', 1);
  if (!Number.isInteger(groups) || groups < 1) c.fail(ONNX_CODES.badAttribute, `group ${groups} must be a positive integer`);
  const strides = pair(c, 'strides');
  const dilations = pair(c, 'dilations');
  const attrs: ConvCommon['attrs'] = { W: c.st.addConst(`${c.name}.W`, dense(w.dims, weightArray(w.data, w.dtype))), strides, dilations, groups };
  return { x, w, groups, strides, dilations, attrs };
}

function bias(c: NodeCtx, channels: number): string | undefined {
  if (!c.has(2)) return undefined;
  const b = c.weights(2, 'bias B');
  if (b.data.length !== channels) c.fail(ONNX_CODES.shapeMismatch, `bias B has ${b.data.length} values for ${channels} output channels`);
  return c.st.addConst(`${c.name}.bias`, dense([channels], weightArray(b.data, b.dtype)));
}

export function importConv(c: NodeCtx): void {
  const k = common(c);
  k.attrs['pads'] = resolvePads(c, k.x.slice(2), k.w.dims.slice(2), k.strides, k.dilations);
  const b = bias(c, k.w.dims[0]!);
  if (b) k.attrs['bias'] = b;
  c.emit('conv2d', [c.value(0)], k.attrs);
}

/**
 * ConvTranspose pads implied by output_shape or auto_pad SAME_* (the ONNX spec's
 * total_padding rule: SAME_UPPER crops the odd pixel at the end, anything else at the
 * beginning), or why they cannot be computed.
 */
export function convTransposePads(spatial: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[], outPad: readonly number[], autoPad: string, outShape: readonly number[]): number[] | string {
  if (spatial.some((d) => !(d > 0))) return `output_shape/auto_pad need a known input size, got [${spatial}]`;
  const target = outShape.length > 0 ? outShape.slice(-2) : spatial.map((d, a) => d * strides[a]!);
  const total = [0, 1].map((a) => strides[a]! * (spatial[a]! - 1) + outPad[a]! + (kernel[a]! - 1) * dilations[a]! + 1 - target[a]!);
  if (total.some((t) => t < 0)) return `output_shape [${target}] is larger than the transposed conv produces`;
  const upper = autoPad === 'SAME_UPPER';
  const begin = total.map((t) => (upper ? Math.floor(t / 2) : t - Math.floor(t / 2)));
  return [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!];
}

export function importConvTranspose(c: NodeCtx): void {
  const k = common(c);
  const outPad = c.intList('output_padding', [0, 0]);
  if (outPad.length !== 2 || outPad.some((p) => p < 0)) c.fail(ONNX_CODES.badAttribute, `output_padding [${outPad}] must be 2 non-negative integers`);
  const autoPad = c.string('auto_pad', 'NOTSET');
  const outShape = c.intList('output_shape', []);
  const spatial = k.x.slice(2);
  let pads: number[];
  if (outShape.length > 0 || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const p = convTransposePads(spatial, k.w.dims.slice(2), k.strides, k.dilations, outPad, autoPad, outShape);
    if (typeof p === 'string') c.unsupported(p);
    pads = p;
  } else {
    pads = resolvePads(c, spatial, k.w.dims.slice(2), k.strides, k.dilations);
  }
  k.attrs['pads'] = pads;
  k.attrs['outputPadding'] = outPad;
  const b = bias(c, k.w.dims[1]! * k.groups);
  if (b) k.attrs['bias'] = b;
  c.emit('convtranspose2d', [c.value(0)], k.attrs);
}
