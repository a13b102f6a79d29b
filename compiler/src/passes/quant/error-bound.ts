/**
 * The quantization error bound, computed from the quantization parameters and carried
 * along with every value: per channel (axis 1), a bound on |dequantized integer result
 * - float64 result| (`err`) and on |float64 result| (`mag`). Linear stages sum their
 * inputs' errors through |W|; requantization adds its rounding and the error of its
 * fixed-point multiplier times the magnitude; float ops after dequantize scale it by
 * their Lipschitz constant (softmax 1/2, sigmoid 1/4 in the max norm).
 *
 * Precondition: the float64 value at every saturating op (quantize, requant) lies in
 * that op's representable range (true for calibration inputs under min/max
 * calibration). Saturation then only moves a result towards the float value.
 */
import { ternaryRowTerms, type TernaryTensor } from '@tsvdc/ir';

/** Per-channel bounds; length 1 stands for every channel. */
export type Chans = Float64Array;

export function chans(n: number, v: number): Chans {
  return new Float64Array(n).fill(v);
}

export function chanAt(x: Chans, c: number): number {
  return x[x.length === 1 ? 0 : c]!;
}

export function maxOfChans(x: Chans): number {
  let m = 0;
  for (const v of x) m = Math.max(m, v);
  return m;
}

export function mapChans(x: Chans, f: (v: number, c: number) => number): Chans {
  return x.map((v, c) => f(v, c));
}

/** Elementwise a + b (broadcasting a single channel). */
export function addChans(a: Chans, b: Chans): Chans {
  const n = Math.max(a.length, b.length);
  const out = new Float64Array(n);
  for (let c = 0; c < n; c++) out[c] = chanAt(a, c) + chanAt(b, c);
  return out;
}

/** x on n channels (one channel repeated; any other mismatch: the maximum, which is safe). */
export function spreadChans(x: Chans, n: number): Chans {
  if (x.length === n) return x;
  return chans(n, maxOfChans(x));
}

/**
 * Through ternary rows: out[o] = sum over the row's lanes of `perLane(lane)`, rows
 * rowFrom..rowTo-1 (what V x does to an error or a magnitude).
 */
export function ternaryRowSums(w: TernaryTensor, perLane: (lane: number, row: number) => number, rowFrom = 0, rowTo = w.rows): Float64Array {
  const out = new Float64Array(rowTo - rowFrom);
  for (let o = rowFrom; o < rowTo; o++) {
    const { plus, minus } = ternaryRowTerms(w, o);
    let s = 0;
    for (const j of plus) s += perLane(j, o);
    for (const j of minus) s += perLane(j, o);
    out[o - rowFrom] = s;
  }
  return out;
}

/** Rows of a dense matrix [m, n]: out[o] = sum_j |a[o, j]| * perLane(j, o). */
export function denseRowSums(a: ArrayLike<number>, m: number, n: number, perLane: (lane: number, row: number) => number): Float64Array {
  const out = new Float64Array(m);
  for (let o = 0; o < m; o++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(a[o * n + j]!) * perLane(j, o);
    out[o] = s;
  }
  return out;
}

/** Lipschitz constant (max norm) of the float-only ops, Infinity where none is known. */
export function lipschitz(op: string): number {
  switch (op) {
    case 'softmax': return 0.5;
    case 'sigmoid': return 0.25;
    case 'tanh': case 'clip': case 'relu': case 'maxpool2d': case 'avgpool2d': case 'globalavgpool': return 1;
    default: return Infinity;
  }
}

/** Calibration values beyond the range of the saturating op on `value` (of `layer`): the bound's precondition fails for them. */
export interface Clipping {
  readonly value: string;
  readonly layer: string;
  readonly clipped: number;
  readonly total: number;
}

/** What the bound says about each module output and each layer. */
export interface QuantBound {
  /** Per module output: per-channel bound on |integer result - float64 result|. */
  readonly outputs: ReadonlyMap<string, Chans>;
  /** Per float node (in order): its output value and the largest bound over its channels. */
  readonly values: ReadonlyArray<{ readonly node: string; readonly value: string; readonly bound: number }>;
  /** Per saturating op, under percentile calibration (empty under min/max, which clips nothing). */
  readonly clipping: readonly Clipping[];
}
