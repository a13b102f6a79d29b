/**
 * Shape ops: Flatten, Reshape (constant target shape), Transpose, Concat, and
 * Squeeze/Unsqueeze (as a reshape that keeps the batch dimension with 0).
 * Negative axes are normalized here; the IR holds non-negative axes.
 */
import { ONNX_CODES } from '../codes.js';
import type { NodeCtx } from './context.js';

/** `axis` of a rank-`rank` tensor, negative counting from the end; out of range is TSVDC211. */
export function axisIn(c: NodeCtx, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) c.fail(ONNX_CODES.badAttribute, `${what} ${axis} is out of range for rank ${rank}`);
  return a;
}

export function importFlatten(c: NodeCtx): void {
  const rank = c.type(0).shape.length;
  const axis = c.int('axis', 1);
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a > rank) c.fail(ONNX_CODES.badAttribute, `axis ${axis} is out of range for rank ${rank}`);
  c.emit('flatten', [c.value(0)], { axis: a });
}

export function importReshape(c: NodeCtx): void {
  const shape = c.opset < 5 ? c.intList('shape', []) : targetShape(c);
  if (c.int('allowzero', 0) !== 0 && shape.includes(0)) c.unsupported('allowzero=1 with a 0 in the target shape');
  c.emit('reshape', [c.value(0)], { shape });
}

/**
 * A Reshape target, perhaps folded from the input's Shape (constfold.ts): an entry that
 * is the input's own dynamic dimension at the same position is a copy (0).
 */
function targetShape(c: NodeCtx): number[] {
  const t = c.shapeInts(1, 'target shape');
  if (t.dynamic.size === 0) return t.values;
  const x = c.type(0).shape;
  if (c.int('allowzero', 0) !== 0) c.unsupported('allowzero=1 with a target shape that depends on the dynamic batch size');
  return t.values.map((d, i) => {
    const dyn = t.dynamic.get(i);
    if (!dyn) return d;
    if (dyn.axis === i && x[i] === -1) return 0;
    return c.unsupported(`target dimension ${i} is dimension ${dyn.axis} of ${JSON.stringify(dyn.value)}, which is dynamic (tsvdc copies a dynamic dimension only in place)`);
  });
}

export function importTranspose(c: NodeCtx): void {
  const rank = c.type(0).shape.length;
  const perm = c.intList('perm', Array.from({ length: rank }, (_, i) => rank - 1 - i));
  c.emit('transpose', [c.value(0)], { perm });
}

/** Concat's axis (required) for inputs of rank `rank` (import and constant folding). */
export function concatAxis(c: NodeCtx, rank: number): number {
  if (!c.attr('axis')) c.fail(ONNX_CODES.badAttribute, 'attribute axis is required');
  return axisIn(c, c.int('axis', 0), rank);
}

export function importConcat(c: NodeCtx): void {
  const ins = c.node.input.map((_, i) => c.value(i));
  c.emit('concat', ins, { axis: concatAxis(c, c.type(0).shape.length) });
}

/**
 * The dims Squeeze/Unsqueeze make of `x` (import and constant folding): axes in range,
 * a squeezed axis of size 1, no axes = every 1 (Squeeze only).
 */
export function squeezedDims(c: NodeCtx, x: readonly number[]): number[] {
  const squeeze = c.opType === 'Squeeze';
  const raw = c.axes(13);
  if (!raw && !squeeze) c.fail(ONNX_CODES.badAttribute, 'axes are required');
  const outRank = squeeze ? x.length - (raw?.length ?? x.filter((d) => d === 1).length) : x.length + raw!.length;
  const axes = new Set((raw ?? x.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisIn(c, a, squeeze ? x.length : outRank, 'axes')));
  if (squeeze) {
    for (const a of axes) if (x[a] !== 1) c.fail(ONNX_CODES.shapeMismatch, `cannot squeeze axis ${a} of size ${x[a]}`);
    return x.filter((_, i) => !axes.has(i));
  }
  const it = x[Symbol.iterator]();
  return Array.from({ length: outRank }, (_, i) => (axes.has(i) ? 1 : it.next().value!));
}

/** Squeeze/Unsqueeze as a reshape; unknown (batch) dims are copied with 0 and must stay in place. */
export function importSqueeze(c: NodeCtx): void {
  const x = c.type(0).shape;
  const out = squeezedDims(c, x);
  // a dynamic (-1) dim is copied from the input with 0, which needs it at the same position
  const target = out.map((d, i) => (d === -1 ? (x[i] === -1 ? 0 : NaN) : d));
  if (target.some(Number.isNaN)) c.unsupported(`${c.opType} moves an unknown dimension of [${x}]`);
  c.emit('reshape', [c.value(0)], { shape: target });
}
