/**
 * Valid integer-stage modules from a plan: quantize, lowered ternary layers with typed
 * trees (tmatvec / tconv), requant between them, int bias, relu, max pooling, residual
 * adds, occasional dense int layers, mulconst / shrround / clamp, and dequantize at the
 * end. Widths come from intervals tracked here (one interval per value, independent of
 * the verifier's per-channel analysis, and never tighter than it).
 */
import { maxOf, minOf, shrRound, widthFor } from '../../fixed.js';
import type { Module } from '../../module.js';
import type { ElemType } from '../../tensor.js';
import { F32, fixedElem, intConst } from '../../tensor.js';
import { ternaryFromValues, ternaryRowTerms, type TernaryTensor } from '../../ternary.js';
import { ModuleBuilder } from './builder.js';
import { convFactors } from './float.js';
import type { ConvLayer, Plan } from './plan.js';
import { Rng } from './rng.js';
import { outputInterval, treeOf, typedTree } from './trees.js';

/** A fixed-point value and the interval its integers lie in. */
interface Fx {
  readonly v: string;
  readonly frac: number;
  readonly lo: number;
  readonly hi: number;
}

export interface IntegerOptions {
  /** Activation width (default 8). */
  readonly bits?: number;
  /** Probability that a stage has a typed tree (else plain tmatvec / tconv; default 0.85). */
  readonly treeShare?: number;
  /** TSVD rank of an m x n layer (default: random, 1..8 for linear, 1..4 for conv). */
  readonly rank?: (m: number, n: number) => number;
}

class IntegerEmitter {
  constructor(readonly b: ModuleBuilder, readonly rng: Rng, readonly bits: number, readonly treeShare: number,
    readonly rank: ((m: number, n: number) => number) | undefined) {}

  elem(frac: number, lo: number, hi: number): ElemType {
    return fixedElem(widthFor(lo, hi), frac);
  }

  fx(v: string, frac: number, lo: number, hi: number): Fx {
    return { v, frac, lo, hi };
  }

  /** A ternary stage over `x`: weights [rows, ...], lanes in [lo, hi] (0 included when padded). */
  stage(op: 'tmatvec' | 'tconv', x: Fx, shape: number[], attrs: Record<string, number[] | number>, padded: boolean): Fx {
    const n = shape.reduce((p, d) => p * d, 1);
    const w = ternaryFromValues(shape, this.rng.trits(n));
    const weights = this.b.constant('t', w);
    const [lo, hi] = padded ? [Math.min(0, x.lo), Math.max(0, x.hi)] : [x.lo, x.hi];
    let out: [number, number];
    let tree: Record<string, string> = {};
    if (this.rng.bool(this.treeShare)) {
      const t = typedTree(treeOf(w, this.rng.pick(['chain', 'balanced'] as const)), x.frac, lo, hi);
      tree = { tree: this.b.tree('tree', t) };
      out = outputInterval(t);
    } else out = rowsInterval(w, lo, hi);
    const v = this.b.op(op, [x.v], { weights, ...attrs, ...tree }, this.elem(x.frac, ...out));
    return this.fx(v, x.frac, ...out);
  }

  /** requant to `bits` with a per-channel multiplier in 1..255 and a shift that keeps values moderate. */
  requant(x: Fx, channels: number, frac: number): Fx {
    const c = Array.from({ length: this.rng.bool(0.3) ? 1 : channels }, () => this.rng.int(1, 255));
    const shift = this.rng.int(6, 11);
    const cmax = Math.max(...c);
    const [lo, hi] = [Math.max(shrRound(x.lo * cmax, shift), minOf(this.bits)), Math.min(shrRound(x.hi * cmax, shift), maxOf(this.bits))];
    const v = this.b.op('requant', [x.v], { c: this.b.constant('c', intConst([c.length], c)), shift, type: { width: this.bits, frac } });
    return this.fx(v, frac, Math.min(lo, 0), Math.max(hi, 0));
  }

  bias(x: Fx, channels: number): Fx {
    const b = Array.from({ length: channels }, () => this.rng.int(-40, 40));
    const [lo, hi] = [x.lo + Math.min(...b), x.hi + Math.max(...b)];
    return this.fx(this.b.op('bias', [x.v], { b: this.b.constant('b', intConst([channels], b)) }, this.elem(x.frac, lo, hi)), x.frac, lo, hi);
  }

  /** One of mulconst / shrround / clamp, sometimes. */
  extra(x: Fx, channels: number): Fx {
    const k = this.rng.int(0, 5);
    if (k === 0) {
      const c = this.rng.int(-4, 4);
      const [lo, hi] = c >= 0 ? [x.lo * c, x.hi * c] : [x.hi * c, x.lo * c];
      const v = this.b.op('mulconst', [x.v], { c: this.b.constant('c', intConst([1], [c])), type: { width: widthFor(lo, hi), frac: x.frac } });
      return this.fx(v, x.frac, lo, hi);
    }
    if (k === 1) {
      const shift = this.rng.int(1, 3);
      const [lo, hi] = [shrRound(x.lo, shift), shrRound(x.hi, shift)];
      return this.fx(this.b.op('shrround', [x.v], { shift, type: { width: widthFor(lo, hi), frac: x.frac - shift } }), x.frac - shift, lo, hi);
    }
    if (k === 2) {
      const [lo, hi] = [Math.max(x.lo, -50), Math.min(x.hi, 50)];
      return this.fx(this.b.op('clamp', [x.v], { lo: -50, hi: 50 }), x.frac, Math.min(lo, hi), Math.max(lo, hi));
    }
    void channels;
    return x;
  }
}

