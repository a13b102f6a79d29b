import { describe, expect, it } from 'vitest';
import { shrRound, saturate, widthFor, quantizeValue } from './fixed.js';

describe('fixed-point definitions', () => {
  it('shrRound rounds half up', () => {
    expect([shrRound(5, 1), shrRound(-5, 1), shrRound(6, 2), shrRound(-6, 2), shrRound(3, -2)]).toEqual([3, -2, 2, -1, 12]);
  });
  it('saturate clamps to the signed range', () => {
    expect([saturate(200, 8), saturate(-200, 8), saturate(5, 8)]).toEqual([127, -128, 5]);
  });
  it('widthFor is the smallest signed width', () => {
    expect([widthFor(0, 0), widthFor(-1, 0), widthFor(0, 1), widthFor(-128, 127), widthFor(-129, 0)]).toEqual([1, 1, 2, 8, 9]);
  });
  it('quantizeValue rounds and saturates', () => {
    expect([quantizeValue(0.26, { width: 8, frac: 2 }), quantizeValue(1e9, { width: 8, frac: 0 })]).toEqual([1, 127]);
  });
});
