/**
 * convtranspose2d (ONNX ConvTranspose, W [Cin, Cout/G, K1, K2]) as a gather, so that each
 * output is one sum in a defined order: over input channels of its group, then kh, then kw
 * ascending, of W * x[ih, iw] where oh = ih * stride + kh * dilation - padTop (same for w);
 * bias added last. In f32 every product and partial sum is rounded.
 */
import { type Kernel, hasConst, int, ints, numbers, shapeOfConst, size } from './context.js';

export const convtranspose2d: Kernel = (ctx, [x], outShape) => {
  const [n, cin, h, w] = x!.shape as [number, number, number, number];
  const [, coutG, k1, k2] = shapeOfConst(ctx, 'W') as [number, number, number, number];
  const [, cout, oh, ow] = outShape as [number, number, number, number];
  const g = int(ctx, 'groups', 1);
  const [sh, sw] = ints(ctx, 'strides', [1, 1]) as [number, number];
  const [dh, dw] = ints(ctx, 'dilations', [1, 1]) as [number, number];
  const [pt, pl] = ints(ctx, 'pads', [0, 0, 0, 0]) as [number, number];
  const W = numbers(ctx, 'W');
  const bias = hasConst(ctx, 'bias') ? numbers(ctx, 'bias') : undefined;
  const cinG = cin / g;
  const X = x!.data;
  const out = new Float64Array(size(outShape));
  const f32 = ctx.f32;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let co = 0; co < cout; co++) {
      const gi = Math.floor(co / coutG);
      const col = co % coutG;
      for (let y = 0; y < oh; y++) {
        for (let z = 0; z < ow; z++, o++) {
          let acc = 0;
          for (let ci = gi * cinG; ci < (gi + 1) * cinG; ci++) {
            for (let a = 0; a < k1; a++) {
              const th = y + pt - a * dh;
              if (th < 0 || th % sh !== 0 || th / sh >= h) continue;
              for (let c = 0; c < k2; c++) {
                const tw = z + pl - c * dw;
                if (tw < 0 || tw % sw !== 0 || tw / sw >= w) continue;
                const p = W[((ci * coutG + col) * k1 + a) * k2 + c]! * X[((b * cin + ci) * h + th / sh) * w + tw / sw]!;
                acc = f32 ? Math.fround(acc + Math.fround(p)) : acc + p;
              }
            }
          }
          if (bias) acc = f32 ? Math.fround(acc + bias[co]!) : acc + bias[co]!;
          out[o] = acc;
        }
      }
    }
  }
  return out;
};
