/**
 * quantize: calibrated intN activations, s as requant multipliers (fixed-point or few-digit
 * CSD), bias in the accumulator's scale; returns the |integer - float64| bound it implies
 * (quant/error-bound.ts). Expects stage addtree; produces stage integer with provisional
 * widths: saturating results (quantize, requant) at their chosen width; ops that move or
 * select values (relu, maxpool2d, flatten, ...) at their input's; a concat, and the
 * mulconsts that even its operands, at its widest operand's; every other fixed result and
 * tree node at MAX_WIDTH. bit-widths then sizes all but the saturating results.
 */
import {
  F32, MAX_WIDTH, TsvdcError, fixedElem, intConst, maxOf, quantizeValue, withModule,
  type AddTree, type Attrs, type Const, type DenseConst, type ElemType, type Module, type Node, type TensorType,
} from '@tsvdc/ir';
import { PASS_CODES } from './codes.js';
import { calibrate, clippedBeyond, type Calibration, type CalibrationData, type CalibrationMethod } from './quant/calibrate.js';
import { addChans, chans, lipschitz, mapChans, maxOfChans, spreadChans, type Chans, type Clipping, type QuantBound } from './quant/error-bound.js';
import { fracFor, multiplier } from './quant/fixed-point.js';
import { denseStage, ternaryStage, type Composed, type StageEmit, type StageSource } from './quant/stages.js';
import { expectStage } from './stage-check.js';
import { provisionalTypes } from './widths/tree-types.js';

export interface QuantizeOptions {
  /** Sample inputs (batches keyed by input name) for calibration. */
  readonly calibration: CalibrationData;
  /** Activation width (default 8). */
  readonly bits?: number;
  /**
   * Width of the scaled TSVD components between the V and U stages (default: bits + 4).
   * This tensor is internal to a layer; 4 bits above the activations recover most of what
   * int8 loses here (bench/RESULTS.md "Add-tree passes": top-1 agreement with float 98.0-98.4%
   * at int8, 99.7-99.75% at int12, no better at int16) for 4 bits more in the U-stage adders.
   */
  readonly midBits?: number;
  /** Width of dense (non-ternary) weights (default 8). */
  readonly weightBits?: number;
  /** Width of requant multipliers (default 16). */
  readonly scaleBits?: number;
  readonly method?: CalibrationMethod;
  /** Percentile of magnitudes for method 'percentile' (default 99.99). */
  readonly percentile?: number;
  /** When > 0, requant multipliers have at most this many non-zero CSD digits (shift-add). */
  readonly csdDigits?: number;
}

/** A float value as the integer program holds it. */
export interface QVal {
  readonly name: string;
  /** Fixed-point type, or undefined while the value is still float. */
  readonly fx?: { readonly width: number; readonly frac: number };
  readonly err: Chans;
  readonly mag: Chans;
  /** Set on a ternary stage's result: what its error came from (for a composed bound downstream). */
  readonly stage?: StageSource;
  /** Set on a scaled V result (TSVD mid tensor): lets the U stage bound the layer as one map. */
  readonly composed?: Composed;
}

/**
 * Provisional width of results bit-widths sizes afterwards: MAX_WIDTH holds every value
 * the verifier accepts at all, so the module is a valid integer program before sizing.
 */
const SIZED_LATER = MAX_WIDTH;

export function quantize(m: Module, options: QuantizeOptions): Module {
  return quantizeWithBound(m, options).module;
}

export function quantizeWithBound(m: Module, options: QuantizeOptions): { module: Module; bound: QuantBound } {
  expectStage('quantize', m, ['addtree']);
  const q = new Quantizer(m, checkOptions(options), calibrate(m, options.calibration, options.method, options.percentile));
  for (const v of m.inputs) q.input(v);
  for (const n of m.nodes) q.node(n);
  return q.finish();
}

type Opts = Required<Omit<QuantizeOptions, 'calibration'>>;

