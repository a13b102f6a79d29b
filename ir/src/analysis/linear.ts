/**
 * Interval transfer of the linear ops on fixed-point data: linear and conv2d with int
 * weights, tmatvec and tconv with ternary weights or their add tree. Exact interval
 * arithmetic: a row's range is the sum over its terms of weight * lane range, where a lane
 * of a padded conv also takes the value 0. A grouped conv is analysed group by group, each
 * on its own window.
 */
import type { AddTree } from '../addtree.js';
import { liveNodes } from '../addtree.js';
import type { Module, Node } from '../module.js';
import type { IntConst, TensorType } from '../tensor.js';
import type { TernaryTensor } from '../ternary.js';
import { chan, hull, ranges, type Ranges, scaleBy, spread } from './ranges.js';
import { ternaryRowRanges, treeNodeRanges, treeRowRanges, type TreeUse } from './rows.js';

export interface LinearContext {
  readonly m: Module;
  readonly node: Node;
  readonly inType: TensorType;
  /** Evaluate a tree only when it carries types (else the weights). */
  readonly typedTreesOnly: boolean;
}

/** Rows of a linear op, and the tree evaluations that produced them. */
export interface LinearResult {
  readonly rows: Ranges;
  readonly uses: TreeUse[];
}

/** Ranges of the n input features of a matrix op: per channel for [N, F] inputs, else one hull. */
function featureRanges(inType: TensorType, x: Ranges, n: number): Ranges {
  return spread(inType.shape.length === 2 ? x : hull(x), n);
}

/** Output ranges of a matrix op: per row for [N, M] outputs, else one hull. */
function rowsOut(rows: Ranges, inType: TensorType): Ranges {
  return inType.shape.length === 2 ? rows : hull(rows);
}

function addBias(ctx: LinearContext, rows: Ranges): Ranges {
  const name = ctx.node.attrs['bias'];
  if (typeof name !== 'string') return rows;
  const b = ctx.m.consts.get(name) as IntConst;
  for (let o = 0; o < rows.lo.length; o++) {
    rows.lo[o] += b.data[o]!;
    rows.hi[o] += b.data[o]!;
  }
  return rows;
}

/** Rows of a dense int matrix [m, n]: row o on the lanes `lanesOf(o)`. */
function denseRows(w: IntConst, m: number, n: number, lanesOf: (o: number) => Ranges): Ranges {
  const out = ranges(m);
  for (let o = 0; o < m; o++) {
    const lanes = lanesOf(o);
    for (let i = 0; i < n; i++) {
      const [lo, hi] = scaleBy(lanes.lo[i]!, lanes.hi[i]!, w.data[o * n + i]!);
      out.lo[o] += lo;
      out.hi[o] += hi;
    }
  }
  return out;
}

export function linearRanges(ctx: LinearContext, x: Ranges): LinearResult {
  const w = ctx.m.consts.get(ctx.node.attrs['W'] as string) as IntConst;
  const [m, n] = [w.shape[0]!, w.shape[1]!];
  const lanes = featureRanges(ctx.inType, x, n);
  return { rows: rowsOut(addBias(ctx, denseRows(w, m, n, () => lanes)), ctx.inType), uses: [] };
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

interface ConvShape {
  readonly cout: number;
  readonly groups: number;
  /** Lanes of one window: cinG * k1 * k2. */
  readonly lanes: number;
  readonly window: (group: number) => Ranges;
}

/** A conv's weights [cout, cinG, k1, k2], its groups and the window of each group. */
function convShape(ctx: LinearContext, w: { shape: readonly number[] }, x: Ranges): ConvShape {
  const [cout, cinG, k1, k2] = w.shape as [number, number, number, number];
  const groups = (ctx.node.attrs['groups'] as number | undefined) ?? 1;
  const pad = padded(ctx.node);
  return { cout, groups, lanes: cinG * k1 * k2, window: (g) => windowRanges(x, g, cinG, k1 * k2, pad) };
}

export function conv2dRanges(ctx: LinearContext, x: Ranges): LinearResult {
  const w = ctx.m.consts.get(ctx.node.attrs['W'] as string) as IntConst;
  const { cout, groups, lanes, window } = convShape(ctx, w, x);
  return { rows: addBias(ctx, denseRows(w, cout, lanes, (o) => window(Math.floor(o / (cout / groups))))), uses: [] };
}

/** The op's tree, when it has one the analysis evaluates. */
function treeOf(ctx: LinearContext): { name: string; t: AddTree } | undefined {
  const name = ctx.node.attrs['tree'];
  const t = typeof name === 'string' ? ctx.m.trees.get(name) : undefined;
  if (!t || (ctx.typedTreesOnly && !t.types)) return undefined;
  return { name: name as string, t };
}

/** Rows rowFrom..rowTo-1 on the lanes: through the tree when there is one (recording the use), else the weights. */
function stageRows(ctx: LinearContext, w: TernaryTensor, lanes: Ranges, rowFrom: number, rowTo: number, uses: TreeUse[]): Ranges {
  const tree = treeOf(ctx);
  if (!tree) return ternaryRowRanges(w, lanes, rowFrom, rowTo);
  uses.push({ tree: tree.name, rowFrom, rowTo, lanes });
  const nodes = treeNodeRanges(tree.t, lanes, liveNodes(tree.t, rowFrom, rowTo));
  return treeRowRanges(tree.t, nodes, rowFrom, rowTo);
}

export function tmatvecRanges(ctx: LinearContext, x: Ranges): LinearResult {
  const w = ctx.m.consts.get(ctx.node.attrs['weights'] as string) as TernaryTensor;
  const uses: TreeUse[] = [];
  const rows = stageRows(ctx, w, featureRanges(ctx.inType, x, w.cols), 0, w.rows, uses);
  return { rows: rowsOut(rows, ctx.inType), uses };
}

export function tconvRanges(ctx: LinearContext, x: Ranges): LinearResult {
  const w = ctx.m.consts.get(ctx.node.attrs['weights'] as string) as TernaryTensor;
  const { cout, groups, window } = convShape(ctx, w, x);
  const per = cout / groups;
  const out = ranges(cout);
  const uses: TreeUse[] = [];
  for (let g = 0; g < groups; g++) {
    const rows = stageRows(ctx, w, window(g), g * per, (g + 1) * per, uses);
    out.lo.set(rows.lo, g * per);
    out.hi.set(rows.hi, g * per);
  }
  return { rows: out, uses };
}
