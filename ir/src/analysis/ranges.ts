/**
 * Integer intervals per channel (axis 1, see ops.ts channelsOf; the features of a rank-2
 * tensor), the domain of the integer-stage interval analysis. Per channel rather than per
 * tensor so that widths chosen from per-channel ranges are never refuted by a coarser
 * check. A Ranges of one channel applies to every channel. The same shape holds the lanes
 * of an add tree (one interval per lane) and its nodes (one per node).
 */
import type { FixedType } from '../fixed.js';
import { maxOf, minOf } from '../fixed.js';

export interface Ranges {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/** `channels` intervals, each [lo, hi]. */
export function ranges(channels: number, lo = 0, hi = 0): Ranges {
  return { lo: new Float64Array(channels).fill(lo), hi: new Float64Array(channels).fill(hi) };
}

/** Every value a fixed type can hold, on `channels` channels. */
export function fullRange(t: FixedType, channels = 1): Ranges {
  return ranges(channels, minOf(t.width), maxOf(t.width));
}

/** One channel covering every channel of every `rs`. */
export function hull(...rs: readonly Ranges[]): Ranges {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rs) {
    for (let c = 0; c < r.lo.length; c++) {
      if (r.lo[c]! < lo) lo = r.lo[c]!;
      if (r.hi[c]! > hi) hi = r.hi[c]!;
    }
  }
  return ranges(1, lo, hi);
}

/** Channel by channel, the interval covering all `parts` (all of one length). */
export function joinLanes(parts: readonly Ranges[]): Ranges {
  const out = ranges(parts[0]!.lo.length, Infinity, -Infinity);
  for (const p of parts) {
    for (let l = 0; l < out.lo.length; l++) {
      out.lo[l] = Math.min(out.lo[l]!, p.lo[l]!);
      out.hi[l] = Math.max(out.hi[l]!, p.hi[l]!);
    }
  }
  return out;
}

/** Index of channel c in r (a one-channel Ranges applies to all). */
export function chan(r: Ranges, c: number): number {
  return r.lo.length === 1 ? 0 : c;
}

/** r on exactly `channels` channels (kept when it has them, else its hull repeated). */
export function spread(r: Ranges, channels: number): Ranges {
  if (r.lo.length === channels) return r;
  const u = hull(r);
  return ranges(channels, u.lo[0], u.hi[0]);
}

/** Each channel's interval through a non-decreasing f. */
export function mapMonotone(r: Ranges, f: (x: number, c: number) => number): Ranges {
  const out = ranges(r.lo.length);
  for (let c = 0; c < r.lo.length; c++) {
    out.lo[c] = f(r.lo[c]!, c);
    out.hi[c] = f(r.hi[c]!, c);
  }
  return out;
}

/** [lo, hi] * k for a constant k (the ends swap for negative k). */
export function scaleBy(lo: number, hi: number, k: number): [number, number] {
  return k >= 0 ? [lo * k, hi * k] : [hi * k, lo * k];
}
