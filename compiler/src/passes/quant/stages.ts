/**
 * Quantizing the linear stages: ternary stages (tmatvec / tconv, exact integer sums on
 * intN inputs) and dense layers left float by TSVD (linear / conv2d with weights
 * rounded to weightBits, bias in the accumulator's scale, then a relabelling mulconst
 * by 1 that gives the result its true frac). Each returns the stage's error bound.
 */
import { fixedElem, intConst, MAX_WIDTH, quantizeValue, ternaryRowTerms, type Attrs, type Const, type Module, type Node, type TernaryTensor } from '@tsvdc/ir';
import { chanAt, denseRowSums, maxOfChans, spreadChans, ternaryRowSums, chans, type Chans } from './error-bound.js';
import { fracFor } from './fixed-point.js';
import type { QVal } from '../quantize.js';

/** A ternary stage's result remembers its weights and input error. */
export interface StageSource {
  readonly w: TernaryTensor;
  readonly node: Node;
  readonly inErr: Chans;
  readonly inRank: number;
}

/** A scaled stage result (TSVD mid tensor): effective scales and the per-component error they add. */
export interface Composed extends StageSource {
  readonly sEff: Float64Array;
  /** Per component: multiplier error * magnitude + rounding + possible clipping. */
  readonly rest: Float64Array;
}

/** What a stage needs from the quantizer. */
export interface StageEmit {
  readonly m: Module;
  readonly opts: { readonly bits: number; readonly midBits: number; readonly weightBits: number };
  /** The value as intN, passing values already at most `accept` bits wide. */
  narrow(v: string, bits: number, accept?: number): QVal;
  fixedResult(n: Node, op: string, inputs: readonly string[], attrs: Attrs, frac: number, err: Chans, mag: Chans): QVal;
  emit(op: string, inputs: readonly string[], out: string, attrs: Attrs, elem: ReturnType<typeof fixedElem>, like: string, src?: Node): string;
  constant(base: string, c: Const): string;
  dense(n: Node, key: string): Float64Array;
}

/** Per-lane values of a matrix stage's input: per feature for [N, F] inputs, else one value. */
function lanesOf(c: Chans, rank: number, n: number): Chans {
  return rank === 2 ? spreadChans(c, n) : chans(n, maxOfChans(c));
}

/** Lane l of a conv window of output channel o: its input channel. */
function laneChannel(o: number, l: number, cout: number, cinG: number, k: number, groups: number): number {
  return Math.floor(o / (cout / groups)) * cinG + Math.floor(l / k);
}

export function ternaryStage(q: StageEmit, n: Node): QVal {
  const x = q.narrow(n.inputs[0]!, q.opts.bits, Math.max(q.opts.bits, q.opts.midBits));
  const w = q.m.consts.get(n.attrs['weights'] as string) as TernaryTensor;
  const rank = q.m.values.get(n.inputs[0]!)!.shape.length;
  const flat = n.op === 'tmatvec' && rank !== 2;
  const lane = laneMap(n, w, rank);
  const mag = ternaryRowSums(w, (j, o) => lane(x.mag, j, o));
  // a U stage right after its V stage and scale is also bounded as one map |U diag(s) V|:
  // tighter unless saturation between the two can clip; both bounds hold, take the smaller
  let err = ternaryRowSums(w, (j, o) => lane(x.err, j, o));
  if (x.composed && sameGeometry(x.composed, n, rank)) {
    const one = composedError(x.composed, w, n);
    err = err.map((e, o) => Math.min(e, one[o]!));
  }
  const stage: StageSource = { w, node: n, inErr: x.err, inRank: rank };
  const r = q.fixedResult(n, n.op, [x.name], n.attrs, x.fx!.frac, flat ? chans(1, maxOfChans(err)) : err, flat ? chans(1, maxOfChans(mag)) : mag);
  return flat ? r : { ...r, stage };
}

/** Per-lane value of a per-channel vector for row o of a stage (features, or a conv window's channels). */
function laneMap(n: Node, w: TernaryTensor, rank: number): (c: Chans, lane: number, row: number) => number {
  if (n.op === 'tmatvec') return rank === 2 ? (c, j) => chanAt(c, j) : (c) => maxOfChans(c);
  const [cout, cinG, k1, k2] = w.shape as [number, number, number, number];
  const g = (n.attrs['groups'] as number | undefined) ?? 1;
  return (c, j, o) => chanAt(c, laneChannel(o, j, cout, cinG, k1 * k2, g));
}

/** The composed bound needs the V and U stages to be the same kind over per-channel data. */
function sameGeometry(c: Composed, u: Node, rank: number): boolean {
  if (c.node.op !== u.op) return false;
  return u.op === 'tconv' || (rank === 2 && c.inRank === 2);
}

/**
 * Row o of the layer U diag(s~) V as one map: sum over input channels and taps of
 * |sum_r U[o,r,pu] s~[r] V[r,c,pv]| * err_in[c], plus sum_r |U[o,r,pu]| * rest[r].
 * Taps (pu, pv) are kept apart, which can only overcount: the bound stays sound.
 */
