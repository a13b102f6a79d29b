/**
 * MaxPool, AveragePool (2-D, NCHW) and GlobalAveragePool. auto_pad is resolved to
 * pads; ceil_mode=1 becomes extra padding at the end, which is exact for MaxPool
 * (padding never wins) and for AveragePool without count_include_pad (padding is
 * not counted), and refused for AveragePool with count_include_pad.
 */
import { ONNX_CODES } from '../codes.js';
import type { NodeCtx } from './context.js';
import { pair, resolvePads } from './conv.js';

/** Extra end padding per axis that makes the floor output size equal the ceil one. */
function ceilExtra(input: readonly number[], k: readonly number[], s: readonly number[], d: readonly number[], pads: readonly number[]): number[] {
  return [0, 1].map((a) => {
    const span = input[a]! + pads[a]! + pads[a + 2]! - d[a]! * (k[a]! - 1) - 1;
    let out = Math.ceil(span / s[a]!) + 1;
    // a window that would start inside the end padding is dropped (PyTorch, onnxruntime)
    if ((out - 1) * s[a]! >= input[a]! + pads[a]!) out--;
    return Math.max(0, (out - 1) * s[a]! - span);
  });
}

function poolAttrs(c: NodeCtx): Record<string, number[]> {
  const x = c.type(0).shape;
  if (x.length !== 4) c.unsupported(`only 2-D pooling (NCHW input) is supported, the input is [${x}]`);
  const kernel = c.intList('kernel_shape', []);
  if (kernel.length !== 2 || kernel.some((k) => !Number.isInteger(k) || k < 1)) c.fail(ONNX_CODES.badAttribute, `kernel_shape [${kernel}] must be 2 positive integers`);
  const strides = pair(c, 'strides');
  const dilations = pair(c, 'dilations');
  const pads = resolvePads(c, x.slice(2), kernel, strides, dilations);
  if (c.int('ceil_mode', 0) !== 0) {
    if (x[2]! < 1 || x[3]! < 1) c.unsupported(`ceil_mode needs a known input size, got [${x}]`);
    const extra = ceilExtra(x.slice(2), kernel, strides, dilations, pads);
    if (extra.some((e) => e > 0) && c.opType === 'AveragePool' && c.int('count_include_pad', 0) !== 0) {
      c.unsupported('ceil_mode=1 with count_include_pad=1 (the extra window pixels would be counted)');
    }
    pads[2]! += extra[0]!;
    pads[3]! += extra[1]!;
  }
  return { kernel, strides, pads, dilations };
}

export function importMaxPool(c: NodeCtx): void {
  c.onlyOutputs(1); // Indices (and with it storage_order) unused
  c.emit('maxpool2d', [c.value(0)], poolAttrs(c));
}

export function importAveragePool(c: NodeCtx): void {
  const attrs = poolAttrs(c);
  c.emit('avgpool2d', [c.value(0)], { ...attrs, countIncludePad: c.int('count_include_pad', 0) !== 0 });
}

export function importGlobalAveragePool(c: NodeCtx): void {
  c.emit('globalavgpool', [c.value(0)], {});
}
