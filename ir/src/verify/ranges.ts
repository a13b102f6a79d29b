/**
 * Integer intervals per channel (axis 1, see ops.ts channelsOf), the domain of the
 * integer-stage interval analysis. Per-channel rather than per-tensor so that a
 * bit-width pass that sizes each layer from per-channel ranges is never rejected by a
 * coarser verifier. A Ranges of one channel applies to every channel.
 */
import type { AddTree } from '../addtree.js';
import { liveNodes, TreeOp } from '../addtree.js';
import type { FixedType } from '../fixed.js';
import { maxOf, minOf } from '../fixed.js';
import type { TernaryTensor } from '../ternary.js';
import { ternaryRowTerms } from '../ternary.js';

export interface Ranges {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

export function ranges(channels: number): { lo: Float64Array; hi: Float64Array } {
  return { lo: new Float64Array(channels), hi: new Float64Array(channels) };
}

/** Every value a fixed type can hold, on `channels` channels. */
export function fullRange(t: FixedType, channels = 1): Ranges {
  const r = ranges(channels);
  r.lo.fill(minOf(t.width));
  r.hi.fill(maxOf(t.width));
  return r;
}

/** One channel covering all of them. */
export function union(r: Ranges): Ranges {
  const u = ranges(1);
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < r.lo.length; c++) {
    if (r.lo[c]! < lo) lo = r.lo[c]!;
    if (r.hi[c]! > hi) hi = r.hi[c]!;
  }
  u.lo[0] = lo;
  u.hi[0] = hi;
  return u;
}

/** Channel c of r (a one-channel Ranges applies to all). */
export function chan(r: Ranges, c: number): number {
  return r.lo.length === 1 ? 0 : c;
}

/** r on exactly `channels` channels (a single channel is repeated, a mismatch is unioned). */
export function spread(r: Ranges, channels: number): Ranges {
  if (r.lo.length === channels) return r;
  const u = union(r);
  const out = ranges(channels);
  out.lo.fill(u.lo[0]!);
  out.hi.fill(u.hi[0]!);
  return out;
}

/** Elementwise map of each channel's interval through a monotone non-decreasing f. */
export function mapMonotone(r: Ranges, f: (x: number, c: number) => number): Ranges {
  const out = ranges(r.lo.length);
  for (let c = 0; c < r.lo.length; c++) {
    out.lo[c] = f(r.lo[c]!, c);
    out.hi[c] = f(r.hi[c]!, c);
  }
  return out;
}

/** [lo, hi] * k for a constant k (corners swap for negative k). */
export function scaleBy(lo: number, hi: number, k: number): [number, number] {
  return k >= 0 ? [lo * k, hi * k] : [hi * k, lo * k];
}

/** Interval of every row of a ternary matrix applied to lanes in the given ranges. */
export function ternaryRowRanges(w: TernaryTensor, lanes: Ranges, rowFrom = 0, rowTo = w.rows): Ranges {
  const out = ranges(rowTo - rowFrom);
  for (let o = rowFrom; o < rowTo; o++) {
    const { plus, minus } = ternaryRowTerms(w, o);
    let lo = 0;
    let hi = 0;
    for (const j of plus) { lo += lanes.lo[chan(lanes, j)]!; hi += lanes.hi[chan(lanes, j)]!; }
    for (const j of minus) { lo -= lanes.hi[chan(lanes, j)]!; hi -= lanes.lo[chan(lanes, j)]!; }
    out.lo[o - rowFrom] = lo;
    out.hi[o - rowFrom] = hi;
  }
  return out;
}

/** Node intervals of a tree over the nodes live for rows rowFrom..rowTo-1 (NaN: not live). */
export function treeNodeRanges(t: AddTree, lanes: Ranges, rowFrom = 0, rowTo = t.outputs.length): Ranges {
  const live = liveNodes(t, rowFrom, rowTo);
  const r = ranges(t.size);
  r.lo.fill(NaN);
  r.hi.fill(NaN);
  for (let i = 0; i < t.size; i++) {
    if (!live[i]) continue;
    const a = t.a[i]!;
    const b = t.b[i]!;
    switch (t.op[i]) {
      case TreeOp.In: r.lo[i] = lanes.lo[chan(lanes, a)]!; r.hi[i] = lanes.hi[chan(lanes, a)]!; break;
      case TreeOp.Add: r.lo[i] = r.lo[a]! + r.lo[b]!; r.hi[i] = r.hi[a]! + r.hi[b]!; break;
      case TreeOp.Sub: r.lo[i] = r.lo[a]! - r.hi[b]!; r.hi[i] = r.hi[a]! - r.lo[b]!; break;
      default: r.lo[i] = -r.hi[a]!; r.hi[i] = -r.lo[a]!;
    }
  }
  return r;
}
