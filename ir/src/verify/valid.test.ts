import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics.js';
import { STAGES } from '../module.js';
import { arbModel } from '../testing/models.js';
import { verify } from './index.js';

describe('generated valid modules verify clean', () => {
  for (const stage of STAGES) {
    it(`at the ${stage} stage`, () => {
      fc.assert(
        fc.property(arbModel(stage), ({ module }) => {
          expect(verify(module).map(formatDiagnostic)).toEqual([]);
        }),
        { numRuns: 300 },
      );
    });
  }
});
