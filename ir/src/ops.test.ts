import { describe, expect, it } from 'vitest';
import { opFacts } from './ops.js';
import { F32 } from './tensor.js';

/** The inferred output shape of a one-input shape op (or its message). */
function infer(op: string, shape: number[], attrs: Record<string, number | number[]>): number[] | string {
  const r = opFacts(op)!.infer([{ shape, elem: F32 }], attrs, { getConst: () => undefined, getTree: () => undefined });
  return typeof r === 'string' ? r : [...r[0]!.shape];
}

describe('reshape and flatten with a dynamic (-1) batch', () => {
  it('a 0 copies the batch and cancels it; a -1 that absorbs it stays dynamic', () => {
    expect(infer('reshape', [-1, 32, 7, 7], { shape: [0, -1] })).toEqual([-1, 1568]);
    expect(infer('reshape', [-1, 7, 16], { shape: [-1, 16] })).toEqual([-1, 16]);
    expect(infer('reshape', [-1, 24], { shape: [-1, 7, 24] })).toEqual([-1, 7, 24]);
    expect(infer('reshape', [2, 7, 16], { shape: [-1, 16] })).toEqual([14, 16]);
    expect(infer('flatten', [-1, 7, 16], { axis: 2 })).toEqual([-1, 16]);
    expect(infer('flatten', [-1, 7, 16], { axis: 1 })).toEqual([-1, 112]);
  });
  it('a target that loses the batch, and the static checks', () => {
    expect(infer('reshape', [-1, 4], { shape: [2, 2] })).toBe('reshape: [-1,4] has a dynamic dimension the target [2,2] neither copies (0) nor infers (-1)');
    expect(infer('reshape', [-1, 4], { shape: [0, -1, -1] })).toBe('reshape: more than one -1');
    expect(infer('reshape', [-1, 6], { shape: [0, 4, -1] })).toBe('reshape: cannot infer -1 for [-1,6] -> [-1,4,-1]');
    expect(infer('reshape', [2, 6], { shape: [5, 2] })).toBe('reshape: [2,6] has 12 elements, target [5,2] has 10');
  });
});
