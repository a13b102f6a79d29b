/**
 * Interval transfer of the ops that move or combine values without weights: pad, add and
 * mul (with broadcasting), concat, flatten and the layout ops. Channels survive where axis
 * 1 does; elsewhere one interval covers the whole tensor.
 */
import type { Node } from '../module.js';
import { channelsOf } from '../ops.js';
import type { TensorType } from '../tensor.js';
import { numel } from '../tensor.js';
import { chan, hull, ranges, type Ranges, spread } from './ranges.js';

/** pad with the integer v: each channel also takes v. */
export function padRanges(x: Ranges, v: number): Ranges {
  const out = ranges(x.lo.length);
  for (let c = 0; c < x.lo.length; c++) { out.lo[c] = Math.min(x.lo[c]!, v); out.hi[c] = Math.max(x.hi[c]!, v); }
  return out;
}

/** add / mul with broadcasting: channel by channel when both operands index the same axis 1. */
export function binaryRanges(op: 'add' | 'mul', p: Ranges, q: Ranges, tp: TensorType, tq: TensorType): Ranges {
  const aligned = tp.shape.length === tq.shape.length && tp.shape.length >= 2;
  const [A, B] = aligned ? [p, q] : [hull(p), hull(q)];
  const ch = Math.max(A.lo.length, B.lo.length);
  const out = ranges(ch);
  for (let c = 0; c < ch; c++) {
    const [alo, ahi, blo, bhi] = [A.lo[chan(A, c)]!, A.hi[chan(A, c)]!, B.lo[chan(B, c)]!, B.hi[chan(B, c)]!];
    if (op === 'add') { out.lo[c] = alo + blo; out.hi[c] = ahi + bhi; continue; }
    const corners = [alo * blo, alo * bhi, ahi * blo, ahi * bhi];
    out.lo[c] = Math.min(...corners);
    out.hi[c] = Math.max(...corners);
  }
  return out;
}

/** Data movement: channels survive flatten(axis 1), concat(axis 1) and layouts keeping axes 0 and 1; else one hull. */
export function shapeRanges(n: Node, ins: readonly Ranges[], inTypes: readonly TensorType[], outType: TensorType): Ranges {
  const inT = inTypes[0]!;
  const x = ins[0]!;
  const axis = (n.attrs['axis'] as number | undefined) ?? 1;
  if (n.op === 'concat') return axis === 1 ? concatChannels(ins, inTypes) : hull(...ins);
  if (n.op === 'flatten' && axis === 1 && inT.shape.length >= 2 && x.lo.length > 1) return expandChannels(x, numel(inT.shape.slice(2)));
  const keepsAxis1 = outType.shape.length >= 2 && inT.shape.length >= 2 && outType.shape[0] === inT.shape[0] && outType.shape[1] === inT.shape[1]
    && (n.op !== 'transpose' || ((n.attrs['perm'] as number[])[0] === 0 && (n.attrs['perm'] as number[])[1] === 1));
  return keepsAxis1 ? x : hull(x);
}

/** concat on axis 1: the operands' channels one after the other. */
function concatChannels(ins: readonly Ranges[], inTypes: readonly TensorType[]): Ranges {
  const parts = ins.map((r, k) => spread(r, channelsOf(inTypes[k]!.shape)));
  const out = ranges(parts.reduce((s, r) => s + r.lo.length, 0));
  let at = 0;
  for (const r of parts) { out.lo.set(r.lo, at); out.hi.set(r.hi, at); at += r.lo.length; }
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
