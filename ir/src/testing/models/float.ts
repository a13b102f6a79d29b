/**
 * Valid float modules from a plan: the graph stage (linear, conv2d, activations,
 * pooling, residual adds, flatten, softmax), the ternary stage (most layers as tlinear /
 * tconv2d with random ternary factors, any of the four conv forms), and the add-tree
 * stage (those layers lowered the way lowering does: tmatvec / tconv with row trees,
 * scale, bias).
 */
import type { Module } from '../../module.js';
import { dense, F32 } from '../../tensor.js';
import { ternaryFromValues, type TernaryTensor } from '../../ternary.js';
import { ModuleBuilder } from './builder.js';
import type { Activation, ConvLayer, Plan } from './plan.js';
import { Rng } from './rng.js';
import { treeOf, type TreeStyle } from './trees.js';

export type FloatStage = 'graph' | 'ternary' | 'addtree';

export interface FloatOptions {
  /** Add-tree stage: how trees are shaped; 'none' leaves tmatvec / tconv without trees. */
  readonly trees?: TreeStyle | 'none' | 'mixed';
  /** Probability that a layer is ternary at the ternary / add-tree stages (default 0.8). */
  readonly ternaryShare?: number;
  /** TSVD rank of a ternary layer of an m x n matrix (default: random, 1..8 for linear, 1..4 for conv). */
  readonly rank?: (m: number, n: number) => number;
  /** Dense weights, scales and biases small integers (with integer inputs, every value stays an exact integer). */
  readonly integerValued?: boolean;
}

/** Kernels, strides and dilations of the V and U convs of a TSVD conv form (TSVD.md table). */
export function convFactors(form: number, k: readonly [number, number], s: readonly [number, number], d: readonly [number, number]) {
  const one = [1, 1] as [number, number];
  switch (form) {
    case 0: return { v: [k[0], k[1]], vs: [s[0], s[1]], vd: [d[0], d[1]], u: one, us: one, ud: one };
    case 1: return { v: one, vs: one, vd: one, u: [k[0], k[1]], us: [s[0], s[1]], ud: [d[0], d[1]] };
    case 2: return { v: [1, k[1]], vs: [1, s[1]], vd: [1, d[1]], u: [k[0], 1], us: [s[0], 1], ud: [d[0], 1] };
    default: return { v: [k[0], 1], vs: [s[0], 1], vd: [d[0], 1], u: [1, k[1]], us: [1, s[1]], ud: [1, d[1]] };
  }
}

class FloatEmitter {
  constructor(readonly b: ModuleBuilder, readonly rng: Rng, readonly stage: FloatStage, readonly opts: FloatOptions) {}

  private ternary(): boolean {
    return this.stage !== 'graph' && this.rng.bool(this.opts.ternaryShare ?? 0.8);
  }

  private style(): TreeStyle | 'none' {
    const t = this.opts.trees ?? 'mixed';
    return t === 'mixed' ? this.rng.pick(['chain', 'balanced', 'none'] as const) : t;
  }

  private trits(shape: number[]): string {
    const n = shape.reduce((p, d) => p * d, 1);
    return this.b.constant('t', ternaryFromValues(shape, this.rng.trits(n)));
  }

  private floats(shape: number[], sd: number): string {
    const n = shape.reduce((p, d) => p * d, 1);
    const data = this.opts.integerValued ? Float32Array.from({ length: n }, () => this.rng.int(-2, 2)) : this.rng.floats(n, sd);
    return this.b.constant('w', dense(shape, data));
  }

  /** tmatvec / tconv over a ternary constant, with a tree unless the style says none. */
  private stageOp(op: 'tmatvec' | 'tconv', x: string, w: string, attrs: Record<string, number[] | number>): string {
    const style = this.style();
    const tree: Record<string, string> = style === 'none' ? {} : { tree: this.b.tree('tree', treeOf(this.b.constOf(w) as TernaryTensor, style)) };
    return this.b.op(op, [x], { weights: w, ...attrs, ...tree });
  }

