/**
 * The QAT experiment's results as people read them: a Markdown table in the form
 * of the paper's (x, +, ternary parameters, top-1) and an accuracy-vs-epoch chart.
 */
import { lineChartSvg } from './plot.js';
import type { QatReport } from './qat-experiment.js';

const pct = (x: number): string => (100 * x).toFixed(2);
const k = (x: number): string => (x >= 1e4 ? `${(x / 1000).toFixed(1)}k` : String(x));

export function qatTableMarkdown(r: QatReport): string {
  const lines = [
    '| method | tol | epochs | test top-1 (%) | x / image | + / image | ternary params | ranks | re-decompositions |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of r.rows) {
    const ranks = row.ternaryParams ? row.layers.map((l) => l.rank).join('/') : '-';
    const redo = row.retransitions ? `${row.redecompositions}/${row.retransitions}` : '-';
    const method = row.every !== undefined ? `${row.method}, every ${row.every === 1 ? 'step' : `${row.every} steps`}` : row.method;
    lines.push(`| ${method} | ${row.tol !== undefined ? `${+(100 * row.tol).toFixed(2)}%` : '-'} | ${row.epochs} | ${pct(row.accuracy)} | ${k(row.muls)} | ${k(row.adds)} | ${k(row.ternaryParams)} | ${ranks} | ${redo} |`);
  }
  return lines.join('\n') + '\n';
}

export function qatChartSvg(r: QatReport): string {
  const direct = r.rows.filter((x) => x.method === 'direct transition');
  const tols = [...new Set(direct.map((x) => x.tol!))];
  return lineChartSvg({
    title: `Fashion-MNIST MLP ${r.config.sizes.join('-')}: test accuracy`,
    xLabel: 'epoch',
    yLabel: 'test top-1 (%)',
    series: [
      ...r.curves.map((c) => ({ name: c.name, points: c.points.filter((p) => p[0] > 0).map(([e, a]) => [e, 100 * a] as [number, number]) })),
      // a direct transition of the float network at that epoch, one dashed line per tolerance
      ...tols.map((tol) => ({
        name: `direct, tol ${+(100 * tol).toFixed(2)}%`,
        points: direct.filter((x) => x.tol === tol).map((x) => [x.epochs, 100 * x.accuracy] as [number, number]).sort((a, b) => a[0] - b[0]),
        dashed: true,
      })),
    ],
  });
}
