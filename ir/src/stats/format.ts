/** The statistics as a text table (one row per layer that counts, then the totals). */
import type { LayerStats, ModuleStats } from './index.js';

const COLUMNS = ['layer', 'op', 'x', '+ before', '+ after', 'depth', 'max width', 'nnz', 'param bytes'] as const;

function row(name: string, op: string, l: Omit<LayerStats, 'node' | 'op'>): string[] {
  const n = (v: number | null) => (v === null ? '-' : String(v));
  return [name, op, n(l.muls), n(l.addsBefore), n(l.addsAfter), n(l.depth), n(l.maxWidth), n(l.nnz), n(l.paramBytes)];
}

/** Layers with no cost and no parameters (activations, reshapes) are left out of the table. */
export function formatStatsTable(s: ModuleStats): string {
  const rows = s.layers
    .filter((l) => l.muls + l.addsBefore + l.nnz + l.paramBytes > 0 || l.depth !== null)
    .map((l) => row(l.node, l.op, l));
  rows.push(row('total', '', s.totals));
  const all = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const fmt = (r: string[]) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [fmt(all[0]!), rule, ...rows.slice(0, -1).map(fmt), rule, fmt(rows[rows.length - 1]!)].join('\n');
}
