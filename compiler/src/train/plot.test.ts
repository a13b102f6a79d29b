import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineChartSvg, ticks } from './plot.js';

describe('ticks', () => {
  it('golden cases', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0.851, 0.889)).toEqual([0.86, 0.87, 0.88]);
    expect(ticks(1, 10)).toEqual([2, 4, 6, 8, 10]);
  });
  it('are increasing and inside the range', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (lo, span) => {
        const t = ticks(lo, lo + span);
        expect(t.length).toBeGreaterThanOrEqual(1);
        t.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(lo - span * 1e-9);
          expect(v).toBeLessThanOrEqual(lo + span + span * 1e-9);
          if (i) expect(v).toBeGreaterThan(t[i - 1]!);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('lineChartSvg', () => {
  it('labels integer x data (epochs) with integers only', () => {
    const svg = lineChartSvg({ title: 't', xLabel: 'epoch', yLabel: 'y', series: [{ name: 'a', points: [[1, 0.5], [2, 0.7]] }] });
    const labels = [...svg.matchAll(/<text x="[\d.]+" y="388" text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
    expect(labels).toEqual(['1', '2']);
  });
  it('draws one path per series, every point inside the plot area', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        (pts) => {
          const svg = lineChartSvg({ title: 'a<b', xLabel: 'epoch', yLabel: 'acc', series: pts.map((p, i) => ({ name: `s${i}`, points: p, dashed: i === 0 })) });
          expect(svg.match(/<path /g)!.length).toBe(pts.length);
          for (const m of svg.matchAll(/<circle cx="([-\d.]+)" cy="([-\d.]+)"/g)) {
            expect(Number(m[1])).toBeGreaterThanOrEqual(64 - 1e-6);
            expect(Number(m[1])).toBeLessThanOrEqual(800 - 250 + 1e-6);
            expect(Number(m[2])).toBeGreaterThanOrEqual(36);
            expect(Number(m[2])).toBeLessThanOrEqual(420 - 48);
          }
          expect(svg.startsWith('<svg ')).toBe(true);
          expect(svg.includes('a&lt;b')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
