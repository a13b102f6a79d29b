/**
 * Constant folding at import: a node whose data inputs are all constants becomes a
 * constant (`ImportState.folded`) that the nodes reading it see as a weight or a shape.
 * That covers float16 weights behind a Cast, weights behind an Identity, and the shape
 * arithmetic older PyTorch exports emit for x.view(x.size(0), -1):
 *   Shape -> Gather -> Unsqueeze -> Concat -> Reshape.
 * Shape of a computed tensor is a constant once import knows its type. An unknown (batch)
 * dimension becomes a dynamic entry (-1, with where it came from) that folding carries
 * and only Reshape may consume, where it means "copy this dimension" (a 0 in the target).
 */
import { numel } from '@tsvdc/ir';
import { ONNX_CODES } from '../codes.js';
import { DTYPE, type TensorProto } from '../proto.js';
import { floatTensorOf, intTensorOf, isFloatDtype, isIntDtype, tensorValues } from '../tensor.js';
import type { DynamicDim, NodeCtx } from './context.js';
import { importIdentity } from './elementwise.js';
import { axisIn, concatAxis, squeezedDims } from './shape.js';

interface Folded {
  readonly dims: readonly number[];
  readonly values: ArrayLike<number>;
  readonly dtype: number;
  readonly dynamic: ReadonlyMap<number, DynamicDim>;
}

function tensorOf(name: string, f: Folded): TensorProto {
  return isFloatDtype(f.dtype) ? floatTensorOf(name, f.dims, f.values, f.dtype) : intTensorOf(name, f.dims, f.values, f.dtype);
}

/** Records the node's first output as a folded constant. */
function define(c: NodeCtx, f: Folded): void {
  const out = c.node.output[0]!;
  c.st.folded.set(out, tensorOf(out, f));
  if (f.dynamic.size > 0) c.st.dynamic.set(out, f.dynamic);
}

/** Input i as a folded value (constant, dynamic entries kept). */
function input(c: NodeCtx, i: number): Folded {
  const v = c.inputName(i);
  const t = c.st.constant(v)!;
  return { dims: [...t.dims], values: tensorValues(t, c.origin), dtype: t.dataType ?? 0, dynamic: c.st.dynamic.get(v) ?? new Map() };
}

/** Whether every data input of the node is a constant (the node can be folded). */
export function foldable(c: NodeCtx): boolean {
  const given = c.node.input.flatMap((_, i) => (c.has(i) ? [i] : []));
  return given.length > 0 && given.every((i) => c.isConstant(i));
}

/** Identity / Dropout of a constant: the same constant under the new name. */
export function foldIdentity(c: NodeCtx): void {
  define(c, input(c, 0));
}

/**
 * Cast of a constant folds (float to integer truncates, as onnxruntime does). Cast of a
 * computed float tensor to FLOAT or DOUBLE is exact in tsvdc's float arithmetic: an alias.
 */
export function importCast(c: NodeCtx): void {
  const to = c.int('to', 0);
  if (!isFloatDtype(to) && !isIntDtype(to)) c.unsupported(`Cast to data type ${to}`);
  if (!c.isConstant(0)) {
    if (to !== DTYPE.FLOAT && to !== DTYPE.DOUBLE) c.unsupported(`Cast of a computed tensor to data type ${to} (tsvdc computes in float32/float64)`);
    importIdentity(c);
    return;
  }
  const x = input(c, 0);
  if (x.dynamic.size > 0 && isFloatDtype(to)) c.unsupported('Cast of the dynamic batch size to a float type');
  const convert = to === 9 ? (v: number) => (v !== 0 ? 1 : 0) : isFloatDtype(to) ? (v: number) => v : Math.trunc;
  define(c, { dims: x.dims, values: Float64Array.from(x.values, convert), dtype: to, dynamic: x.dynamic });
}

/** Shape (start/end from opset 15) of a computed or constant tensor. */
export function importShape(c: NodeCtx): void {
  const v = c.inputName(0);
  const shape = c.isConstant(0) ? [...c.st.constant(v)!.dims] : c.type(0).shape;
  const r = shape.length;
  const clampAxis = (a: number): number => Math.min(Math.max(a < 0 ? a + r : a, 0), r);
  const [start, end] = [clampAxis(c.int('start', 0)), clampAxis(c.int('end', r))];
  const dims = shape.slice(start, end);
  const dynamic = new Map<number, DynamicDim>();
  dims.forEach((d, k) => d < 0 && dynamic.set(k, { value: c.st.resolve(v), axis: start + k }));
  define(c, { dims: [dims.length], values: dims, dtype: DTYPE.INT64, dynamic });
}

/** Gather on constants (numpy take along `axis`; negative indices count from the end). */
export function foldGather(c: NodeCtx): void {
  const data = input(c, 0);
  const idx = input(c, 1);
  const r = data.dims.length;
  const axis = axisIn(c, c.int('axis', 0), r);
  const n = data.dims[axis]!;
  const outer = numel(data.dims.slice(0, axis));
  const inner = numel(data.dims.slice(axis + 1));
  const picks = Array.from(idx.values, (j) => {
    if (!(j >= -n && j < n)) c.fail(ONNX_CODES.shapeMismatch, `index ${j} is out of range for a dimension of size ${n}`);
    return j < 0 ? j + n : j;
  });
  const values = new Float64Array(outer * picks.length * inner);
  const dynamic = new Map<number, DynamicDim>();
  for (let o = 0; o < outer; o++) {
    picks.forEach((p, k) => {
      for (let i = 0; i < inner; i++) {
        const [from, to] = [(o * n + p) * inner + i, (o * picks.length + k) * inner + i];
        values[to] = data.values[from]!;
        if (data.dynamic.has(from)) dynamic.set(to, data.dynamic.get(from)!);
      }
    });
  }
  define(c, { dims: [...data.dims.slice(0, axis), ...idx.dims, ...data.dims.slice(axis + 1)], values, dtype: data.dtype, dynamic });
}

/** Unsqueeze/Squeeze of a constant: the same values under new dims. */
export function foldSqueeze(c: NodeCtx): void {
  const x = input(c, 0);
  define(c, { ...x, dims: squeezedDims(c, x.dims) });
}

/** Concat of constants along `axis`. */
export function foldConcat(c: NodeCtx): void {
  const parts = c.node.input.map((_, i) => input(c, i));
  const r = parts[0]!.dims.length;
  const a = concatAxis(c, r);
  for (const p of parts) {
    if (p.dims.length !== r || p.dims.some((d, i) => i !== a && d !== parts[0]!.dims[i])) {
      c.fail(ONNX_CODES.shapeMismatch, `shapes [${parts[0]!.dims}] and [${p.dims}] differ off axis ${a}`);
    }
  }
  const outer = numel(parts[0]!.dims.slice(0, a));
  const values: number[] = [];
  const dynamic = new Map<number, DynamicDim>();
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const block = numel(p.dims.slice(a));
      for (let i = 0; i < block; i++) {
        const d = p.dynamic.get(o * block + i);
        if (d) dynamic.set(values.length, d);
        values.push(p.values[o * block + i]!);
      }
    }
  }
  const dims = [...parts[0]!.dims];
  dims[a] = parts.reduce((s, p) => s + p.dims[a]!, 0);
  define(c, { dims, values, dtype: parts[0]!.dtype, dynamic });
}