function checkOptions(o: QuantizeOptions): Opts {
  const bits = o.bits ?? 8;
  const out: Opts = {
    bits, midBits: o.midBits ?? bits + 4, weightBits: o.weightBits ?? 8, scaleBits: o.scaleBits ?? 16,
    method: o.method ?? 'minmax', percentile: o.percentile ?? 99.99, csdDigits: o.csdDigits ?? 0,
  };
  const bad = (what: string, v: unknown): never => { throw new TsvdcError(PASS_CODES.badQuantOption, `quantize: ${what}, got ${String(v)}`); };
  for (const k of ['bits', 'midBits', 'weightBits', 'scaleBits'] as const) {
    if (!Number.isInteger(out[k]) || out[k] < 2 || out[k] > 24) bad(`${k} must be an integer in 2..24`, out[k]);
  }
  if (!(out.percentile > 0 && out.percentile <= 100)) bad('percentile must be in (0, 100]', out.percentile);
  if (!Number.isInteger(out.csdDigits) || out.csdDigits < 0) bad('csdDigits must be an integer >= 0', out.csdDigits);
  if (out.method !== 'minmax' && out.method !== 'percentile') bad("method must be 'minmax' or 'percentile'", out.method);
  return out;
}

export class Quantizer implements StageEmit {
  readonly nodes: Node[] = [];
  readonly values = new Map<string, TensorType>();
  readonly consts: Map<string, Const>;
  private readonly q = new Map<string, QVal>();
  /** Conversions already emitted (a value read by several consumers is converted once). */
  private readonly converted = new Map<string, QVal>();
  private readonly report: Array<{ node: string; value: string; bound: number }> = [];
  private readonly clipping: Clipping[] = [];
  /** The node of m that computes each value (none for module inputs). */
  private readonly producer = new Map<string, Node>();

  constructor(readonly m: Module, readonly opts: Opts, private readonly cal: Calibration) {
    this.consts = new Map(m.consts);
    for (const n of m.nodes) for (const v of n.outputs) this.producer.set(v, n);
  }

  input(v: string): void {
    const t = this.m.values.get(v)!;
    this.values.set(v, t);
    this.q.set(v, { name: v, err: chans(1, 0), mag: chans(1, Infinity) });
  }

  node(n: Node): void {
    const out = n.outputs[0]!;
    const before = this.nodes.length;
    const r = this.lower(n);
    this.q.set(out, r);
    if (this.nodes.length > before) this.report.push({ node: n.name ?? out, value: out, bound: maxOfChans(r.err) });
  }

  finish(): { module: Module; bound: QuantBound } {
    const outputs = new Map<string, Chans>();
    for (const v of this.m.outputs) {
      const r = this.q.get(v)!;
      if (r.fx) this.dequantizeInto(r, v);
      outputs.set(v, r.err);
    }
    const module = withModule(this.m, { stage: 'integer', nodes: this.nodes, values: this.values, ...this.used() });
    return { module, bound: { outputs, values: this.report, clipping: this.clipping } };
  }

  /**
   * Constants and trees some node still names (the float scales, weights and biases drop
   * out); a tree on fixed-point data gets provisional types (see SIZED_LATER).
   */
  private used(): { consts: Map<string, Const>; trees: Module['trees'] } {
    const names = new Set(this.nodes.flatMap((n) => Object.values(n.attrs).filter((v): v is string => typeof v === 'string')));
    const consts = new Map([...this.consts].filter(([k]) => names.has(k)));
    const data = new Map<string, ElemType>();
    for (const n of this.nodes) if (typeof n.attrs['tree'] === 'string') data.set(n.attrs['tree'], this.values.get(n.inputs[0]!)!.elem);
    const trees = new Map<string, AddTree>();
    for (const [k, t] of this.m.trees) {
      const elem = data.get(k);
      if (elem) trees.set(k, elem.kind === 'fixed' ? provisionalTypes(t, elem.frac) : t);
    }
    return { consts, trees };
  }

