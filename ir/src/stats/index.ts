/**
 * Statistics of a module, per layer (node) and in total: multiplications, additions before
 * and after sharing (layer.ts says exactly what counts), add-tree depth, fixed-point widths
 * (maximum and histogram over tree nodes and fixed-point results), ternary non-zeros, and
 * parameter bytes (dense f32: 4 B per value; ternary: 2 bits per entry, packed; int: the
 * width the values need, per value). A plain object: JSON.stringify prints it as JSON,
 * formatStatsTable as a table.
 */
import { liveNodes } from '../addtree.js';
import { widthFor } from '../fixed.js';
import type { Module, Node } from '../module.js';
import { opFacts } from '../ops.js';
import type { Const } from '../tensor.js';
import { numel } from '../tensor.js';
import { ternaryNnz } from '../ternary.js';
import { nodeCounts, treeDepth } from './layer.js';

export { formatStatsTable } from './format.js';

export interface LayerStats {
  readonly node: string;
  readonly op: string;
  readonly muls: number;
  readonly addsBefore: number;
  readonly addsAfter: number;
  /** Depth of the layer's add tree (null without one). */
  readonly depth: number | null;
  /** Widest fixed-point node or result (null at float stages). */
  readonly maxWidth: number | null;
  /** width -> number of tree nodes and fixed-point results of that width. */
  readonly widths: Readonly<Record<string, number>>;
  readonly nnz: number;
  readonly paramBytes: number;
}

export interface ModuleStats {
  readonly module: string;
  readonly stage: string;
  readonly layers: readonly LayerStats[];
  /** Sums; depth and maxWidth are maxima; parameters shared by layers are counted once. */
  readonly totals: Omit<LayerStats, 'node' | 'op'>;
}

/** Bytes a constant takes in its deployed form. */
export function constBytes(c: Const): number {
  if (c.kind === 'ternary') return Math.ceil((numel(c.shape) * 2) / 8);
  if (c.kind === 'dense') return numel(c.shape) * 4;
  let lo = 0;
  let hi = 0;
  for (const v of c.data) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return Math.ceil((numel(c.shape) * widthFor(lo, hi)) / 8);
}

function constsOf(m: Module, n: Node): string[] {
  const facts = opFacts(n.op);
  if (!facts) return [];
  return Object.entries(facts.attrs).filter(([k, s]) => s.kind === 'const' && typeof n.attrs[k] === 'string').map(([k]) => n.attrs[k] as string);
}

function layerWidths(m: Module, n: Node): Record<string, number> {
  const h: Record<string, number> = {};
  const bump = (w: number) => { h[w] = (h[w] ?? 0) + 1; };
  const t = typeof n.attrs['tree'] === 'string' ? m.trees.get(n.attrs['tree'] as string) : undefined;
  if (t?.types) {
    const live = liveNodes(t);
    for (let i = 0; i < t.size; i++) if (live[i]) bump(t.types.width[i]!);
  }
  const y = m.values.get(n.outputs[0] ?? '');
  if (y?.elem.kind === 'fixed') bump(y.elem.width);
  return h;
}

function layerStats(m: Module, n: Node, index: number): LayerStats {
  const c = nodeCounts(m, n);
  const t = typeof n.attrs['tree'] === 'string' ? m.trees.get(n.attrs['tree'] as string) : undefined;
  const consts = constsOf(m, n).map((k) => m.consts.get(k)).filter((k): k is Const => k !== undefined);
  const widths = layerWidths(m, n);
  const ws = Object.keys(widths).map(Number);
  return {
    node: n.name ?? n.outputs[0] ?? `#${index}`, op: n.op, ...c,
    depth: t ? treeDepth(t) : null,
    maxWidth: ws.length ? Math.max(...ws) : null,
    widths,
    nnz: consts.reduce((s, k) => s + (k.kind === 'ternary' ? ternaryNnz(k) : 0), 0),
    paramBytes: consts.reduce((s, k) => s + constBytes(k), 0),
  };
}

/** Per-layer and total statistics of `m`. */
export function moduleStats(m: Module): ModuleStats {
  const layers = m.nodes.map((n, i) => layerStats(m, n, i));
  const widths: Record<string, number> = {};
  for (const l of layers) for (const [w, k] of Object.entries(l.widths)) widths[w] = (widths[w] ?? 0) + k;
  const used = new Set(m.nodes.flatMap((n) => constsOf(m, n)));
  const maxOf = (xs: (number | null)[]) => xs.reduce<number | null>((a, x) => (x === null ? a : a === null ? x : Math.max(a, x)), null);
  const sum = (k: 'muls' | 'addsBefore' | 'addsAfter' | 'nnz') => layers.reduce((s, l) => s + l[k], 0);
  return {
    module: m.name, stage: m.stage, layers,
    totals: {
      muls: sum('muls'), addsBefore: sum('addsBefore'), addsAfter: sum('addsAfter'),
      depth: maxOf(layers.map((l) => l.depth)), maxWidth: maxOf(layers.map((l) => l.maxWidth)), widths,
      nnz: [...used].reduce((s, k) => { const c = m.consts.get(k); return s + (c?.kind === 'ternary' ? ternaryNnz(c) : 0); }, 0),
      paramBytes: [...used].reduce((s, k) => { const c = m.consts.get(k); return s + (c ? constBytes(c) : 0); }, 0),
    },
  };
}
