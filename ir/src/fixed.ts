/**
 * Fixed-point numbers: the one written definition of rounding and saturation.
 * Every backend and the simulator must match these functions bit for bit.
 *
 * A value of type `fx<w,f>` is a signed two's-complement integer q of w bits;
 * it stands for the real number q * 2^-f. `f` may be negative (coarse scales).
 * Integers are held in JS numbers; MAX_WIDTH keeps every intermediate exact
 * (|x| <= 2^51 < 2^53), and the verifier rejects wider types.
 */
import { InternalError } from './diagnostics.js';

export interface FixedType {
  /** Signed width in bits, 1..MAX_WIDTH. */
  readonly width: number;
  /** Fractional bits: the value is q * 2^-frac. */
  readonly frac: number;
}

export const MAX_WIDTH = 52;

export function fx(width: number, frac: number): FixedType {
  return { width, frac };
}

export function fixedEquals(a: FixedType, b: FixedType): boolean {
  return a.width === b.width && a.frac === b.frac;
}

/** Reason `t` is not a well-formed fixed type (width an integer in 1..MAX_WIDTH, frac an integer), or undefined. */
export function fixedTypeProblem(t: FixedType): string | undefined {
  if (!Number.isInteger(t.width) || t.width < 1 || t.width > MAX_WIDTH) return `width ${t.width} is outside 1..${MAX_WIDTH}`;
  if (!Number.isInteger(t.frac)) return `frac ${t.frac} is not an integer`;
  return undefined;
}

/** Smallest and largest integer of a signed width. */
export function minOf(width: number): number {
  return -(2 ** (width - 1));
}
export function maxOf(width: number): number {
  return 2 ** (width - 1) - 1;
}

/** True when integer x is representable in `width` signed bits. */
export function fits(x: number, width: number): boolean {
  return x >= minOf(width) && x <= maxOf(width);
}

/** Smallest signed width holding every integer of [lo, hi] (at least 1). */
export function widthFor(lo: number, hi: number): number {
  let w = 1;
  while (!(fits(lo, w) && fits(hi, w))) {
    w++;
    if (w > 64) throw new InternalError(`widthFor: interval [${lo}, ${hi}] too wide`);
  }
  return w;
}

/**
 * Arithmetic shift right by k with rounding half up:
 *   shrRound(x, k) = floor((x + 2^(k-1)) / 2^k)   for k > 0
 *   shrRound(x, 0) = x
 *   shrRound(x, k) = x * 2^-k                      for k < 0 (a left shift, exact)
 * Ties round toward +infinity (so -2.5 -> -2, 2.5 -> 3), the cheapest rule in hardware:
 * add the half constant, then drop bits.
 */
export function shrRound(x: number, k: number): number {
  if (k > 0) return Math.floor((x + 2 ** (k - 1)) / 2 ** k);
  if (k === 0) return x;
  return x * 2 ** -k;
}

/** Clamp integer x into the range of a signed width (saturation). */
export function saturate(x: number, width: number): number {
  const lo = minOf(width);
  const hi = maxOf(width);
  return x < lo ? lo : x > hi ? hi : x;
}

/** Clamp into [lo, hi]. */
export function clampInt(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Float -> fixed: q = saturate(floor(x * 2^frac + 1/2), width). Same tie rule as
 * shrRound. NaN maps to 0 (inputs are checked before, this only keeps it total).
 */
export function quantizeValue(x: number, t: FixedType): number {
  if (Number.isNaN(x)) return 0;
  const scaled = x * 2 ** t.frac;
  if (!Number.isFinite(scaled)) return scaled > 0 ? maxOf(t.width) : minOf(t.width);
  return saturate(Math.floor(scaled + 0.5), t.width);
}

/** Fixed -> float: q * 2^-frac (exact in float64 for MAX_WIDTH-bit q). */
export function dequantizeValue(q: number, t: FixedType): number {
  return q * 2 ** -t.frac;
}

/** Interval [lo, hi] of integers. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export function intervalOf(t: FixedType): Interval {
  return { lo: minOf(t.width), hi: maxOf(t.width) };
}