  // --- value conversions -------------------------------------------------------------

  get(v: string): QVal {
    return this.q.get(v)!;
  }

  range(v: string): number {
    return this.cal.range.get(v) ?? 0;
  }

  /** The value as intN (N = bits) at its calibrated frac: requantized when wider, quantized when float. */
  narrow(v: string, bits: number, accept = bits): QVal {
    const x = this.get(v);
    if (x.fx && x.fx.width <= accept) return x;
    return this.once(`${v}\u0000narrow${bits}`, () => this.narrowed(v, x, bits));
  }

  private once(key: string, make: () => QVal): QVal {
    let r = this.converted.get(key);
    if (!r) { r = make(); this.converted.set(key, r); }
    return r;
  }

  private narrowed(v: string, x: QVal, bits: number): QVal {
    const f = fracFor(this.range(v), bits);
    // precondition of the bound: the float value lies within its calibrated range
    const mag = mapChans(x.mag, (a) => Math.min(a, this.range(v)));
    this.noteClipping(v, maxOf(bits) * 2 ** -f, this.producer.get(v));
    if (!x.fx) {
      const name = this.emit('quantize', [x.name], `${v}.q`, { type: { width: bits, frac: f } }, fixedElem(bits, f), v);
      return { name, fx: { width: bits, frac: f }, err: mapChans(x.err, (e) => e + 2 ** (-f - 1)), mag };
    }
    const shift = x.fx.frac - f;
    const c = this.constant(`${v}.one`, intConst([1], [1]));
    const name = this.emit('requant', [x.name], `${v}.q`, { c, shift, type: { width: bits, frac: f } }, fixedElem(bits, f), v);
    return { name, fx: { width: bits, frac: f }, err: mapChans(x.err, (e) => e + (shift > 0 ? 2 ** (-f - 1) : 0)), mag };
  }

  /**
   * Records the calibration values of `v` (computed by `src`) beyond `maxrep`, the largest
   * value of the saturating op's type, which it clips (percentile calibration): the error
   * bound assumes none, so the report must say so.
   */
  private noteClipping(v: string, maxrep: number, src: Node | undefined): void {
    const { clipped, total } = clippedBeyond(this.cal, v, maxrep);
    if (total === 0) return;
    this.clipping.push({ value: v, layer: src?.origin?.node ?? src?.name ?? v, clipped, total });
  }

  /** The value as float (dequantized when fixed; exact in the interpreter's exact mode). */
  float(v: string): QVal {
    const x = this.get(v);
    if (!x.fx) return x;
    return this.once(`${v}\u0000float`, () => ({ name: this.emit('dequantize', [x.name], `${v}.f`, {}, F32, v), err: x.err, mag: x.mag }));
  }

  private dequantizeInto(r: QVal, v: string): void {
    // the module output keeps its name: the fixed value it came from is renamed
    let fixedName = `${v}.fx`;
    for (let k = 1; this.values.has(fixedName); k++) fixedName = `${v}.fx.${k}`;
    this.rename(r.name, fixedName);
    this.nodes.push({ op: 'dequantize', inputs: [fixedName], outputs: [v], attrs: {}, origin: { part: 'dequantize' } });
    this.values.set(v, { shape: this.values.get(fixedName)!.shape, elem: F32 });
  }