function composedError(c: Composed, u: TernaryTensor, un: Node): Float64Array {
  const v = c.w;
  const g = (un.attrs['groups'] as number | undefined) ?? 1;
  const [cout, rG] = [u.shape[0]!, u.shape[1]!];
  const pu = u.cols / rG; // U taps per component
  const vCols = v.cols; // cinG * V taps
  const cinG = v.shape[1]!;
  const pv = vCols / cinG;
  const vRows = Array.from({ length: v.rows }, (_, r) => ternaryRowTerms(v, r));
  const out = new Float64Array(cout);
  const acc = new Float64Array(pu * vCols);
  for (let o = 0; o < cout; o++) {
    const grp = Math.floor(o / (cout / g));
    acc.fill(0);
    let rest = 0;
    const { plus, minus } = ternaryRowTerms(u, o);
    for (const [cols, sign] of [[plus, 1], [minus, -1]] as const) {
      for (const col of cols) {
        const r = grp * rG + Math.floor(col / pu);
        const tap = col % pu;
        const k = sign * c.sEff[r]!;
        rest += c.rest[r]!;
        const base = tap * vCols;
        for (const j of vRows[r]!.plus) acc[base + j]! += k;
        for (const j of vRows[r]!.minus) acc[base + j]! -= k;
      }
    }
    let e = rest;
    for (let t = 0; t < acc.length; t++) {
      if (acc[t] === 0) continue;
      const j = t % vCols;
      const ch = c.node.op === 'tmatvec' ? j : grp * cinG + Math.floor(j / pv);
      e += Math.abs(acc[t]!) * chanAt(c.inErr, ch);
    }
    out[o] = e;
  }
  return out;
}

export function denseStage(q: StageEmit, n: Node): QVal {
  const x = q.narrow(n.inputs[0]!, q.opts.bits);
  const W = q.dense(n, 'W');
  let amax = 0;
  for (const v of W) amax = Math.max(amax, Math.abs(v));
  const fw = fracFor(amax, q.opts.weightBits);
  const Wq = W.map((v) => quantizeValue(v, { width: q.opts.weightBits, frac: fw }));
  const accFrac = x.fx!.frac;
  const frac = accFrac + fw;
  const b = typeof n.attrs['bias'] === 'string' ? q.dense(n, 'bias') : undefined;
  const B = b?.map((v) => quantizeValue(v, { width: MAX_WIDTH, frac }));
  const y = n.outputs[0]!;
  const shape = q.m.consts.get(n.attrs['W'] as string)!.shape;
  const attrs: Record<string, Attrs[string]> = { ...n.attrs, W: q.constant(`${y}.W`, intConst(shape, Wq)) };
  if (B) attrs['bias'] = q.constant(`${y}.b`, intConst([B.length], B));
  const [m, k] = [shape[0]!, W.length / shape[0]!];
  const rank = q.m.values.get(n.inputs[0]!)!.shape.length;
  let perLaneErr: (j: number, o: number) => number;
  let perLaneMag: (j: number, o: number) => number;
  if (n.op === 'linear') {
    const [eIn, mIn] = [lanesOf(x.err, rank, k), lanesOf(x.mag, rank, k)];
    perLaneErr = (j) => eIn[j]!;
    perLaneMag = (j) => mIn[j]!;
  } else {
    const [cout, cinG, k1, k2] = shape as [number, number, number, number];
    const g = (n.attrs['groups'] as number | undefined) ?? 1;
    perLaneErr = (j, o) => chanAt(x.err, laneChannel(o, j, cout, cinG, k1 * k2, g));
    perLaneMag = (j, o) => chanAt(x.mag, laneChannel(o, j, cout, cinG, k1 * k2, g));
  }
  const Wt = Wq.map((v) => v * 2 ** -fw);
  const dW = Wt.map((v, i) => v - W[i]!);
  const e1 = denseRowSums(Wt, m, k, perLaneErr);
  const e2 = denseRowSums(dW, m, k, perLaneMag);
  const mag = denseRowSums(W, m, k, perLaneMag).map((v, o) => v + (b ? Math.abs(b[o]!) : 0));
  const err = e1.map((v, o) => v + e2[o]! + (B && b ? Math.abs(B[o]! * 2 ** -frac - b[o]!) : 0));
  // the int weights carry 2^fw: the accumulator is relabelled to frac + fw by a mulconst by 1
  const acc = q.emit(n.op, [x.name], `${y}.acc`, attrs, fixedElem(MAX_WIDTH, accFrac), y, n);
  const one = q.constant(`${y}.one`, intConst([1], [1]));
  const single = n.op === 'linear' && rank !== 2;
  return q.fixedResult(n, 'mulconst', [acc], { c: one, type: { width: MAX_WIDTH, frac } }, frac, single ? chans(1, maxOfChans(err)) : err, single ? chans(1, maxOfChans(mag)) : mag);
}
