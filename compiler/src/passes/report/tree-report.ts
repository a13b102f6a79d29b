/**
 * The per-layer report of `tsvdc compile`: for every add tree (a TSVD layer's V or U
 * stage), its additions without sharing (nnz - rows, plus a negation per row with no
 * positive term), as lowered, after CSE and after balancing; its depth before and
 * after; and, in int mode, its widest node.
 */
import { countAddersByGroup, treeDepths, type AddTree, type Module } from '@tsvdc/ir';
import { formTerms, naiveAdders, treeForms } from '../addtree/linear-forms.js';
import { csdDigits } from '../quant/fixed-point.js';
import { treeGroups } from '../stage-check.js';

export interface TreeReportRow {
  readonly tree: string;
  readonly layer: string;
  readonly part: string;
  readonly rows: number;
  readonly lanes: number;
  readonly nnz: number;
  /** Additions without any sharing, per window. */
  readonly unshared: number;
  /** Additions of the trees as each pass left them (per window; groups counted apart). */
  readonly adds: Readonly<Record<string, number>>;
  readonly depth: Readonly<Record<string, number>>;
  readonly maxWidth: number | null;
}

function maxDepth(t: AddTree): number {
  const d = treeDepths(t);
  let m = 0;
  for (const o of t.outputs) if (o >= 0 && d[o]! > m) m = d[o]!;
  return m;
}

/** One row per tree of the final module, with its figures after each of `stages` (pass name -> module). */
export function treeReport(stages: ReadonlyArray<readonly [string, Module]>): TreeReportRow[] {
  if (stages.length === 0) return [];
  const last = stages[stages.length - 1]![1];
  const groups = treeGroups(last);
  const out: TreeReportRow[] = [];
  for (const [name, t] of last.trees) {
    const first = stages.find(([, m]) => m.trees.has(name))![1].trees.get(name)!;
    const forms = treeForms(first);
    const g = groups.get(name) ?? 1;
    const adds: Record<string, number> = {};
    const depth: Record<string, number> = {};
    for (const [pass, m] of stages) {
      const ti = m.trees.get(name);
      if (!ti) continue;
      adds[pass] = countAddersByGroup(ti, g);
      depth[pass] = maxDepth(ti);
    }
    let maxWidth: number | null = null;
    if (t.types) for (const w of t.types.width) maxWidth = Math.max(maxWidth ?? 0, w);
    out.push({
      tree: name, layer: t.origin?.node ?? name, part: t.origin?.part ?? '', rows: t.outputs.length, lanes: t.lanes,
      nnz: formTerms(forms), unshared: naiveAdders(forms), adds, depth, maxWidth,
    });
  }
  return out;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The report as a table: one line per tree, then totals. */
export function formatTreeReport(rows: readonly TreeReportRow[], lowered: string, shared: string, balanced: string): string {
  const head = ['layer', 'part', 'rows x lanes', 'nnz', '+ unshared', '+ lowered', '+ cse', 'saved', '+ balanced', 'depth', 'width'];
  const cells = [head];
  const sum = { nnz: 0, unshared: 0, lowered: 0, cse: 0, balanced: 0 };
  for (const r of rows) {
    const [l, c, b] = [r.adds[lowered] ?? 0, r.adds[shared] ?? r.adds[lowered] ?? 0, r.adds[balanced] ?? r.adds[shared] ?? 0];
    sum.nnz += r.nnz; sum.unshared += r.unshared; sum.lowered += l; sum.cse += c; sum.balanced += b;
    cells.push([
      r.layer, r.part, `${r.rows} x ${r.lanes}`, String(r.nnz), String(r.unshared), String(l), String(c),
      r.unshared > 0 ? `${(100 * (1 - c / r.unshared)).toFixed(1)}%` : '-', String(b),
      `${r.depth[lowered] ?? '-'} -> ${r.depth[balanced] ?? r.depth[shared] ?? '-'}`, r.maxWidth === null ? '-' : String(r.maxWidth),
    ]);
  }
  cells.push(['total', '', '', String(sum.nnz), String(sum.unshared), String(sum.lowered), String(sum.cse),
    sum.unshared > 0 ? `${(100 * (1 - sum.cse / sum.unshared)).toFixed(1)}%` : '-', String(sum.balanced), '', '']);
  return pad(cells);
}

/** Requant multipliers of an integer module: how many, and the most CSD digits any has (shift-add cost). */
export function requantSummary(m: Module): { multipliers: number; maxDigits: number } {
  let multipliers = 0;
  let maxDigits = 0;
  for (const n of m.nodes) {
    if (n.op !== 'requant') continue;
    const c = m.consts.get(n.attrs['c'] as string);
    if (!c || c.kind !== 'int') continue;
    for (const v of c.data) {
      multipliers++;
      maxDigits = Math.max(maxDigits, csdDigits(v).length);
    }
  }
  return { multipliers, maxDigits };
}
