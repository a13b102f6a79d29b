import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csdDigits, FRAC_LIMIT, fracFor, multiplier, nearestCsd } from './fixed-point.js';

describe('fixed-point numbers of quantization', () => {
  it('fracFor: the largest frac whose int8 range holds the calibrated magnitude', () => {
    // 127 * 2^-6 = 1.98 >= 1 > 127 * 2^-7 = 0.99
    expect(fracFor(1, 8)).toBe(6);
    expect(fracFor(0.99, 8)).toBe(7);
    expect(fracFor(127, 8)).toBe(0);
    expect(fracFor(128, 8)).toBe(-1);
    expect(fracFor(1000, 16)).toBe(5); // 32767 / 32 = 1023.97
    expect(fracFor(0, 8)).toBe(7);
    // tiny ranges stop at frac 30 (a step of 2^-30), huge ones at -30
    expect(fracFor(5e-324, 8)).toBe(30);
    expect(fracFor(1e300, 8)).toBe(-30);
  });

  it('property: the range fits and one more bit would not', () => {
    fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.integer({ min: 2, max: 24 }), (r, bits) => {
      const f = fracFor(r, bits);
      expect(r * 2 ** f).toBeLessThanOrEqual(2 ** (bits - 1) - 1);
      if (f < FRAC_LIMIT) expect(r * 2 ** (f + 1)).toBeGreaterThan(2 ** (bits - 1) - 1);
    }), { numRuns: 500 });
  });

  it('multiplier: c * 2^-shift approximates each scale within half a unit of c', () => {
    const m = multiplier([0.3, -0.0123, 0.75], 16);
    expect(m.shift).toBe(15); // 0.75 * 2^15 = 24576 < 32767 < 0.75 * 2^16
    expect(Array.from(m.c)).toEqual([9830, -403, 24576]); // round(0.3 * 32768) = 9830, round(-403.05) = -403
  });

  it('CSD digits: 7 = 8 - 1, 11 = 16 - 4 - 1, -3 = -4 + 1', () => {
    expect(csdDigits(7)).toEqual([[-1, 0], [1, 3]]);
    expect(csdDigits(11)).toEqual([[-1, 0], [-1, 2], [1, 4]]);
    expect(csdDigits(-3)).toEqual([[1, 0], [-1, 2]]);
    expect(csdDigits(0)).toEqual([]);
  });

  it('property: CSD digits sum back to the number, no two adjacent', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), (n) => {
      const d = csdDigits(n);
      expect(d.reduce((s, [sign, k]) => s + sign * 2 ** k, 0)).toBe(n);
      for (let i = 1; i < d.length; i++) expect(d[i]![1] - d[i - 1]![1]).toBeGreaterThan(1);
    }), { numRuns: 500 });
  });

  it('property: nearestCsd keeps at most the digits asked for, and is exact on such integers', () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 1, max: 4 }), (x, digits) => {
      const v = nearestCsd(x, digits);
      expect(Number.isInteger(v)).toBe(true);
      expect(csdDigits(v).length).toBeLessThanOrEqual(digits);
      const n = Math.round(x) + 0; // no -0
      if (csdDigits(n).length <= digits) expect(nearestCsd(n, digits)).toBe(n);
    }), { numRuns: 500 });
  });

  it('CSD multipliers: 3 digits of 0.3 * 2^15', () => {
    const m = multiplier([0.3, 0.75], 16, 3);
    // 0.3 * 32768 = 9830.4 ~ 8192 + 2048 - 512 = 9728 (greedy nearest powers)
    expect(Array.from(m.c)).toEqual([9728, 24576]);
  });

  it('a one-digit CSD multiplier that rounds up to 2^(bits-1) takes one shift less instead of leaving the range', () => {
    // 126.6 / 128 at shift 7 is 126.6, whose nearest power of two is 128 = 2^7, not an 8-bit signed value
    expect(multiplier([126.6 / 128], 8, 1)).toEqual({ c: Float64Array.from([64]), shift: 6 });
    expect(multiplier([32766.6 / 32768], 16, 1)).toEqual({ c: Float64Array.from([16384]), shift: 14 });
    expect(multiplier([-126.6 / 128, 0.25], 8, 1)).toEqual({ c: Float64Array.from([-64, 16]), shift: 6 });
  });

  it('property: every multiplier fits --scale-bits and its digits, for every csd setting, and approximates its scale', () => {
    const scales = fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(scales, fc.integer({ min: 2, max: 24 }), fc.integer({ min: 0, max: 4 }), (real, bits, digits) => {
      const { c, shift } = multiplier(real, bits, digits);
      const max = Math.max(...real.map(Math.abs));
      for (let i = 0; i < real.length; i++) {
        expect(Math.abs(c[i]!)).toBeLessThan(2 ** (bits - 1));
        if (digits > 0) expect(csdDigits(c[i]!).length).toBeLessThanOrEqual(digits);
        // plain rounding is within half a unit; greedy CSD within a third of the exact value plus half a unit
        const exact = real[i]! * 2 ** shift;
        expect(Math.abs(c[i]! - exact)).toBeLessThanOrEqual(digits > 0 ? Math.abs(exact) / 3 + 0.5 : 0.5);
      }
      // the largest scale keeps at least bits - 2 bits of precision (one shift less at most), unless frac hit its limit
      if (max > 0 && fracFor(max, bits) < FRAC_LIMIT) expect(max * 2 ** shift).toBeGreaterThanOrEqual(2 ** (bits - 3) - 1);
    }), { numRuns: 2000 });
  });
});
