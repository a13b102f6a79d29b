/**
 * Values of a result for comparisons across passes. Float-stage add trees follow IEEE
 * arithmetic, so a pass that regroups a sum may turn a +0 into a -0 (neg(0), -0 + -0); the
 * number is the same. Vitest's toEqual tells the two zeros apart (Object.is), so tests that
 * compare the values of two different trees compare these instead.
 */
export function valuesOf(data: ArrayLike<number>): number[] {
  return Array.from(data, (v) => (v === 0 ? 0 : v));
}
