/**
 * The three ways a linear stage is evaluated over its windows (windows.ts):
 * dense weights, ternary weights (sparse rows), or an add tree (tree.ts).
 * Summation order (the f32 contract, see README.md): terms in ascending lane order,
 * starting from 0; in f32 every product and every partial sum is rounded.
 */
import type { TernaryRows } from './context.js';
import type { Windows } from './windows.js';

/** y[row] = sum_l W[row, l] * x[lane l] (+ bias[row], added last). */
export function denseMap(x: Float64Array, win: Windows, W: Float64Array, lanes: number, bias: Float64Array | undefined, out: Float64Array, f32: boolean): void {
  const { laneOff, rowsPerGroup, outStride } = win;
  for (let p = 0; p < win.positions; p++) {
    const base = win.inBase[p]!;
    const r0 = win.group[p]! * rowsPerGroup;
    for (let r = 0; r < rowsPerGroup; r++) {
      const wrow = (r0 + r) * lanes;
      let acc = 0;
      if (f32) {
        for (let l = 0; l < lanes; l++) acc = Math.fround(acc + Math.fround(W[wrow + l]! * x[base + laneOff[l]!]!));
        if (bias) acc = Math.fround(acc + bias[r0 + r]!);
      } else {
        for (let l = 0; l < lanes; l++) acc += W[wrow + l]! * x[base + laneOff[l]!]!;
        if (bias) acc += bias[r0 + r]!;
      }
      out[win.outBase[p]! + r * outStride] = acc;
    }
  }
}

/** y[row] = sum over the row's non-zeros (ascending columns) of +-x[lane]. */
export function ternaryMap(x: Float64Array, win: Windows, w: TernaryRows, out: Float64Array, f32: boolean): void {
  const { laneOff, rowsPerGroup, outStride, start, col, sign } = { ...win, ...w };
  for (let p = 0; p < win.positions; p++) {
    const base = win.inBase[p]!;
    const r0 = win.group[p]! * rowsPerGroup;
    for (let r = 0; r < rowsPerGroup; r++) {
      const [from, to] = [start[r0 + r]!, start[r0 + r + 1]!];
      let acc = 0;
      if (f32) for (let k = from; k < to; k++) acc = Math.fround(acc + sign[k]! * x[base + laneOff[col[k]!]!]!);
      else for (let k = from; k < to; k++) acc += sign[k]! * x[base + laneOff[col[k]!]!]!;
      out[win.outBase[p]! + r * outStride] = acc;
    }
  }
}