function rowsInterval(w: TernaryTensor, lo: number, hi: number): [number, number] {
  let [L, H] = [0, 0];
  for (let o = 0; o < w.rows; o++) {
    const { plus, minus } = ternaryRowTerms(w, o);
    L = Math.min(L, plus.length * lo - minus.length * hi);
    H = Math.max(H, plus.length * hi - minus.length * lo);
  }
  return [L, H];
}

function convLayer(e: IntegerEmitter, x: Fx, cin: number, L: ConvLayer): Fx {
  const g = L.groups;
  const f = convFactors(e.rng.int(0, 3), L.kernel, L.strides, L.dilations);
  const r = e.rank?.(L.cout, (cin / g) * L.kernel[0] * L.kernel[1]) ?? e.rng.int(1, 4);
  const padded = L.pads.some((p) => p > 0);
  let h = e.stage('tconv', x, [g * r, cin / g, ...f.v], { pads: [...L.pads], strides: f.vs, dilations: f.vd, groups: g }, padded);
  h = e.requant(h, g * r, e.rng.int(2, 5));
  h = e.stage('tconv', h, [L.cout, r, ...f.u], { strides: f.us, dilations: f.ud, groups: g }, false);
  h = e.requant(e.bias(h, L.cout), L.cout, L.residual ? x.frac : e.rng.int(2, 5));
  return h;
}

function denseLayer(e: IntegerEmitter, x: Fx, n: number, out: number, outFrac: number): Fx {
  if (e.rng.bool(0.2)) {
    const W = Array.from({ length: out * n }, () => e.rng.int(-3, 3));
    const M = 3 * n * Math.max(Math.abs(x.lo), Math.abs(x.hi));
    const v = e.b.op('linear', [x.v], { W: e.b.constant('W', intConst([out, n], W)) }, e.elem(x.frac, -M, M));
    return e.requant(e.fx(v, x.frac, -M, M), out, outFrac);
  }
  const r = e.rank?.(out, n) ?? e.rng.int(1, 8);
  let h = e.stage('tmatvec', x, [r, n], {}, false);
  h = e.requant(h, r, e.rng.int(2, 5));
  h = e.stage('tmatvec', h, [out, r], {}, false);
  return e.requant(e.bias(h, out), out, outFrac);
}

/** A valid integer-stage module from a plan (use a plan made with floatOps: false). */
export function integerModule(plan: Plan, seed: number, opts: IntegerOptions = {}): Module {
  const rng = new Rng(seed ^ 0x27d4eb2f);
  const bits = opts.bits ?? 8;
  const b = new ModuleBuilder(`int${seed >>> 0}`, 'integer');
  const e = new IntegerEmitter(b, rng, bits, opts.treeShare ?? 0.85, opts.rank);
  const xin = b.input([plan.batch, ...plan.input], F32, 'x');
  const frac = rng.int(2, 6);
  let x = e.fx(b.op('quantize', [xin], { type: { width: bits, frac } }), frac, minOf(bits), maxOf(bits));
  for (const L of plan.convs) {
    let h = convLayer(e, x, b.typeOf(x.v).shape[1]!, L);
    if (L.residual) h = e.fx(b.op('add', [h.v, x.v], {}, e.elem(x.frac, h.lo + x.lo, h.hi + x.hi)), x.frac, h.lo + x.lo, h.hi + x.hi);
    if (L.act === 'relu') h = e.fx(b.op('relu', [h.v]), h.frac, Math.max(h.lo, 0), Math.max(h.hi, 0));
    if (L.pool === 'max') h = e.fx(b.op('maxpool2d', [h.v], { kernel: [2, 2], strides: [2, 2] }), h.frac, h.lo, h.hi);
    x = e.extra(h, L.cout);
  }
  if (plan.input.length > 1) x = e.fx(b.op('flatten', [x.v], { axis: 1 }), x.frac, x.lo, x.hi);
  for (const L of plan.dense) {
    const n = b.typeOf(x.v).shape.at(-1)!;
    let h = denseLayer(e, x, n, L.out, L.residual ? x.frac : rng.int(2, 5));
    if (L.residual) h = e.fx(b.op('add', [h.v, x.v], {}, e.elem(x.frac, h.lo + x.lo, h.hi + x.hi)), x.frac, h.lo + x.lo, h.hi + x.hi);
    if (L.act === 'relu') h = e.fx(b.op('relu', [h.v]), h.frac, Math.max(h.lo, 0), Math.max(h.hi, 0));
    x = e.extra(h, L.out);
  }
  return b.output(b.op('dequantize', [x.v])).build();
}
