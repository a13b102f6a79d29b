import { describe, expect, it } from 'vitest';
import type { QuantBound } from '../quant/error-bound.js';
import { formatQuantReport } from './quant-report.js';

const bound = (clipping: QuantBound['clipping']): QuantBound => ({
  outputs: new Map([['logits', Float64Array.from([0.5, 12.25, 3])]]), values: [], clipping,
});

describe('quantization report', () => {
  it('min/max calibration: the bound, holding within the calibrated ranges', () => {
    expect(formatQuantReport(bound([]))).toEqual([
      'quantization error bound on %logits: 12.3 (max over channels; holds for inputs within the calibrated ranges)',
    ]);
  });

  it('percentile calibration that clipped: per layer and overall, and the bound says it does not cover them', () => {
    const lines = formatQuantReport(bound([
      { value: 'x', layer: 'x', clipped: 0, total: 1000 },
      { value: 'v0.s', layer: '/1/Gemm', clipped: 3, total: 4000 },
      { value: 'v0', layer: '/1/Gemm', clipped: 1, total: 1000 },
      { value: 'v1.s', layer: '/2/Gemm', clipped: 0, total: 2000 },
      { value: 'v2', layer: '/3/Relu', clipped: 2, total: 2000 },
    ]));
    expect(lines).toEqual([
      'calibration clipped 6 of 10000 values at saturating ops (0.0600%); per layer:',
      '  /1/Gemm  4 of 5000 (0.0800%)',
      '  /3/Relu  2 of 2000 (0.100%)',
      'quantization error bound on %logits: 12.3 (max over channels; holds only for inputs within the calibrated ranges, which the clipped calibration values are not)',
    ]);
  });

  it('percentile calibration that clipped nothing reads like min/max', () => {
    expect(formatQuantReport(bound([{ value: 'x', layer: 'x', clipped: 0, total: 1000 }]))).toEqual(formatQuantReport(bound([])));
  });
});
