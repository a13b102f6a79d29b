/**
 * Interval transfer of the linear ops on fixed-point data (linear, conv2d with int
 * weights; tmatvec, tconv with ternary weights or their typed trees). Exact interval
 * arithmetic: a row's range is the sum over its terms of weight * lane range, where a
 * lane of a padded conv also takes the value 0. Trees are checked node by node:
 * the computed interval of every live node must lie within the one it declares.
 */
import type { AddTree } from '../addtree.js';
import type { Module, Node } from '../module.js';
import type { Origin } from '../origin.js';
import type { IntConst, TensorType } from '../tensor.js';
import type { TernaryTensor } from '../ternary.js';
import * as C from './codes.js';
import { chan, ranges, type Ranges, scaleBy, spread, ternaryRowRanges, treeNodeRanges, union } from './ranges.js';
import { FirstOf, type Reporter } from './report.js';

export interface TransferContext {
  readonly m: Module;
  readonly node: Node;
  readonly origin: Origin;
  readonly r: Reporter;
  readonly inTypes: readonly TensorType[];
}

/** Ranges of the n input features of a matrix op: per channel for [N, F] inputs, else one union. */
function featureRanges(inType: TensorType, x: Ranges, n: number): Ranges {
  return spread(inType.shape.length === 2 ? x : union(x), n);
}

/** Output ranges of a matrix op: per row for [N, M] outputs, else one union. */
function rowsOut(rows: Ranges, inRank: number): Ranges {
  return inRank === 2 ? rows : union(rows);
}

function addBias(ctx: TransferContext, rows: Ranges, key: string): Ranges {
  const name = ctx.node.attrs[key];
  if (typeof name !== 'string') return rows;
  const b = ctx.m.consts.get(name) as IntConst;
  for (let o = 0; o < rows.lo.length; o++) {
    (rows.lo as Float64Array)[o] += b.data[o]!;
    (rows.hi as Float64Array)[o] += b.data[o]!;
  }
  return rows;
}

export function linearRanges(ctx: TransferContext, x: Ranges): Ranges {
  const w = ctx.m.consts.get(ctx.node.attrs['W'] as string) as IntConst;
  const [m, n] = [w.shape[0]!, w.shape[1]!];
  const lanes = featureRanges(ctx.inTypes[0]!, x, n);
  const out = ranges(m);
  for (let o = 0; o < m; o++) {
    for (let i = 0; i < n; i++) {
      const [lo, hi] = scaleBy(lanes.lo[i]!, lanes.hi[i]!, w.data[o * n + i]!);
      out.lo[o] += lo;
      out.hi[o] += hi;
    }
  }
  return rowsOut(addBias(ctx, out, 'bias'), ctx.inTypes[0]!.shape.length);
}

function padded(node: Node): boolean {
  return ((node.attrs['pads'] as number[] | undefined) ?? []).some((p) => p > 0);
}

/** Lane ranges of one group's conv window, lanes ordered (channel, kh, kw). */
function windowRanges(x: Ranges, group: number, cinG: number, k: number, withZero: boolean): Ranges {
  const out = ranges(cinG * k);
  for (let ci = 0; ci < cinG; ci++) {
    const c = chan(x, group * cinG + ci);
    const lo = withZero ? Math.min(0, x.lo[c]!) : x.lo[c]!;
    const hi = withZero ? Math.max(0, x.hi[c]!) : x.hi[c]!;
    out.lo.fill(lo, ci * k, (ci + 1) * k);
    out.hi.fill(hi, ci * k, (ci + 1) * k);
  }
  return out;
}

export function conv2dRanges(ctx: TransferContext, x: Ranges): Ranges {
  const w = ctx.m.consts.get(ctx.node.attrs['W'] as string) as IntConst;
  const [cout, cinG, k1, k2] = w.shape as [number, number, number, number];
  const g = (ctx.node.attrs['groups'] as number | undefined) ?? 1;
  const k = k1 * k2;
  const out = ranges(cout);
  for (let co = 0; co < cout; co++) {
    const lanes = windowRanges(x, Math.floor(co / (cout / g)), cinG, k, padded(ctx.node));
    for (let l = 0; l < cinG * k; l++) {
      const [lo, hi] = scaleBy(lanes.lo[l]!, lanes.hi[l]!, w.data[co * cinG * k + l]!);
      out.lo[co] += lo;
      out.hi[co] += hi;
    }
  }
  return addBias(ctx, out, 'bias');
}

export function tmatvecRanges(ctx: TransferContext, x: Ranges): Ranges {
  const w = ctx.m.consts.get(ctx.node.attrs['weights'] as string) as TernaryTensor;
  const lanes = featureRanges(ctx.inTypes[0]!, x, w.cols);
  const tree = treeOf(ctx);
  const rows = tree ? checkedTreeRows(ctx, tree, lanes, 0, w.rows) : ternaryRowRanges(w, lanes);
  return rowsOut(rows, ctx.inTypes[0]!.shape.length);
}

export function tconvRanges(ctx: TransferContext, x: Ranges): Ranges {
  const w = ctx.m.consts.get(ctx.node.attrs['weights'] as string) as TernaryTensor;
  const [cout, cinG, k1, k2] = w.shape as [number, number, number, number];
  const g = (ctx.node.attrs['groups'] as number | undefined) ?? 1;
  const coutG = cout / g;
  const tree = treeOf(ctx);
  const out = ranges(cout);
  for (let gi = 0; gi < g; gi++) {
    const lanes = windowRanges(x, gi, cinG, k1 * k2, padded(ctx.node));
    const [from, to] = [gi * coutG, (gi + 1) * coutG];
    const rows = tree ? checkedTreeRows(ctx, tree, lanes, from, to) : ternaryRowRanges(w, lanes, from, to);
    out.lo.set(rows.lo, from);
    out.hi.set(rows.hi, from);
  }
  return out;
}

function treeOf(ctx: TransferContext): { name: string; t: AddTree } | undefined {
  const name = ctx.node.attrs['tree'];
  const t = typeof name === 'string' ? ctx.m.trees.get(name) : undefined;
  return t?.types ? { name: name as string, t } : undefined;
}

/** Row ranges rowFrom..rowTo-1 through a typed tree, reporting nodes outside their declared interval. */
function checkedTreeRows(ctx: TransferContext, tree: { name: string; t: AddTree }, lanes: Ranges, rowFrom: number, rowTo: number): Ranges {
  const { t, name } = tree;
  const nodes = treeNodeRanges(t, lanes, rowFrom, rowTo);
  const ty = t.types!;
  const bad = new FirstOf(C.TREE_INTERVAL);
  for (let i = 0; i < t.size; i++) {
    const lo = nodes.lo[i]!;
    if (Number.isNaN(lo)) continue;
    const hi = nodes.hi[i]!;
    if (lo < ty.lo[i]! || hi > ty.hi[i]!) {
      const row = t.row[i]!;
      bad.hit(`tree @${name}: node ${i} can take [${lo}, ${hi}], it declares [${ty.lo[i]}, ${ty.hi[i]}]`, { ...ctx.origin, ...(row >= 0 ? { row } : {}) });
    }
  }
  bad.flush(ctx.r);
  const rows = ranges(rowTo - rowFrom);
  for (let o = rowFrom; o < rowTo; o++) {
    const id = t.outputs[o]!;
    rows.lo[o - rowFrom] = id < 0 ? 0 : nodes.lo[id]!;
    rows.hi[o - rowFrom] = id < 0 ? 0 : nodes.hi[id]!;
  }
  return rows;
}
