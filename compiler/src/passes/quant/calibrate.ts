/**
 * Calibration: the float64 interpreter runs the float module on sample inputs and
 * records, for every value, the largest magnitude it takes (min/max calibration) or a
 * high percentile of its magnitudes (robust to outliers, at the price of clipping
 * them). Quantization picks each tensor's fractional bits from these.
 */
import { interpret, TsvdcError, type Module, type Tensor } from '@tsvdc/ir';
import { PASS_CODES } from '../codes.js';

export type CalibrationMethod = 'minmax' | 'percentile';

export interface Calibration {
  /** Per value: the magnitude its fixed-point type must hold. */
  readonly range: ReadonlyMap<string, number>;
  /** Samples seen. */
  readonly samples: number;
  /** Percentile only: per value, the magnitudes kept (sorted ascending), to count what a range clips. */
  readonly magnitudes?: ReadonlyMap<string, Float64Array>;
}

/** Sample inputs: one record of tensors per batch, keyed by module input name. */
export type CalibrationData = readonly Readonly<Record<string, Tensor>>[];

/** Most magnitudes kept per value for a percentile (evenly strided beyond that). */
const PERCENTILE_SAMPLE = 1 << 16;

export function calibrate(m: Module, data: CalibrationData, method: CalibrationMethod = 'minmax', percentile = 99.99): Calibration {
  if (data.length === 0) throw new TsvdcError(PASS_CODES.badCalibration, 'quantize needs calibration inputs (at least one batch), got none', m.source ? { file: m.source } : undefined);
  const every = { ...m, outputs: [...m.values.keys()].filter((v) => m.values.get(v)!.elem.kind === 'float') };
  const maxAbs = new Map<string, number>();
  const kept = new Map<string, number[]>();
  let samples = 0;
  for (const batch of data) {
    checkBatch(m, batch);
    samples += batch[m.inputs[0]!]?.shape[0] ?? 1;
    const vals = interpret(every, batch, { mode: 'f64' });
    for (const [v, t] of Object.entries(vals)) {
      let a = maxAbs.get(v) ?? 0;
      for (let i = 0; i < t.data.length; i++) a = Math.max(a, Math.abs(t.data[i]!));
      maxAbs.set(v, a);
      if (method === 'percentile') keep(kept, v, t.data);
    }
  }
  if (method === 'minmax') return { range: maxAbs, samples };
  const range = new Map<string, number>();
  const magnitudes = new Map<string, Float64Array>();
  for (const [v, xs] of kept) {
    const sorted = Float64Array.from(xs).sort();
    magnitudes.set(v, sorted);
    range.set(v, percentileOfSorted(sorted, percentile));
  }
  return { range, samples, magnitudes };
}

/**
 * How many calibration values of `v` lie beyond +-limit (a saturating op with that
 * representable range clips them), out of how many: counted in the magnitudes kept for
 * the percentile (every value when a tensor has at most PERCENTILE_SAMPLE per batch).
 * Min/max keeps none and clips none: its range is the largest magnitude, which fits.
 */
export function clippedBeyond(cal: Calibration, v: string, limit: number): { clipped: number; total: number } {
  const xs = cal.magnitudes?.get(v);
  if (!xs) return { clipped: 0, total: 0 };
  let [lo, hi] = [0, xs.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! > limit) hi = mid; else lo = mid + 1;
  }
  return { clipped: xs.length - lo, total: xs.length };
}

function keep(kept: Map<string, number[]>, v: string, data: Float64Array): void {
  const list = kept.get(v) ?? [];
  const step = Math.max(1, Math.ceil(data.length / PERCENTILE_SAMPLE));
  for (let i = 0; i < data.length; i += step) list.push(Math.abs(data[i]!));
  kept.set(v, list);
}

/** The p-th percentile (0 < p <= 100) of magnitudes, nearest rank: the smallest x with at least p% of xs <= x. */
export function percentileOf(xs: readonly number[], p: number): number {
  return percentileOfSorted(Float64Array.from(xs).sort(), p);
}

function percentileOfSorted(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  // p% of n, less a relative hair: (p / 100) * n gave 7.000000000000001 for p = 7, n = 100 (rank 8, not 7)
  const k = (p * sorted.length) / 100;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(k - 1e-9 * k) - 1));
  return sorted[rank]!;
}

function checkBatch(m: Module, batch: Readonly<Record<string, Tensor>>): void {
  for (const v of m.inputs) {
    const t = batch[v];
    const decl = m.values.get(v)!;
    const ok = t !== undefined && t.shape.length === decl.shape.length && t.shape.every((d, i) => decl.shape[i] === -1 || d === decl.shape[i]);
    if (!ok) {
      const got = t ? `[${t.shape}]` : 'nothing';
      throw new TsvdcError(PASS_CODES.badCalibration, `calibration input %${v}: expected shape [${decl.shape.map((d) => (d === -1 ? '?' : d))}], got ${got}`, m.source ? { file: m.source } : undefined);
    }
  }
}
