/**
 * Integer intervals per channel (axis 1; features of a rank-2 tensor), the domain of
 * the bit-width analysis, and how the linear ops move them. A one-channel Ranges
 * applies to every channel. Lanes of a padded conv window also take the value 0.
 */
import { TreeOp, type AddTree, type TernaryTensor } from '@tsvdc/ir';
import { ternaryRowTerms } from '@tsvdc/ir';
import type { LaneIntervals } from './tree-types.js';

export interface Ranges {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

export function ranges(channels: number, lo = 0, hi = 0): Ranges {
  return { lo: new Float64Array(channels).fill(lo), hi: new Float64Array(channels).fill(hi) };
}

/** Channel c of r (one channel stands for all). */
export function at(r: Ranges, c: number): [number, number] {
  const k = r.lo.length === 1 ? 0 : c;
  return [r.lo[k]!, r.hi[k]!];
}

/** One interval covering every channel. */
export function union(r: Ranges): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < r.lo.length; c++) { lo = Math.min(lo, r.lo[c]!); hi = Math.max(hi, r.hi[c]!); }
  return [lo, hi];
}

/** r on `channels` channels: kept when it has them, else their union repeated. */
export function spread(r: Ranges, channels: number): Ranges {
  if (r.lo.length === channels) return r;
  const [lo, hi] = union(r);
  return ranges(channels, lo, hi);
}

/** Each channel's interval through a non-decreasing f. */
export function mapMonotone(r: Ranges, f: (x: number, c: number) => number): Ranges {
  const out = ranges(r.lo.length);
  for (let c = 0; c < r.lo.length; c++) { out.lo[c] = f(r.lo[c]!, c); out.hi[c] = f(r.hi[c]!, c); }
  return out;
}

/** [lo, hi] * k. */
export function scaleBy(lo: number, hi: number, k: number): [number, number] {
  return k >= 0 ? [lo * k, hi * k] : [hi * k, lo * k];
}

/** Lane intervals of a matrix stage over `n` features (rank-2 input: per feature; else the union). */
export function featureLanes(x: Ranges, rank: number, n: number): LaneIntervals {
  const r = rank === 2 ? spread(x, n) : spread(ranges(1, ...union(x)), n);
  return { lo: r.lo, hi: r.hi };
}

/** Lane intervals of a conv window of group g (lanes ordered channel, kh, kw), with 0 when padded. */
export function windowLanes(x: Ranges, g: number, cinG: number, k: number, padded: boolean): LaneIntervals {
  const lo = new Float64Array(cinG * k);
  const hi = new Float64Array(cinG * k);
  for (let ci = 0; ci < cinG; ci++) {
    let [l, h] = at(x, g * cinG + ci);
    if (padded) { l = Math.min(l, 0); h = Math.max(h, 0); }
    lo.fill(l, ci * k, (ci + 1) * k);
    hi.fill(h, ci * k, (ci + 1) * k);
  }
  return { lo, hi };
}

/** Lane intervals covering several (per-group) lane intervals. */
export function laneUnion(parts: readonly LaneIntervals[]): LaneIntervals {
  const n = parts[0]!.lo.length;
  const lo = new Float64Array(n).fill(Infinity);
  const hi = new Float64Array(n).fill(-Infinity);
  for (const p of parts) for (let l = 0; l < n; l++) { lo[l] = Math.min(lo[l]!, p.lo[l]!); hi[l] = Math.max(hi[l]!, p.hi[l]!); }
  return { lo, hi };
}

/** Row intervals of ternary rows rowFrom..rowTo-1 over lanes. */
export function ternaryRows(w: TernaryTensor, lanes: LaneIntervals, rowFrom = 0, rowTo = w.rows): Ranges {
  const out = ranges(rowTo - rowFrom);
  for (let o = rowFrom; o < rowTo; o++) {
    const { plus, minus } = ternaryRowTerms(w, o);
    let lo = 0;
    let hi = 0;
    for (const j of plus) { lo += lanes.lo[j]!; hi += lanes.hi[j]!; }
    for (const j of minus) { lo -= lanes.hi[j]!; hi -= lanes.lo[j]!; }
    out.lo[o - rowFrom] = lo;
    out.hi[o - rowFrom] = hi;
  }
  return out;
}

/** Row intervals rowFrom..rowTo-1 of a typed tree evaluated on `lanes` (interval arithmetic). */
export function treeRows(t: AddTree, lanes: LaneIntervals, rowFrom = 0, rowTo = t.outputs.length): Ranges {
  const lo = new Float64Array(t.size);
  const hi = new Float64Array(t.size);
  for (let i = 0; i < t.size; i++) {
    const a = t.a[i]!;
    const b = t.b[i]!;
    switch (t.op[i]) {
      case TreeOp.In: lo[i] = lanes.lo[a]!; hi[i] = lanes.hi[a]!; break;
      case TreeOp.Add: lo[i] = lo[a]! + lo[b]!; hi[i] = hi[a]! + hi[b]!; break;
      case TreeOp.Sub: lo[i] = lo[a]! - hi[b]!; hi[i] = hi[a]! - lo[b]!; break;
      default: lo[i] = -hi[a]!; hi[i] = -lo[a]!;
    }
  }
  const out = ranges(rowTo - rowFrom);
  for (let o = rowFrom; o < rowTo; o++) {
    const id = t.outputs[o]!;
    out.lo[o - rowFrom] = id < 0 ? 0 : lo[id]!;
    out.hi[o - rowFrom] = id < 0 ? 0 : hi[id]!;
  }
  return out;
}

/** Rows of a dense int matrix [m, n] over lanes, plus an optional int bias per row. */
export function denseRows(w: ArrayLike<number>, m: number, n: number, lanesOf: (o: number) => LaneIntervals, bias?: ArrayLike<number>): Ranges {
  const out = ranges(m);
  for (let o = 0; o < m; o++) {
    const lanes = lanesOf(o);
    let lo = bias ? bias[o]! : 0;
    let hi = lo;
    for (let i = 0; i < n; i++) {
      const [a, b] = scaleBy(lanes.lo[i]!, lanes.hi[i]!, w[o * n + i]!);
      lo += a;
      hi += b;
    }
    out.lo[o] = lo;
    out.hi[o] = hi;
  }
  return out;
}
