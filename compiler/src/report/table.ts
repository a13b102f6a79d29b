/**
 * Plain-text tables for the terminal: the per-layer report and the paper-style
 * totals line. Numbers right-aligned, counts with K/M/G suffixes.
 */
import type { ModelReport } from './index.js';
import type { LayerRow } from './layers.js';

/** 1234567 -> "1.23M"; below 1000 the integer itself. */
export function formatCount(n: number): string {
  const units: Array<[number, string]> = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [u, s] of units) if (Math.abs(n) >= u) return `${(n / u).toPrecision(3)}${s}`;
  return String(Math.round(n));
}

/** Renders rows under headers; columns after the first `left` are right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], left = 2): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

export const LAYER_HEADERS = ['layer', 'op', 'weight', 'rank', 'rel. error', 'nnz(U)', 'nnz(V)', 'sparsity', 'x', '+'] as const;

export function layerCells(r: LayerRow): string[] {
  return [
    r.name, r.op, `[${r.shape.join('x')}]`,
    r.rank !== undefined ? String(r.rank) : 'dense',
    r.error !== undefined ? r.error.toFixed(4) : '',
    r.nnzU !== undefined ? formatCount(r.nnzU) : '', r.nnzV !== undefined ? formatCount(r.nnzV) : '',
    r.sparsity !== undefined ? pct(r.sparsity) : '',
    formatCount(r.muls), formatCount(r.adds),
  ];
}

/** The totals in the paper's table form; with TSVD layers, the dense counts alongside. */
export function formatTotals(rep: ModelReport): string {
  const t = rep.totals;
  const ratio = (a: number, b: number): string => (a === b || b === 0 ? '' : a < b ? ` (${(b / Math.max(a, 1)).toFixed(1)}x fewer)` : ` (${(a / b).toFixed(2)}x more)`);
  const withDense = rep.layers.some((l) => l.compressed);
  const rows = [
    ['x (multiplications)', formatCount(t.muls), formatCount(t.denseMuls) + ratio(t.muls, t.denseMuls)],
    ['+ (additions)', formatCount(t.adds), formatCount(t.denseAdds) + ratio(t.adds, t.denseAdds)],
    ['params (float)', formatCount(t.params), ''],
    ['ternary params', formatCount(t.ternaryParams), ''],
  ];
  const headers = ['per inference', 'this model', 'dense layers'];
  return withDense ? formatTable(headers, rows, 1) : formatTable(headers.slice(0, 2), rows.map((r) => r.slice(0, 2)), 1);
}

export function formatReport(rep: ModelReport): string {
  const parts = [
    `${rep.file}: ${rep.layers.length} weight layer${rep.layers.length === 1 ? '' : 's'}, ${rep.layers.filter((l) => l.compressed).length} TSVD`,
    formatTable(LAYER_HEADERS, rep.layers.map(layerCells), 3),
    formatTotals(rep),
  ];
  if (rep.errorSource === 'stored') parts.push('rel. error: relative operator-norm error stored at compress time (give --original to recompute)');
  if (rep.errorSource === 'recomputed') parts.push('rel. error: relative operator-norm error recomputed against the original model');
  if (rep.errorSource === 'mixed') parts.push('rel. error: relative operator-norm error recomputed against the original model for some layers (errorSource in --json), stored at compress time for the others');
  if (rep.unknownShapes.length > 0) parts.push(`not imported (sizes after them unknown, counted as 1): ${rep.unknownShapes.join(', ')}`);
  for (const n of rep.notes) parts.push(`note: ${n}`);
  return parts.join('\n\n');
}
