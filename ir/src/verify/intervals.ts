/**
 * Interval analysis of the integer program (integer and scheduled stages): from each
 * fixed-point input's type range (and quantize's output type: any float may saturate
 * to either end), propagate per-channel integer intervals through every op and prove
 * that no declared width can overflow: tree nodes stay within their declared intervals
 * (transfer-linear.ts), every op's result fits its fixed type, and requant's untyped
 * product x * c fits MAX_WIDTH bits.
 */
import { fits, maxOf, MAX_WIDTH, minOf, shrRound } from '../fixed.js';
import type { FixedType } from '../fixed.js';
import type { Module } from '../module.js';
import { channelsOf } from '../ops.js';
import type { IntConst, TensorType } from '../tensor.js';
import { numel } from '../tensor.js';
import * as C from './codes.js';
import type { NodeInfo } from './nodes.js';
import { chan, fullRange, mapMonotone, ranges, type Ranges, scaleBy, spread, union } from './ranges.js';
import { fxText, type Reporter } from './report.js';
import { conv2dRanges, linearRanges, tconvRanges, tmatvecRanges, type TransferContext } from './transfer-linear.js';
import { fixedTypeProblem } from './values.js';

export function checkIntervals(m: Module, infos: readonly NodeInfo[], r: Reporter): void {
  const env = new Map<string, Ranges>();
  for (const v of m.inputs) {
    const t = m.values.get(v);
    if (t?.elem.kind === 'fixed' && !fixedTypeProblem(t.elem)) env.set(v, fullRange(t.elem));
  }
  for (const info of infos) {
    const n = info.node;
    const out = m.values.get(n.outputs[0] ?? '');
    if (!info.typed || !out || out.elem.kind !== 'fixed' || fixedTypeProblem(out.elem)) continue;
    const ins = n.inputs.map((v) => env.get(v));
    const ctx: TransferContext = { m, node: n, origin: info.origin, r, inTypes: info.inputs as TensorType[] };
    let res: Ranges | undefined;
    if (n.op === 'quantize') res = fullRange(out.elem);
    else if (ins.every((x) => x !== undefined)) res = transfer(ctx, ins as Ranges[], out.elem);
    if (!res) continue;
    env.set(n.outputs[0]!, checkFits(ctx, res, out.elem));
  }
}

/** Reports a result range that does not fit its type; returns it clipped to the type (no cascade). */
function checkFits(ctx: TransferContext, res: Ranges, t: FixedType): Ranges {
  for (let c = 0; c < res.lo.length; c++) {
    if (!fits(res.lo[c]!, t.width) || !fits(res.hi[c]!, t.width)) {
      const where = res.lo.length > 1 ? ` (channel ${c})` : '';
      ctx.r.add(C.RESULT_OVERFLOW,
        `%${ctx.node.outputs[0]} can reach [${res.lo[c]}, ${res.hi[c]}]${where}, ${fxText(t)} holds [${minOf(t.width)}, ${maxOf(t.width)}]`,
        ctx.origin);
      break;
    }
  }
  return mapMonotone(res, (x) => Math.min(Math.max(x, minOf(t.width)), maxOf(t.width)));
}

function intConst(ctx: TransferContext, key: string): IntConst {
  return ctx.m.consts.get(ctx.node.attrs[key] as string) as IntConst;
}

/** c[ch] for a multiplier of length 1 or C. */
function perChannel(c: IntConst, ch: number): number {
  return c.data.length === 1 ? c.data[0]! : c.data[ch]!;
}

function timesConst(ctx: TransferContext, x: Ranges): Ranges {
  const c = intConst(ctx, 'c');
  const ch = channelsOf(ctx.inTypes[0]!.shape);
  const xs = c.data.length === 1 ? x : spread(x, ch);
  const out = ranges(xs.lo.length);
  for (let k = 0; k < xs.lo.length; k++) [out.lo[k], out.hi[k]] = scaleBy(xs.lo[k]!, xs.hi[k]!, perChannel(c, k));
  return out;
}

function transfer(ctx: TransferContext, ins: readonly Ranges[], out: FixedType): Ranges | undefined {
  const x = ins[0]!;
  const a = ctx.node.attrs;
  switch (ctx.node.op) {
    case 'linear': return linearRanges(ctx, x);
    case 'conv2d': return conv2dRanges(ctx, x);
    case 'tmatvec': return tmatvecRanges(ctx, x);
    case 'tconv': return tconvRanges(ctx, x);
    case 'relu': return mapMonotone(x, (v) => Math.max(v, 0));
    case 'maxpool2d': case 'identity': return x;
    case 'clamp': return mapMonotone(x, (v) => Math.min(Math.max(v, a['lo'] as number), a['hi'] as number));
    case 'shrround': return mapMonotone(x, (v) => shrRound(v, a['shift'] as number));
    case 'mulconst': return timesConst(ctx, x);
    case 'requant': return requantRanges(ctx, x, out);
    case 'bias': {
      const b = intConst(ctx, 'b');
      return mapMonotone(spread(x, b.data.length), (v, c) => v + b.data[c]!);
    }
    case 'pad': {
      // on fixed-point data the pad value is the integer q itself
      const v = (a['value'] as number | undefined) ?? 0;
      const out = ranges(x.lo.length);
      for (let c = 0; c < x.lo.length; c++) { out.lo[c] = Math.min(x.lo[c]!, v); out.hi[c] = Math.max(x.hi[c]!, v); }
      return out;
    }
    case 'add': case 'mul': return binaryRanges(ctx, ins[0]!, ins[1]!);
    default: return shapeRanges(ctx, ins);
  }
}

