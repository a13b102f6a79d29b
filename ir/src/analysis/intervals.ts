/**
 * Interval analysis of the integer program (integer and scheduled stages): from each
 * fixed-point module input's type range and each quantize's type (a float may saturate to
 * either end), per-channel integer intervals propagate exactly through every op. The
 * result depends on declared widths only where an op saturates (quantize, requant, clamp
 * by its bounds), so the verifier compares declared types against it and bit-widths sizes
 * widths from it.
 */
import { fixedTypeProblem, maxOf, minOf, shrRound, type FixedType } from '../fixed.js';
import type { Module, Node } from '../module.js';
import { channelsOf } from '../ops.js';
import type { IntConst, TensorType } from '../tensor.js';
import { conv2dRanges, type LinearContext, type LinearResult, linearRanges, tconvRanges, tmatvecRanges } from './linear.js';
import { fullRange, mapMonotone, ranges, type Ranges, scaleBy, spread } from './ranges.js';
import type { TreeUse } from './rows.js';
import { binaryRanges, padRanges, shapeRanges } from './movement.js';

export interface IntervalOptions {
  /** Whether node `index` is analysed (default: every node with a fixed-point result). */
  readonly include?: (node: Node, index: number) => boolean;
  /**
   * Go on from each result clipped to its declared type (default: as computed). The
   * verifier does, so that one overflow is reported at its op and not again downstream.
   */
  readonly clipToDeclared?: boolean;
  /** Evaluate a tmatvec / tconv through its tree only when the tree carries types (default: any tree). */
  readonly typedTreesOnly?: boolean;
}

/** What the analysis found at one node. */
export interface OpIntervals {
  /** Per channel, every integer the result can take (before any clipToDeclared). */
  readonly result: Ranges;
  /** requant: its product x * c before the shift. */
  readonly product?: Ranges;
  /** The tree evaluations of a tmatvec / tconv (one per group), in order. */
  readonly uses: readonly TreeUse[];
}

export interface IntervalAnalysis {
  /** Per-channel interval of every analysed fixed-point value, as later ops read it. */
  readonly values: ReadonlyMap<string, Ranges>;
  /** Per node index: what the analysis found there (undefined: not analysed). */
  readonly ops: readonly (OpIntervals | undefined)[];
}

/** Per-channel intervals of every fixed-point value of `m` and the tree uses behind them. */
export function analyzeIntervals(m: Module, opts: IntervalOptions = {}): IntervalAnalysis {
  const env = new Map<string, Ranges>();
  for (const v of m.inputs) {
    const t = m.values.get(v);
    if (t?.elem.kind === 'fixed' && !fixedTypeProblem(t.elem)) env.set(v, fullRange(t.elem));
  }
  const ops = m.nodes.map((n, index) => {
    const out = m.values.get(n.outputs[0] ?? '');
    if (!out || out.elem.kind !== 'fixed' || (opts.include && !opts.include(n, index))) return undefined;
    const found = analyzeNode(m, n, env, opts);
    if (found) env.set(n.outputs[0]!, opts.clipToDeclared ? clipTo(found.result, out.elem) : found.result);
    return found;
  });
  return { values: env, ops };
}

/** r saturated into what t holds. */
function clipTo(r: Ranges, t: FixedType): Ranges {
  return mapMonotone(r, (x) => Math.min(Math.max(x, minOf(t.width)), maxOf(t.width)));
}

interface Ctx {
  readonly m: Module;
  readonly node: Node;
  readonly inTypes: readonly TensorType[];
  readonly typedTreesOnly: boolean;
}

function analyzeNode(m: Module, n: Node, env: ReadonlyMap<string, Ranges>, opts: IntervalOptions): OpIntervals | undefined {
  if (n.op === 'quantize') {
    const t = n.attrs['type'] as FixedType;
    return fixedTypeProblem(t) ? undefined : { result: fullRange(t), uses: [] };
  }
  const ins = n.inputs.map((v) => env.get(v));
  if (!ins.every((x) => x !== undefined)) return undefined;
  const ctx: Ctx = { m, node: n, inTypes: n.inputs.map((v) => m.values.get(v)!), typedTreesOnly: opts.typedTreesOnly ?? false };
  if (n.op === 'requant') return requantRanges(ctx, ins[0]!);
  const linear = linearTransfer(ctx, ins[0]!);
  if (linear) return { result: linear.rows, uses: linear.uses };
  return { result: transfer(ctx, ins), uses: [] };
}

function linearTransfer(ctx: Ctx, x: Ranges): LinearResult | undefined {
  const lctx: LinearContext = { m: ctx.m, node: ctx.node, inType: ctx.inTypes[0]!, typedTreesOnly: ctx.typedTreesOnly };
  switch (ctx.node.op) {
    case 'linear': return linearRanges(lctx, x);
    case 'conv2d': return conv2dRanges(lctx, x);
    case 'tmatvec': return tmatvecRanges(lctx, x);
    case 'tconv': return tconvRanges(lctx, x);
    default: return undefined;
  }
}

function intConst(ctx: Ctx, key: string): IntConst {
  return ctx.m.consts.get(ctx.node.attrs[key] as string) as IntConst;
}

/** x * c for a multiplier of length 1 or one per channel. */
function timesConst(ctx: Ctx, x: Ranges): Ranges {
  const c = intConst(ctx, 'c');
  const xs = c.data.length === 1 ? x : spread(x, channelsOf(ctx.inTypes[0]!.shape));
  const out = ranges(xs.lo.length);
  for (let k = 0; k < xs.lo.length; k++) {
    [out.lo[k], out.hi[k]] = scaleBy(xs.lo[k]!, xs.hi[k]!, c.data.length === 1 ? c.data[0]! : c.data[k]!);
  }
  return out;
}

/** requant: shrRound(x * c, shift), saturated into its type. */
function requantRanges(ctx: Ctx, x: Ranges): OpIntervals {
  const product = timesConst(ctx, x);
  const shift = ctx.node.attrs['shift'] as number;
  const t = ctx.node.attrs['type'] as FixedType;
  const shifted = mapMonotone(product, (v) => shrRound(v, shift));
  return { result: clipTo(shifted, t), product, uses: [] };
}

/** Element-wise ops and data movement. */
function transfer(ctx: Ctx, ins: readonly Ranges[]): Ranges {
  const x = ins[0]!;
  const a = ctx.node.attrs;
  switch (ctx.node.op) {
    case 'relu': return mapMonotone(x, (v) => Math.max(v, 0));
    case 'maxpool2d': case 'identity': return x;
    case 'clamp': return mapMonotone(x, (v) => Math.min(Math.max(v, a['lo'] as number), a['hi'] as number));
    case 'shrround': return mapMonotone(x, (v) => shrRound(v, a['shift'] as number));
    case 'mulconst': return timesConst(ctx, x);
    case 'bias': {
      const b = intConst(ctx, 'b');
      return mapMonotone(spread(x, b.data.length), (v, c) => v + b.data[c]!);
    }
    // on fixed-point data the pad value is the integer q itself
    case 'pad': return padRanges(x, (a['value'] as number | undefined) ?? 0);
    case 'add': case 'mul': return binaryRanges(ctx.node.op, ins[0]!, ins[1]!, ctx.inTypes[0]!, ctx.inTypes[1]!);
    default: return shapeRanges(ctx.node, ins, ctx.inTypes, ctx.m.values.get(ctx.node.outputs[0]!)!);
  }
}
