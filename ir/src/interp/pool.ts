/**
 * Pooling (ONNX semantics, NCHW). maxpool: padding never wins (only real positions
 * compete). avgpool: sum of the real positions in (kh, kw) ascending order, divided by
 * their count, or by K1*K2 with countIncludePad. globalavgpool: sum over H then W
 * ascending, divided by H*W. In f32 each addition and the division are rounded.
 */
import { type Ctx, type Kernel, ints, size } from './context.js';
import { rnd } from './elementwise.js';

type Reduce = 'max' | 'avg';

function pool(ctx: Ctx, x: { shape: readonly number[]; data: Float64Array }, outShape: readonly number[], how: Reduce): Float64Array {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [, , oh, ow] = outShape as [number, number, number, number];
  const [k1, k2] = ints(ctx, 'kernel', [1, 1]) as [number, number];
  const [sh, sw] = ints(ctx, 'strides', [1, 1]) as [number, number];
  const [dh, dw] = ints(ctx, 'dilations', [1, 1]) as [number, number];
  const [pt, pl] = ints(ctx, 'pads', [0, 0, 0, 0]) as [number, number];
  const includePad = ctx.node.attrs['countIncludePad'] === true;
  const f32 = ctx.f32;
  const X = x.data;
  const out = new Float64Array(size(outShape));
  let o = 0;
  for (let plane = 0; plane < n * c; plane++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++, o++) {
        let acc = how === 'max' ? -Infinity : 0;
        let count = 0;
        for (let a = 0; a < k1; a++) {
          const iy = y * sh - pt + a * dh;
          if (iy < 0 || iy >= h) continue;
          for (let b = 0; b < k2; b++) {
            const ix = z * sw - pl + b * dw;
            if (ix < 0 || ix >= w) continue;
            const v = X[(plane * h + iy) * w + ix]!;
            if (how === 'max') acc = v > acc ? v : acc;
            else acc = rnd(f32, acc + v);
            count++;
          }
        }
        out[o] = how === 'max' ? acc : rnd(f32, acc / (includePad ? k1 * k2 : count));
      }
    }
  }
  return out;
}

export const maxpool2d: Kernel = (ctx, [x], outShape) => pool(ctx, x!, outShape, 'max');
export const avgpool2d: Kernel = (ctx, [x], outShape) => pool(ctx, x!, outShape, 'avg');

export const globalavgpool: Kernel = (ctx, [x]) => {
  const [n, c, h, w] = x!.shape as [number, number, number, number];
  const X = x!.data;
  const out = new Float64Array(n * c);
  for (let p = 0; p < n * c; p++) {
    let s = 0;
    for (let i = 0; i < h * w; i++) s = rnd(ctx.f32, s + X[p * h * w + i]!);
    out[p] = rnd(ctx.f32, s / (h * w));
  }
  return out;
};