/** requant: the product x * c must fit MAX_WIDTH bits; the result saturates into the type. */
function requantRanges(ctx: TransferContext, x: Ranges, out: FixedType): Ranges {
  const prod = timesConst(ctx, x);
  for (let c = 0; c < prod.lo.length; c++) {
    if (!fits(prod.lo[c]!, MAX_WIDTH) || !fits(prod.hi[c]!, MAX_WIDTH)) {
      ctx.r.add(C.PRODUCT_OVERFLOW, `requant product x * c can reach [${prod.lo[c]}, ${prod.hi[c]}], beyond ${MAX_WIDTH} bits`, ctx.origin);
      break;
    }
  }
  const shift = ctx.node.attrs['shift'] as number;
  return mapMonotone(prod, (v) => Math.min(Math.max(shrRound(v, shift), minOf(out.width)), maxOf(out.width)));
}

/** add / mul with broadcasting: channel by channel when both operands index the same axis 1. */
function binaryRanges(ctx: TransferContext, p: Ranges, q: Ranges): Ranges {
  const [ta, tb] = [ctx.inTypes[0]!, ctx.inTypes[1]!];
  const aligned = ta.shape.length === tb.shape.length && ta.shape.length >= 2;
  const [A, B] = aligned ? [p, q] : [union(p), union(q)];
  const ch = Math.max(A.lo.length, B.lo.length);
  const out = ranges(ch);
  for (let c = 0; c < ch; c++) {
    const [alo, ahi, blo, bhi] = [A.lo[chan(A, c)]!, A.hi[chan(A, c)]!, B.lo[chan(B, c)]!, B.hi[chan(B, c)]!];
    if (ctx.node.op === 'add') { out.lo[c] = alo + blo; out.hi[c] = ahi + bhi; continue; }
    const corners = [alo * blo, alo * bhi, ahi * blo, ahi * bhi];
    out.lo[c] = Math.min(...corners);
    out.hi[c] = Math.max(...corners);
  }
  return out;
}

/** Data movement: channels survive flatten(axis 1), concat(axis 1) and layouts keeping axis 1; else one union. */
function shapeRanges(ctx: TransferContext, ins: readonly Ranges[]): Ranges {
  const n = ctx.node;
  const inT = ctx.inTypes[0]!;
  const outT = ctx.m.values.get(n.outputs[0]!)!;
  const x = ins[0]!;
  if (n.op === 'concat') {
    if (((n.attrs['axis'] as number | undefined) ?? 1) !== 1) return ins.reduce((u, r) => unionOf(u, r));
    const parts = ins.map((r, k) => spread(r, channelsOf(ctx.inTypes[k]!.shape)));
    const out = ranges(parts.reduce((s, r) => s + r.lo.length, 0));
    let at = 0;
    for (const r of parts) { out.lo.set(r.lo, at); out.hi.set(r.hi, at); at += r.lo.length; }
    return out;
  }
  if (n.op === 'flatten' && ((n.attrs['axis'] as number | undefined) ?? 1) === 1 && inT.shape.length >= 2 && x.lo.length > 1) {
    const inner = numel(inT.shape.slice(2));
    return expandChannels(x, inner);
  }
  const keepsAxis1 = outT.shape.length >= 2 && inT.shape.length >= 2 && outT.shape[0] === inT.shape[0] && outT.shape[1] === inT.shape[1]
    && (n.op !== 'transpose' || ((n.attrs['perm'] as number[])[0] === 0 && (n.attrs['perm'] as number[])[1] === 1));
  return keepsAxis1 ? x : union(x);
}

function unionOf(p: Ranges, q: Ranges): Ranges {
  const [a, b] = [union(p), union(q)];
  const out = ranges(1);
  out.lo[0] = Math.min(a.lo[0]!, b.lo[0]!);
  out.hi[0] = Math.max(a.hi[0]!, b.hi[0]!);
  return out;
}

/** Channel c repeated `inner` times: the features of flatten([N, C, ...]). */
function expandChannels(x: Ranges, inner: number): Ranges {
  const out = ranges(x.lo.length * inner);
  for (let c = 0; c < x.lo.length; c++) {
    out.lo.fill(x.lo[c]!, c * inner, (c + 1) * inner);
    out.hi.fill(x.hi[c]!, c * inner, (c + 1) * inner);
  }
  return out;
}
