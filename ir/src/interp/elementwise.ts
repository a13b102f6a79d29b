/**
 * Elementwise kernels. Float data: one rounding per operation in f32 (an elementary
 * function - exp, tanh, sqrt - is evaluated in float64 and rounded once; float backends
 * may differ from it by a few ulps, which the differential harness lists as accepted).
 * Fixed-point data (relu, add, mul, bias): exact integer arithmetic.
 */
import { channelsOf } from '../ops.js';
import { type Ctx, type Kernel, hasConst, int, numbers, size } from './context.js';
import { addChannels, scaleChannels } from './linear.js';

/** One rounding to f32 when `f32` (a plain function: V8 inlines it, no closure per element). */
export function rnd(f32: boolean, v: number): number {
  return f32 ? Math.fround(v) : v;
}

export const relu: Kernel = (_ctx, [x]) => {
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = X[i]! > 0 ? X[i]! : 0;
  return out;
};

export const identity: Kernel = (_ctx, [x]) => x!.data;

export const sigmoid: Kernel = (ctx, [x]) => {
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = rnd(ctx.f32, 1 / (1 + Math.exp(-X[i]!)));
  return out;
};

export const tanh: Kernel = (ctx, [x]) => {
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = rnd(ctx.f32, Math.tanh(X[i]!));
  return out;
};

export const clip: Kernel = (ctx, [x]) => {
  const lo = rnd(ctx.f32, (ctx.node.attrs['min'] as number | undefined) ?? -Infinity);
  const hi = rnd(ctx.f32, (ctx.node.attrs['max'] as number | undefined) ?? Infinity);
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = X[i]! < lo ? lo : X[i]! > hi ? hi : X[i]!;
  return out;
};

function inner(shape: readonly number[]): number {
  return shape.length >= 2 ? size(shape.slice(2)) : 1;
}

export const scale: Kernel = (ctx, [x]) => {
  const y = Float64Array.from(x!.data);
  scaleChannels(y, channelsOf(x!.shape), inner(x!.shape), numbers(ctx, 's'), ctx.f32);
  return y;
};

export const bias: Kernel = (ctx, [x]) => {
  const y = Float64Array.from(x!.data);
  addChannels(y, channelsOf(x!.shape), inner(x!.shape), numbers(ctx, 'b'), ctx.f32);
  return y;
};

/** Strides of `shape` aligned to an output of rank `rank`, 0 along broadcast dimensions. */
function broadcastStrides(shape: readonly number[], out: readonly number[]): Int32Array {
  const st = new Int32Array(out.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const k = out.length - shape.length + i;
    st[k] = shape[i] === 1 && out[k] !== 1 ? 0 : s;
    s *= shape[i]!;
  }
  return st;
}

function binary(ctx: Ctx, a: { shape: readonly number[]; data: Float64Array }, b: { shape: readonly number[]; data: Float64Array }, outShape: readonly number[], mul: boolean): Float64Array {
  const out = new Float64Array(size(outShape));
  const [sa, sb] = [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)];
  const idx = new Int32Array(outShape.length);
  let [ia, ib] = [0, 0];
  for (let o = 0; o < out.length; o++) {
    const v = mul ? a.data[ia]! * b.data[ib]! : a.data[ia]! + b.data[ib]!;
    out[o] = ctx.f32 ? Math.fround(v) : v;
    for (let k = outShape.length - 1; k >= 0; k--) {
      idx[k]!++;
      ia += sa[k]!;
      ib += sb[k]!;
      if (idx[k]! < outShape[k]!) break;
      ia -= sa[k]! * outShape[k]!;
      ib -= sb[k]! * outShape[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

export const add: Kernel = (ctx, [a, b], outShape) => binary(ctx, a!, b!, outShape, false);
export const mul: Kernel = (ctx, [a, b], outShape) => binary(ctx, a!, b!, outShape, true);

/** Rows of the last axis (layernorm) or of any axis (softmax): [outer, n, inner]. */
function axisLayout(shape: readonly number[], axis: number): [number, number, number] {
  const a = axis < 0 ? axis + shape.length : axis;
  return [size(shape.slice(0, a)), shape[a]!, size(shape.slice(a + 1))];
}

/** softmax: m = max; e_i = exp(x_i - m); s = sum e_i (ascending); y_i = e_i / s. */
export const softmax: Kernel = (ctx, [x]) => {
  const f32 = ctx.f32;
  const [outer, n, inn] = axisLayout(x!.shape, int(ctx, 'axis', -1));
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let o = 0; o < outer; o++) {
    for (let q = 0; q < inn; q++) {
      const base = o * n * inn + q;
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, X[base + i * inn]!);
      let s = 0;
      for (let i = 0; i < n; i++) {
        const e = rnd(f32, Math.exp(rnd(f32, X[base + i * inn]! - m)));
        out[base + i * inn] = e;
        s = rnd(f32, s + e);
      }
      for (let i = 0; i < n; i++) out[base + i * inn] = rnd(f32, out[base + i * inn]! / s);
    }
  }
  return out;
};

/**
 * layernorm over the last axis: mean = (sum x) / n; d = x - mean; var = (sum d*d) / n
 * (population); y = d / sqrt(var + epsilon) * scale + bias. Sums ascending.
 */
export const layernorm: Kernel = (ctx, [x]) => {
  const f32 = ctx.f32;
  const n = x!.shape[x!.shape.length - 1]!;
  const eps = rnd(f32, ctx.node.attrs['epsilon'] as number);
  const sc = hasConst(ctx, 'scale') ? numbers(ctx, 'scale') : undefined;
  const bi = hasConst(ctx, 'bias') ? numbers(ctx, 'bias') : undefined;
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let base = 0; base < X.length; base += n) {
    let s = 0;
    for (let i = 0; i < n; i++) s = rnd(f32, s + X[base + i]!);
    const mean = rnd(f32, s / n);
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = rnd(f32, X[base + i]! - mean);
      v = rnd(f32, v + rnd(f32, d * d));
    }
    const den = rnd(f32, Math.sqrt(rnd(f32, rnd(f32, v / n) + eps)));
    for (let i = 0; i < n; i++) {
      let y = rnd(f32, rnd(f32, X[base + i]! - mean) / den);
      if (sc) y = rnd(f32, y * sc[i]!);
      if (bi) y = rnd(f32, y + bi[i]!);
      out[base + i] = y;
    }
  }
  return out;
};
