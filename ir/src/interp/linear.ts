/**
 * Kernels of the linear ops. Float data: f64, or f32 with the rounding of linmap.ts.
 * Fixed-point data (int weights, ternary weights, typed trees): exact integer sums;
 * only the final result is checked in exact mode (index.ts), except tree nodes, which
 * have declared widths of their own (tree.ts). Dense int accumulators need no check of
 * partial sums: in two's complement a sum whose final value fits is computed correctly
 * by an accumulator of the final width, whatever its partial sums do.
 */
import { invariant } from '../diagnostics.js';
import { type Ctx, type Kernel, hasConst, int, ints, size, numbers, shapeOfConst, ternaryRows, treeOf } from './context.js';
import { denseMap, ternaryMap } from './linmap.js';
import { treeMap } from './tree.js';
import { convOut, convWindows, matrixWindows, padNCHW, type Windows } from './windows.js';

const fixedIn = (ctx: Ctx): boolean => ctx.inTypes[0]!.elem.kind === 'fixed';

/** The windows must cover the output the op's inference declared (a guard against the two drifting apart). */
function covers(win: Windows, out: Float64Array): Windows {
  invariant(win.positions * win.rowsPerGroup === out.length, `windows give ${win.positions * win.rowsPerGroup} values, the output has ${out.length}`);
  return win;
}

function convGeometry(ctx: Ctx, x: { shape: readonly number[] }, cout: number, k: readonly number[], prefix = '') {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return {
    n, c, h, w, cout, groups: int(ctx, 'groups', 1), k: [k[0]!, k[1]!] as [number, number],
    strides: ints(ctx, prefix ? `${prefix}Strides` : 'strides', [1, 1]) as [number, number],
    dilations: ints(ctx, prefix ? `${prefix}Dilations` : 'dilations', [1, 1]) as [number, number],
  };
}

export const linear: Kernel = (ctx, [x], outShape) => {
  const [m, n] = shapeOfConst(ctx, 'W') as [number, number];
  const out = new Float64Array(size(outShape));
  const bias = hasConst(ctx, 'bias') ? numbers(ctx, 'bias') : undefined;
  denseMap(x!.data, matrixWindows(x!.data.length / n, n, m), numbers(ctx, 'W'), n, bias, out, ctx.f32);
  return out;
};

export const conv2d: Kernel = (ctx, [x], outShape) => {
  const [cout, cinG, k1, k2] = shapeOfConst(ctx, 'W') as [number, number, number, number];
  const p = padNCHW(x!.data, x!.shape, ints(ctx, 'pads', [0, 0, 0, 0]));
  const out = new Float64Array(size(outShape));
  const bias = hasConst(ctx, 'bias') ? numbers(ctx, 'bias') : undefined;
  denseMap(p.data, covers(convWindows(convGeometry(ctx, p, cout, [k1, k2])), out), numbers(ctx, 'W'), cinG * k1 * k2, bias, out, ctx.f32);
  return out;
};

/** A ternary stage: its tree when it has one, else its weights. */
function stage(ctx: Ctx, x: Float64Array, win: Windows, out: Float64Array): void {
  const t = treeOf(ctx);
  if (t) treeMap(ctx, t, x, win, out, ctx.f32, ctx.exact && fixedIn(ctx) && t.types !== undefined);
  else ternaryMap(x, win, ternaryRows(ctx, 'weights'), out, ctx.f32);
}

export const tmatvec: Kernel = (ctx, [x], outShape) => {
  const w = ternaryRows(ctx, 'weights');
  const out = new Float64Array(size(outShape));
  stage(ctx, x!.data, matrixWindows(x!.data.length / w.cols, w.cols, w.rows), out);
  return out;
};

export const tconv: Kernel = (ctx, [x], outShape) => {
  const [cout, , k1, k2] = shapeOfConst(ctx, 'weights') as [number, number, number, number];
  const p = padNCHW(x!.data, x!.shape, ints(ctx, 'pads', [0, 0, 0, 0]));
  const out = new Float64Array(size(outShape));
  stage(ctx, p.data, covers(convWindows(convGeometry(ctx, p, cout, [k1, k2])), out), out);
  return out;
};

/** y[:, c, ...] = x[:, c, ...] * s[c] over `inner` elements per channel (in place). */
function scaleChannels(y: Float64Array, channels: number, inner: number, s: Float64Array, f32: boolean): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]! * s[Math.floor(i / inner) % channels]!;
    y[i] = f32 ? Math.fround(v) : v;
  }
}

function addChannels(y: Float64Array, channels: number, inner: number, b: Float64Array, f32: boolean): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i]! + b[Math.floor(i / inner) % channels]!;
    y[i] = f32 ? Math.fround(v) : v;
  }
}

/** tlinear: t = V x, t = s * t, y = U t, y = y + bias (the order lowering produces). */
export const tlinear: Kernel = (ctx, [x], outShape) => {
  const [V, U] = [ternaryRows(ctx, 'V'), ternaryRows(ctx, 'U')];
  const positions = x!.data.length / V.cols;
  const t = new Float64Array(positions * V.rows);
  ternaryMap(x!.data, matrixWindows(positions, V.cols, V.rows), V, t, ctx.f32);
  scaleChannels(t, V.rows, 1, numbers(ctx, 's'), ctx.f32);
  const out = new Float64Array(size(outShape));
  ternaryMap(t, matrixWindows(positions, U.cols, U.rows), U, out, ctx.f32);
  if (hasConst(ctx, 'bias')) addChannels(out, U.rows, 1, numbers(ctx, 'bias'), ctx.f32);
  return out;
};

/** tconv2d: pad once, conv(V), * s per channel, conv(U) without padding, + bias. */
export const tconv2d: Kernel = (ctx, [x], outShape) => {
  const [V, U] = [ternaryRows(ctx, 'V'), ternaryRows(ctx, 'U')];
  const [vs, us] = [shapeOfConst(ctx, 'V'), shapeOfConst(ctx, 'U')];
  const p = padNCHW(x!.data, x!.shape, ints(ctx, 'pads', [0, 0, 0, 0]));
  const gv = convGeometry(ctx, p, vs[0]!, [vs[2]!, vs[3]!], 'v');
  const winV = convWindows(gv);
  const mid = new Float64Array(winV.positions * winV.rowsPerGroup);
  ternaryMap(p.data, winV, V, mid, ctx.f32);
  const [mh, mw] = convOut(gv);
  scaleChannels(mid, vs[0]!, mh * mw, numbers(ctx, 's'), ctx.f32);
  const gu = convGeometry(ctx, { shape: [p.shape[0]!, vs[0]!, mh, mw] }, us[0]!, [us[2]!, us[3]!], 'u');
  const out = new Float64Array(size(outShape));
  ternaryMap(mid, covers(convWindows(gu), out), U, out, ctx.f32);
  if (hasConst(ctx, 'bias')) addChannels(out, us[0]!, outShape[2]! * outShape[3]!, numbers(ctx, 'bias'), ctx.f32);
  return out;
};

export { addChannels, scaleChannels };
