import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ternaryFromValues, ternaryGet } from '@tsvdc/ir';
import type { ConvForm, GroupFactors, WeightShape } from './conv-forms.js';
import { convWeightFromFactors, factorsToConv, formLayout, groupMatrix, sameLayout, scatterGroupMatrix, stageGeometry } from './conv-forms.js';

const iota = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i);
const rows = (m: { rows: number; cols: number; data: Float64Array }): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));

describe('group matrices (TSVD.md table)', () => {
  const shape: WeightShape = [2, 1, 2, 2]; // W[o, 0, k1, k2] = 4 o + 2 k1 + k2
  it('form 0: C_out x C_in*K1*K2', () => {
    expect(rows(groupMatrix(formLayout(0, shape, 1), shape, iota(8), 0))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });
  it('form 1: C_out*K1*K2 x C_in', () => {
    expect(rows(groupMatrix(formLayout(1, shape, 1), shape, iota(8), 0))).toEqual([[0], [1], [2], [3], [4], [5], [6], [7]]);
  });
  it('form 2: C_out*K1 x C_in*K2', () => {
    expect(rows(groupMatrix(formLayout(2, shape, 1), shape, iota(8), 0))).toEqual([[0, 1], [2, 3], [4, 5], [6, 7]]);
  });
  it('form 3: C_out*K2 x C_in*K1', () => {
    expect(rows(groupMatrix(formLayout(3, shape, 1), shape, iota(8), 0))).toEqual([[0, 2], [1, 3], [4, 6], [5, 7]]);
  });
  it('groups take consecutive output rows', () => {
    const s: WeightShape = [4, 1, 1, 2];
    expect(rows(groupMatrix(formLayout(0, s, 2), s, iota(8), 1))).toEqual([[4, 5], [6, 7]]);
  });
  it('kernel axes of size 1 go to V, so forms coincide', () => {
    const s: WeightShape = [3, 2, 1, 3];
    const l = CONV_FORMS_ALL.map((f) => formLayout(f, s, 1));
    expect(l.map((x) => x.uAxes)).toEqual([[false, false], [false, true], [false, false], [false, true]]);
    expect([sameLayout(l[0]!, l[2]!), sameLayout(l[1]!, l[3]!), sameLayout(l[0]!, l[1]!)]).toEqual([true, true, false]);
  });
});

const CONV_FORMS_ALL: ConvForm[] = [0, 1, 2, 3];

const geometryArb = fc.record({
  g: fc.integer({ min: 1, max: 3 }), mg: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 3 }),
  k1: fc.integer({ min: 1, max: 3 }), k2: fc.integer({ min: 1, max: 3 }), form: fc.constantFrom<ConvForm>(0, 1, 2, 3),
});

describe('layout mapping properties', () => {
  it('scatterGroupMatrix inverts groupMatrix', () => {
    fc.assert(
      fc.property(geometryArb, fc.nat(), (p, seed) => {
        const shape: WeightShape = [p.g * p.mg, p.cg, p.k1, p.k2];
        const n = shape[0] * p.cg * p.k1 * p.k2;
        const w = Float64Array.from({ length: n }, (_, i) => ((i * 7919 + seed) % 1000) - 500);
        const layout = formLayout(p.form, shape, p.g);
        const back = new Float64Array(n).fill(NaN);
        for (let g = 0; g < p.g; g++) scatterGroupMatrix(layout, shape, groupMatrix(layout, shape, w, g), g, back);
        expect(Array.from(back)).toEqual(Array.from(w));
      }),
      { numRuns: 300 },
    );
  });

  it('convWeightFromFactors(factorsToConv(f)) equals U diag(s) V of every group, scattered back', () => {
    fc.assert(
      fc.property(geometryArb, fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }), fc.nat(), (p, rk, seed) => {
        const shape: WeightShape = [p.g * p.mg, p.cg, p.k1, p.k2];
        const layout = formLayout(p.form, shape, p.g);
        let st = seed;
        const trit = (): number => ((st = (st * 1103515245 + 12345) % 2147483648), (st >> 8) % 3) - 1;
        const groups: GroupFactors[] = [];
        const expected = new Float64Array(shape[0] * p.cg * p.k1 * p.k2);
        for (let g = 0; g < p.g; g++) {
          const r = rk[g]!; // groups get different ranks: the conv factors pad them
          const U = Array.from({ length: layout.rows * r }, trit);
          const V = Array.from({ length: r * layout.cols }, trit);
          const s = Float64Array.from({ length: r }, (_, i) => 0.5 + i + g);
          groups.push({ U: ternaryFromValues([layout.rows, r], U), s, V: ternaryFromValues([r, layout.cols], V) });
          const prod = new Float64Array(layout.rows * layout.cols);
          for (let i = 0; i < layout.rows; i++) {
            for (let j = 0; j < layout.cols; j++) {
              for (let k = 0; k < r; k++) prod[i * layout.cols + j] += U[i * r + k]! * s[k]! * V[k * layout.cols + j]!;
            }
          }
          scatterGroupMatrix(layout, shape, { rows: layout.rows, cols: layout.cols, data: prod }, g, expected);
        }
        const conv = factorsToConv(layout, shape, groups);
        const rmax = Math.max(...rk.slice(0, p.g));
        expect(conv.U.shape).toEqual([shape[0], rmax, ...layout.uKernel]);
        expect(conv.V.shape).toEqual([p.g * rmax, p.cg, ...layout.vKernel]);
        expect(conv.ranks).toEqual(rk.slice(0, p.g));
        // padded components are zero everywhere
        for (let g = 0; g < p.g; g++) {
          for (let i = rk[g]!; i < rmax; i++) {
            expect(conv.s[g * rmax + i]).toBe(0);
            for (let c = 0; c < conv.V.cols; c++) expect(ternaryGet(conv.V, g * rmax + i, c)).toBe(0);
          }
        }
        const rebuilt = convWeightFromFactors(conv, p.g);
        expect(rebuilt.shape).toEqual(shape);
        expect(Array.from(rebuilt.data)).toEqual(Array.from(expected));
      }),
      { numRuns: 300 },
    );
  });
});

describe('stageGeometry', () => {
  it('puts each axis stride and dilation on the stage whose kernel spans it', () => {
    const shape: WeightShape = [4, 4, 3, 3];
    const f = (form: ConvForm): unknown => stageGeometry(formLayout(form, shape, 1), [2, 3], [4, 5]);
    expect(f(0)).toEqual({ vStrides: [2, 3], vDilations: [4, 5], uStrides: [1, 1], uDilations: [1, 1] });
    expect(f(1)).toEqual({ vStrides: [1, 1], vDilations: [1, 1], uStrides: [2, 3], uDilations: [4, 5] });
    expect(f(2)).toEqual({ vStrides: [1, 3], vDilations: [1, 5], uStrides: [2, 1], uDilations: [4, 1] });
    expect(f(3)).toEqual({ vStrides: [2, 1], vDilations: [4, 1], uStrides: [1, 3], uDilations: [1, 5] });
  });
  it('a 1x1 kernel keeps its stride on V in every form', () => {
    const shape: WeightShape = [4, 4, 1, 1];
    for (const form of CONV_FORMS_ALL) {
      expect(stageGeometry(formLayout(form, shape, 1), [2, 2], [1, 1]).vStrides).toEqual([2, 2]);
    }
  });
});
