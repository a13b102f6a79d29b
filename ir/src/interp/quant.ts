/**
 * The integer level, exactly per fixed.ts: quantize, dequantize, mulconst, shrround,
 * requant, clamp. Per-channel constants index axis 1 (ops.ts channelsOf); a constant of
 * length 1 applies to every channel. requant's product x * c has no declared type: in
 * exact mode it must fit MAX_WIDTH bits (TSVDC613), else float64 could not hold it exactly.
 */
import { dequantizeValue, fits, MAX_WIDTH, quantizeValue, saturate, shrRound } from '../fixed.js';
import type { FixedType } from '../fixed.js';
import { channelsOf } from '../ops.js';
import * as C from './codes.js';
import { type Ctx, type Kernel, fail, int, numbers, size } from './context.js';
import { rnd } from './elementwise.js';

const typeAttr = (ctx: Ctx): FixedType => ctx.node.attrs['type'] as FixedType;

export const quantize: Kernel = (ctx, [x]) => {
  const t = typeAttr(ctx);
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = quantizeValue(X[i]!, t);
  return out;
};

export const dequantize: Kernel = (ctx, [x]) => {
  const t = ctx.inTypes[0]!.elem as FixedType;
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = rnd(ctx.f32, dequantizeValue(X[i]!, t));
  return out;
};

/** x * c[channel] (c of length 1 or C, channels on axis 1). */
function times(ctx: Ctx, x: { shape: readonly number[]; data: Float64Array }): Float64Array {
  const c = numbers(ctx, 'c');
  const X = x.data;
  const out = new Float64Array(X.length);
  const ch = c.length === 1 ? 1 : channelsOf(x.shape);
  const inner = x.shape.length >= 2 ? size(x.shape.slice(2)) : 1;
  for (let i = 0; i < X.length; i++) out[i] = X[i]! * c[Math.floor(i / inner) % ch]!;
  return out;
}

export const mulconst: Kernel = (ctx, [x]) => times(ctx, x!);

export const shrround: Kernel = (ctx, [x]) => {
  const k = int(ctx, 'shift', 0);
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = shrRound(X[i]!, k);
  return out;
};

export const requant: Kernel = (ctx, [x]) => {
  const p = times(ctx, x!);
  const k = int(ctx, 'shift', 0);
  const w = typeAttr(ctx).width;
  for (let i = 0; i < p.length; i++) {
    if (ctx.exact && !fits(p[i]!, MAX_WIDTH)) {
      fail(ctx, C.PRODUCT_OVERFLOW, `requant: x * c = ${x!.data[i]} * c = ${p[i]} exceeds ${MAX_WIDTH} bits at element ${i}`);
    }
    p[i] = saturate(shrRound(p[i]!, k), w);
  }
  return p;
};

export const clamp: Kernel = (ctx, [x]) => {
  const lo = ctx.node.attrs['lo'] as number;
  const hi = ctx.node.attrs['hi'] as number;
  const X = x!.data;
  const out = new Float64Array(X.length);
  for (let i = 0; i < X.length; i++) out[i] = X[i]! < lo ? lo : X[i]! > hi ? hi : X[i]!;
  return out;
};
