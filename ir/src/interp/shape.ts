/**
 * Data movement: flatten and reshape keep the row-major order (the data is shared,
 * tensors are never mutated); transpose permutes axes; concat joins along an axis;
 * pad fills the border with `value` (on fixed-point data, the integer q itself).
 */
import { type Kernel, int, ints, size } from './context.js';
import { padNCHW } from './windows.js';

export const flatten: Kernel = (_ctx, [x]) => x!.data;
export const reshape: Kernel = (_ctx, [x]) => x!.data;

export const transpose: Kernel = (ctx, [x], outShape) => {
  const perm = ints(ctx, 'perm', []);
  const inShape = x!.shape;
  const rank = inShape.length;
  const inStride = new Int32Array(rank);
  for (let i = rank - 1, s = 1; i >= 0; s *= inShape[i]!, i--) inStride[i] = s;
  const step = Int32Array.from(perm, (p) => inStride[p]!); // input stride along each output axis
  const out = new Float64Array(size(outShape));
  const idx = new Int32Array(rank);
  let src = 0;
  for (let o = 0; o < out.length; o++) {
    out[o] = x!.data[src]!;
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]!++;
      src += step[k]!;
      if (idx[k]! < outShape[k]!) break;
      src -= step[k]! * outShape[k]!;
      idx[k] = 0;
    }
  }
  return out;
};

export const concat: Kernel = (ctx, ins, outShape) => {
  const axis = int(ctx, 'axis', 1);
  const outer = size(outShape.slice(0, axis));
  const inner = size(outShape.slice(axis + 1));
  const out = new Float64Array(size(outShape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of ins) {
      const chunk = t.shape[axis]! * inner;
      out.set(t.data.subarray(o * chunk, (o + 1) * chunk), at);
      at += chunk;
    }
  }
  return out;
};

export const pad: Kernel = (ctx, [x]) => {
  const value = (ctx.node.attrs['value'] as number | undefined) ?? 0;
  const r = padNCHW(x!.data, x!.shape, ints(ctx, 'pads', [0, 0, 0, 0]), ctx.f32 ? Math.fround(value) : value);
  return r.data === x!.data ? Float64Array.from(r.data) : r.data;
};