  private rename(from: string, to: string): void {
    this.values.set(to, this.values.get(from)!);
    this.values.delete(from);
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      if (n.outputs.includes(from) || n.inputs.includes(from)) {
        this.nodes[i] = { ...n, inputs: n.inputs.map((x) => (x === from ? to : x)), outputs: n.outputs.map((x) => (x === from ? to : x)) };
      }
    }
  }

  // --- emission ----------------------------------------------------------------------

  /** Appends a node with one output named `out` (made unique); returns the output name. */
  emit(op: string, inputs: readonly string[], out: string, attrs: Attrs, elem: ElemType, like: string, src?: Node): string {
    let name = out;
    for (let k = 1; this.values.has(name) || (name !== like && this.m.values.has(name)); k++) name = `${out}.${k}`;
    const shape = this.m.values.get(like)?.shape ?? this.values.get(inputs[0]!)!.shape;
    this.values.set(name, { shape, elem });
    this.nodes.push({
      op, inputs: [...inputs], outputs: [name], attrs,
      ...(src?.name !== undefined ? { name: src.name } : {}),
      ...(src?.origin ? { origin: src.origin } : { origin: { part: op } }),
    });
    return name;
  }

  constant(base: string, c: Const): string {
    let name = base;
    for (let k = 1; this.consts.has(name); k++) name = `${base}.${k}`;
    this.consts.set(name, c);
    return name;
  }

  /** A fixed result of `op` on fixed inputs, with its frac and a width bit-widths sizes. */
  fixedResult(n: Node, op: string, inputs: readonly string[], attrs: Attrs, frac: number, err: Chans, mag: Chans, width = SIZED_LATER): QVal {
    const name = this.emit(op, inputs, n.outputs[0]!, attrs, fixedElem(width, frac), n.outputs[0]!, n);
    return { name, fx: { width, frac }, err, mag };
  }

  private floatResult(n: Node, inputs: readonly QVal[], err: Chans, mag: Chans): QVal {
    const name = this.emit(n.op, inputs.map((x) => x.name), n.outputs[0]!, n.attrs, this.m.values.get(n.outputs[0]!)!.elem, n.outputs[0]!, n);
    return { name, err, mag };
  }

  // --- ops -------------------------------------------------------------------------------

  private lower(n: Node): QVal {
    switch (n.op) {
      case 'tmatvec': case 'tconv': return ternaryStage(this, n);
      case 'linear': case 'conv2d': return denseStage(this, n);
      case 'scale': return this.scale(n);
      case 'bias': return this.bias(n);
      case 'add': return this.add(n);
      case 'relu': case 'maxpool2d': case 'identity': case 'flatten': case 'reshape': case 'transpose': case 'pad':
        return this.passThrough(n);
      case 'concat': return this.concat(n);
      default: return this.floatOp(n);
    }
  }

  /** Ops that move or select values: exact on integers, same frac, error and magnitude per channel carried. */
  private passThrough(n: Node): QVal {
    const x = this.get(n.inputs[0]!);
    const inShape = this.m.values.get(n.inputs[0]!)!.shape;
    const outShape = this.m.values.get(n.outputs[0]!)!.shape;
    const carry = (c: Chans): Chans => reshapeChans(n, c, inShape, outShape);
    if (!x.fx) return this.floatResult(n, [x], carry(x.err), carry(x.mag));
    let attrs = n.attrs;
    if (n.op === 'pad') {
      const v = (n.attrs['value'] as number | undefined) ?? 0;
      const q = quantizeValue(v, { width: MAX_WIDTH, frac: x.fx.frac });
      if (q * 2 ** -x.fx.frac !== v) throw this.notQuantizable(n, `pad value ${v} is not a multiple of 2^-${x.fx.frac}`);
      attrs = { ...n.attrs, ...(n.attrs['value'] !== undefined ? { value: q } : {}) };
    }
    const name = this.emit(n.op, [x.name], n.outputs[0]!, attrs, fixedElem(x.fx.width, x.fx.frac), n.outputs[0]!, n);
    return { name, fx: x.fx, err: carry(x.err), mag: carry(x.mag) };
  }

  /** s per channel as a requant to midBits at the output's calibrated frac. */
  private scale(n: Node): QVal {
    const x = this.get(n.inputs[0]!);
    const s = this.dense(n, 's');
    if (!x.fx) return this.floatResult(n, [x], mapChans(spreadChans(x.err, s.length), (e, c) => e * Math.abs(s[c]!)), mapChans(spreadChans(x.mag, s.length), (a, c) => a * Math.abs(s[c]!)));
    const bits = this.opts.midBits;
    const f = fracFor(this.range(n.outputs[0]!), bits);
    const maxrep = maxOf(bits) * 2 ** -f;
    this.noteClipping(n.outputs[0]!, maxrep, n);
    const real = s.map((v) => v * 2 ** (f - x.fx!.frac));
    const mult = multiplier(real, this.opts.scaleBits, this.opts.csdDigits);
    const c = this.constant(`${n.outputs[0]}.c`, intConst([s.length], mult.c));
    const name = this.emit('requant', [x.name], n.outputs[0]!, { c, shift: mult.shift, type: { width: bits, frac: f } }, fixedElem(bits, f), n.outputs[0]!, n);
    const eff = Float64Array.from(s, (_, k) => mult.c[k]! * 2 ** (x.fx!.frac - mult.shift - f));
    const half = mult.shift > 0 ? 2 ** (-f - 1) : 0;
    const [eIn, mIn] = [spreadChans(x.err, s.length), spreadChans(x.mag, s.length)];
    // rounding and multiplier error, and how far saturation can clip (only when the error could cross the range)
    const A = this.range(n.outputs[0]!);
    const rest = mapChans(mIn, (a, k) => Math.abs(eff[k]! - s[k]!) * a + half);
    const err = mapChans(eIn, (e, k) => Math.abs(eff[k]!) * e + rest[k]!);
    const clip = mapChans(err, (e) => Math.max(0, A + e - maxrep));
    const mag = mapChans(mIn, (a, k) => Math.min(a * Math.abs(s[k]!), A));
    const composed: Composed | undefined = x.stage && { ...x.stage, sEff: eff, rest: mapChans(rest, (r, k) => r + clip[k]!) };
    return { name, fx: { width: bits, frac: f }, err, mag, ...(composed ? { composed } : {}) };
  }

  /** b in the accumulator's scale: B = round(b * 2^frac). */
  private bias(n: Node): QVal {
    const x = this.get(n.inputs[0]!);
    const b = this.dense(n, 'b');
    const [eIn, mIn] = [spreadChans(x.err, b.length), spreadChans(x.mag, b.length)];
    const mag = mapChans(mIn, (a, k) => a + Math.abs(b[k]!));
    if (!x.fx) return this.floatResult(n, [x], eIn, mag);
    const frac = x.fx.frac;
    const B = b.map((v) => quantizeValue(v, { width: MAX_WIDTH, frac }));
    const name = this.constant(`${n.outputs[0]}.b`, intConst([b.length], B));
    const err = mapChans(eIn, (e, k) => e + Math.abs(B[k]! * 2 ** -frac - b[k]!));
    return this.fixedResult(n, 'bias', [x.name], { b: name }, frac, err, mag);
  }

  /** Integer add once both operands share a frac (the coarser one is scaled up exactly). */
  private add(n: Node): QVal {
    let [a, b] = [this.get(n.inputs[0]!), this.get(n.inputs[1]!)];
    const err = addChans(a.err, b.err);
    const mag = addChans(a.mag, b.mag);
    if (!a.fx || !b.fx) return this.floatResult(n, [this.float(n.inputs[0]!), this.float(n.inputs[1]!)], err, mag);
    if (a.fx.frac < b.fx.frac) a = this.align(a, b.fx.frac, n.inputs[0]!);
    else if (b.fx.frac < a.fx.frac) b = this.align(b, a.fx.frac, n.inputs[1]!);
    return this.fixedResult(n, 'add', [a.name, b.name], {}, a.fx!.frac, err, mag);
  }

  /** x at `frac` (>= its own) by an exact mulconst, at a width that bit-widths sizes (and can widen). */
  private align(x: QVal, frac: number, like: string): QVal {
    const c = this.constant(`${like}.align`, intConst([1], [2 ** (frac - x.fx!.frac)]));
    const name = this.emit('mulconst', [x.name], `${like}.align`, { c, type: { width: SIZED_LATER, frac } }, fixedElem(SIZED_LATER, frac), like);
    return { ...x, name, fx: { width: SIZED_LATER, frac } };
  }

  private concat(n: Node): QVal {
    const ins = n.inputs.map((v) => this.get(v));
    const fx = ins[0]!.fx;
    const same = fx !== undefined && ins.every((x) => x.fx && x.fx.frac === fx.frac);
    const err = chans(1, Math.max(...ins.map((x) => maxOfChans(x.err))));
    const mag = chans(1, Math.max(...ins.map((x) => maxOfChans(x.mag))));
    if (!same) return this.floatResult(n, n.inputs.map((v) => this.float(v)), err, mag);
    // concat needs equal operand widths, and bit-widths can widen only what it sizes (sums,
    // mulconst): unless every operand is a saturating result of one width (intN), each goes
    // through a mulconst by 1 that bit-widths sizes and widens to the widest (concatWidths)
    const saturated = ins.every((x) => x.fx!.width === fx.width && fx.width < SIZED_LATER);
    const width = saturated ? fx.width : SIZED_LATER;
    const equal = saturated ? ins : ins.map((x, i) => this.align(x, fx.frac, n.inputs[i]!));
    return this.fixedResult(n, 'concat', equal.map((x) => x.name), n.attrs, fx.frac, err, mag, width);
  }

  /** Float-only ops run on dequantized data; the bound scales by their Lipschitz constant. */
  private floatOp(n: Node): QVal {
    const ins = n.inputs.map((v) => this.float(v));
    const L = lipschitz(n.op);
    const x = ins[0]!;
    const err = n.op === 'softmax' ? chans(1, L * maxOfChans(x.err)) : mapChans(x.err, (e) => (L === Infinity ? Infinity : L * e));
    const mag = n.op === 'softmax' || n.op === 'sigmoid' || n.op === 'tanh' ? chans(1, 1) : L === 1 ? x.mag : chans(1, Infinity);
    return this.floatResult(n, ins, err, mag);
  }

  dense(n: Node, key: string): Float64Array {
    const c = this.m.consts.get(n.attrs[key] as string) as DenseConst;
    return Float64Array.from(c.data);
  }

  notQuantizable(n: Node, reason: string): TsvdcError {
    return new TsvdcError(PASS_CODES.notQuantizable, `cannot quantize ${n.op}: ${reason}`, {
      ...(this.m.source ? { file: this.m.source } : {}), ...(n.origin ?? {}), node: n.origin?.node ?? n.name ?? n.outputs[0]!,
    });
  }
}

/** Per-channel bounds through a data-movement op: flatten(axis 1) spreads channels over features; unknown layouts take the max. */
function reshapeChans(n: Node, c: Chans, inShape: readonly number[], outShape: readonly number[]): Chans {
  if (c.length === 1) return c;
  if (n.op === 'flatten' && ((n.attrs['axis'] as number | undefined) ?? 1) === 1 && inShape.length >= 2) {
    const inner = inShape.slice(2).reduce((p, d) => p * d, 1);
    const out = new Float64Array(c.length * inner);
    for (let k = 0; k < c.length; k++) out.fill(c[k]!, k * inner, (k + 1) * inner);
    return out;
  }
  const keeps = inShape.length >= 2 && outShape.length >= 2 && inShape[1] === outShape[1]
    && (n.op !== 'transpose' || ((n.attrs['perm'] as number[])[0] === 0 && (n.attrs['perm'] as number[])[1] === 1));
  return keeps ? c : chans(1, maxOfChans(c));
}