  linear(x: string, out: number): string {
    const n = this.b.typeOf(x).shape.at(-1)!;
    if (!this.ternary()) return this.b.op('linear', [x], { W: this.floats([out, n], 1 / Math.sqrt(n)), bias: this.floats([out], 0.1) });
    const r = this.opts.rank?.(out, n) ?? this.rng.int(1, 8);
    const [U, V, s] = [this.trits([out, r]), this.trits([r, n]), this.floats([r], 0.5)];
    const bias = this.floats([out], 0.1);
    if (this.stage === 'ternary') return this.b.op('tlinear', [x], { U, s, V, bias });
    const t = this.stageOp('tmatvec', x, V, {});
    const u = this.stageOp('tmatvec', this.b.op('scale', [t], { s }), U, {});
    return this.b.op('bias', [u], { b: bias });
  }

  conv(x: string, L: ConvLayer): string {
    const cin = this.b.typeOf(x).shape[1]!;
    const g = L.groups;
    const common = { pads: [...L.pads], groups: g };
    if (!this.ternary()) {
      const W = this.floats([L.cout, cin / g, ...L.kernel], 1 / Math.sqrt((cin / g) * L.kernel[0] * L.kernel[1]));
      return this.b.op('conv2d', [x], { W, bias: this.floats([L.cout], 0.1), strides: [...L.strides], dilations: [...L.dilations], ...common });
    }
    const form = this.rng.int(0, 3);
    const f = convFactors(form, L.kernel, L.strides, L.dilations);
    const r = this.opts.rank?.(L.cout, (cin / g) * L.kernel[0] * L.kernel[1]) ?? this.rng.int(1, 4);
    const V = this.trits([g * r, cin / g, ...f.v]);
    const U = this.trits([L.cout, r, ...f.u]);
    const s = this.floats([g * r], 0.5);
    const bias = this.floats([L.cout], 0.1);
    if (this.stage === 'ternary') {
      return this.b.op('tconv2d', [x], { U, s, V, bias, form, vStrides: f.vs, vDilations: f.vd, uStrides: f.us, uDilations: f.ud, ...common });
    }
    const t = this.stageOp('tconv', x, V, { strides: f.vs, dilations: f.vd, ...common });
    const u = this.stageOp('tconv', this.b.op('scale', [t], { s }), U, { strides: f.us, dilations: f.ud, groups: g });
    return this.b.op('bias', [u], { b: bias });
  }

  act(x: string, a: Activation): string {
    return a === 'none' ? x : this.b.op(a, [x]);
  }
}

/** A valid module at a float stage from a plan (the same seed gives the same weights). */
export function floatModule(plan: Plan, stage: FloatStage, seed: number, opts: FloatOptions = {}): Module {
  const rng = new Rng(seed ^ 0x5bd1e995);
  const b = new ModuleBuilder(`gen${seed >>> 0}`, stage);
  const e = new FloatEmitter(b, rng, stage, opts);
  let x = b.input([plan.batch, ...plan.input], F32, 'x');
  for (const L of plan.convs) {
    let h = e.conv(x, L);
    if (L.residual) h = b.op('add', [h, x]);
    h = e.act(h, L.act);
    if (L.pool !== 'none') h = b.op(L.pool === 'max' ? 'maxpool2d' : 'avgpool2d', [h], { kernel: [2, 2], strides: [2, 2] });
    x = h;
  }
  if (plan.convs.length > 0 || plan.input.length > 1) x = b.op('flatten', [x], { axis: 1 });
  for (const L of plan.dense) {
    let h = e.linear(x, L.out);
    if (L.residual) h = b.op('add', [h, x]);
    x = e.act(h, L.act);
  }
  if (plan.softmax) x = b.op('softmax', [x], { axis: -1 });
  return b.output(x).build();
}
