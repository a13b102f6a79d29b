/**
 * The numbers of quantization: fractional bits for a calibrated range, fixed-point
 * multipliers for real scales (c * 2^-shift), and multipliers restricted to a few
 * canonical-signed-digit terms (shift-add hardware, no multiplier). Every rounding
 * goes through ir/src/fixed.ts (quantizeValue).
 */
import { maxOf, quantizeValue } from '@tsvdc/ir';

/** Fractional bits stay within +-FRAC_LIMIT (a step of 2^-30 is finer than any float32 activation needs). */
export const FRAC_LIMIT = 30;

/**
 * Largest frac whose signed `bits`-bit range still holds +-range (values then never
 * clip), within +-FRAC_LIMIT; bits - 1 for an all-zero tensor.
 */
export function fracFor(range: number, bits: number): number {
  if (!(range > 0) || !Number.isFinite(range)) return bits - 1;
  let f = Math.floor(Math.log2(maxOf(bits) / range));
  // guard the float log: the range must fit, and one more bit must not
  if (range * 2 ** f > maxOf(bits)) f -= 1;
  else if (range * 2 ** (f + 1) <= maxOf(bits)) f += 1;
  return Math.max(-FRAC_LIMIT, Math.min(FRAC_LIMIT, f));
}

/** Integer multipliers c[i] and one shift with c[i] * 2^-shift ~ real[i], |c| < 2^(bits-1). */
export interface Multiplier {
  readonly c: Float64Array;
  readonly shift: number;
}

/**
 * c[i] = round(real[i] * 2^shift) with the largest shift keeping every |c| within
 * `bits` signed bits; with `digits` > 0, each c[i] is instead the nearest value that
 * has at most that many non-zero canonical signed digits.
 */
export function multiplier(real: ArrayLike<number>, bits: number, digits = 0): Multiplier {
  let max = 0;
  for (let i = 0; i < real.length; i++) max = Math.max(max, Math.abs(real[i]!));
  const shift = max > 0 ? fracFor(max, bits) : 0;
  const c = multipliersAt(real, shift, bits, digits);
  // a CSD value can round up to 2^(bits-1), one past the range (126.6 -> 128 with one digit):
  // one shift less halves every exact value, so the largest rounds to at most 2^(bits-2)
  if (c.some((v) => Math.abs(v) > maxOf(bits))) return { c: multipliersAt(real, shift - 1, bits, digits), shift: shift - 1 };
  return { c, shift };
}

function multipliersAt(real: ArrayLike<number>, shift: number, bits: number, digits: number): Float64Array {
  const c = new Float64Array(real.length);
  for (let i = 0; i < real.length; i++) {
    c[i] = digits > 0 ? nearestCsd(real[i]! * 2 ** shift, digits) : quantizeValue(real[i]!, { width: bits, frac: shift });
  }
  return c;
}

/** Canonical signed digits of an integer: [sign, power] pairs, no two adjacent powers. */
export function csdDigits(n: number): Array<[1 | -1, number]> {
  const out: Array<[1 | -1, number]> = [];
  let x = Math.abs(n);
  const s = n < 0 ? -1 : 1;
  for (let k = 0; x !== 0; k++) {
    if (x % 2 === 0) { x /= 2; continue; }
    // x odd: digit +1 if x = 1 (mod 4), -1 if x = 3 (mod 4)
    const d = x % 4 === 1 ? 1 : -1;
    out.push([(d * s) as 1 | -1, k]);
    x = (x - d) / 2;
  }
  return out;
}

/**
 * An integer near x with at most `digits` non-zero signed digits: greedily the power of
 * two nearest to what is left (the usual CSD approximation; exact when x is an integer
 * with that few digits).
 */
export function nearestCsd(x: number, digits: number): number {
  let value = 0;
  for (let k = 0; k < digits; k++) {
    const rest = x - value;
    if (Math.abs(rest) < 0.5) break;
    const lower = Math.max(1, 2 ** Math.floor(Math.log2(Math.abs(rest))));
    const p = Math.abs(rest) - lower <= 2 * lower - Math.abs(rest) ? lower : 2 * lower;
    value += Math.sign(rest) * p;
  }
  return value;
}
