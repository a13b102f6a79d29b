/**
 * The closed op set: one table of facts per op. Printer, parser, verifier,
 * interpreter and statistics all read this table; adding an op means adding a row
 * here and its semantics in the interpreter.
 *
 * Layout conventions: activations are NCHW for 2-D ops; per-channel ops act on
 * axis 1 (features for rank-2 tensors). Conv pads are ONNX order
 * [top, left, bottom, right]. Ternary and dense weight constants use ONNX layouts.
 */
import type { AddTree } from './addtree.js';
import type { AttrValue, Attrs, Stage } from './module.js';
import type { Const, ElemType, TensorType } from './tensor.js';
import { F32, numel } from './tensor.js';

export type AttrKind = 'int' | 'float' | 'bool' | 'string' | 'ints' | 'floats' | 'const' | 'tree' | 'fixed';

export interface AttrSpec {
  readonly kind: AttrKind;
  readonly required: boolean;
  /** For ints: exact length required (e.g. 2 for strides, 4 for pads). */
  readonly length?: number;
}

/** What shape/elem inference can look up. */
export interface InferContext {
  getConst(name: string): Const | undefined;
  getTree(name: string): AddTree | undefined;
}

/** An inferred output: its shape, and its elem type or 'free' when another pass fixes it (widths). */
export interface Inferred {
  readonly shape: readonly number[];
  readonly elem: ElemType | 'free';
}

/** Inference returns the outputs, or a message saying why the inputs are wrong. */
export type InferRule = (ins: readonly TensorType[], attrs: Attrs, ctx: InferContext) => Inferred[] | string;

export type OpFamily = 'dense' | 'ternary' | 'stage' | 'elementwise' | 'pool' | 'shape' | 'quant' | 'misc';

export interface OpFacts {
  readonly name: string;
  readonly family: OpFamily;
  /** Stages at which the op may appear. */
  readonly stages: readonly Stage[];
  /** Number of tensor inputs: exact, or [min, max] (max Infinity for variadic). */
  readonly arity: number | readonly [number, number];
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  readonly commutative?: boolean;
  readonly infer: InferRule;
  /** One line of semantics, printed by `tsvdc ir ops`. */
  readonly doc: string;
}

const ALL: readonly Stage[] = ['graph', 'ternary', 'addtree', 'integer', 'scheduled'];
const FROM_ADDTREE: readonly Stage[] = ['addtree', 'integer', 'scheduled'];
const INTEGER: readonly Stage[] = ['integer', 'scheduled'];

const req = (kind: AttrKind, length?: number): AttrSpec => ({ kind, required: true, ...(length ? { length } : {}) });
const opt = (kind: AttrKind, length?: number): AttrSpec => ({ kind, required: false, ...(length ? { length } : {}) });

const ints = (a: Attrs, k: string, dflt: readonly number[]): readonly number[] => (a[k] as readonly number[] | undefined) ?? dflt;
const int = (a: Attrs, k: string, dflt: number): number => (a[k] as number | undefined) ?? dflt;

/**
 * Number of channels a per-channel constant (bias, scale, multiplier) indexes: axis 1 for
 * rank >= 2 (NCHW channels, or the features of [N, F]); a rank-0/1 tensor is one channel.
 */
export function channelsOf(shape: readonly number[]): number {
  return shape.length >= 2 ? shape[1]! : 1;
}

/** Output spatial size of a conv/pool axis (ONNX formula). */
export function convOutSize(size: number, k: number, stride: number, dil: number, padBegin: number, padEnd: number): number {
  return Math.floor((size + padBegin + padEnd - dil * (k - 1) - 1) / stride) + 1;
}

/** Output size of a transposed conv axis. */
export function convTransposeOutSize(size: number, k: number, stride: number, dil: number, padBegin: number, padEnd: number, outPad: number): number {
  return stride * (size - 1) + outPad + (k - 1) * dil + 1 - padBegin - padEnd;
}

function same(ins: readonly TensorType[]): Inferred[] {
  return [{ shape: ins[0]!.shape, elem: ins[0]!.elem }];
}

function constShape(ctx: InferContext, a: Attrs, key: string): readonly number[] | string {
  const name = a[key];
  if (typeof name !== 'string') return `attribute ${key} must name a constant`;
  const c = ctx.getConst(name);
  return c ? c.shape : `constant @${name} does not exist`;
}

function linearInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const w = constShape(ctx, a, 'W');
  if (typeof w === 'string') return w;
  if (w.length !== 2) return `W must be rank 2, got [${w}]`;
  const x = ins[0]!.shape;
  if (x[x.length - 1] !== w[1]) return `input features ${x[x.length - 1]} != W columns ${w[1]}`;
  return [{ shape: [...x.slice(0, -1), w[0]!], elem: ins[0]!.elem.kind === 'float' ? ins[0]!.elem : 'free' }];
}

function spatial(x: readonly number[], kernel: readonly number[], a: Attrs, prefix = ''): number[] | string {
  if (x.length !== 4) return `expected an NCHW input, got [${x}]`;
  // tconv2d's attributes are vStrides / uStrides (camel case), plain convs' strides
  const st = ints(a, prefix ? `${prefix}Strides` : 'strides', [1, 1]);
  const dl = ints(a, prefix ? `${prefix}Dilations` : 'dilations', [1, 1]);
  const p = ints(a, 'pads', [0, 0, 0, 0]);
  const pb = prefix === 'u' ? [0, 0, 0, 0] : p; // ternary convs pad once, before the V conv
  const h = convOutSize(x[2]!, kernel[0]!, st[0]!, dl[0]!, pb[0]!, pb[2]!);
  const w = convOutSize(x[3]!, kernel[1]!, st[1]!, dl[1]!, pb[1]!, pb[3]!);
  if (h <= 0 || w <= 0) return `conv output would be empty (${h}x${w})`;
  return [h, w];
}

function conv2dInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const w = constShape(ctx, a, 'W');
  if (typeof w === 'string') return w;
  if (w.length !== 4) return `W must be rank 4, got [${w}]`;
  const x = ins[0]!.shape;
  const g = int(a, 'groups', 1);
  if (x[1] !== w[1]! * g) return `input channels ${x[1]} != W[1] * groups = ${w[1]! * g}`;
  if (w[0]! % g !== 0) return `output channels ${w[0]} not divisible by groups ${g}`;
  const hw = spatial(x, [w[2]!, w[3]!], a);
  if (typeof hw === 'string') return hw;
  return [{ shape: [x[0]!, w[0]!, ...hw], elem: ins[0]!.elem.kind === 'float' ? ins[0]!.elem : 'free' }];
}

function convTransposeInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const w = constShape(ctx, a, 'W');
  if (typeof w === 'string') return w;
  if (w.length !== 4) return `W must be rank 4, got [${w}]`;
  const x = ins[0]!.shape;
  if (x.length !== 4) return `expected an NCHW input, got [${x}]`;
  const g = int(a, 'groups', 1);
  if (x[1] !== w[0]) return `input channels ${x[1]} != W[0] = ${w[0]}`;
  const st = ints(a, 'strides', [1, 1]);
  const dl = ints(a, 'dilations', [1, 1]);
  const p = ints(a, 'pads', [0, 0, 0, 0]);
  const op = ints(a, 'outputPadding', [0, 0]);
  const h = convTransposeOutSize(x[2]!, w[2]!, st[0]!, dl[0]!, p[0]!, p[2]!, op[0]!);
  const wd = convTransposeOutSize(x[3]!, w[3]!, st[1]!, dl[1]!, p[1]!, p[3]!, op[1]!);
  return [{ shape: [x[0]!, w[1]! * g, h, wd], elem: ins[0]!.elem }];
}

function tlinearInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const u = constShape(ctx, a, 'U');
  const v = constShape(ctx, a, 'V');
  const s = constShape(ctx, a, 's');
  for (const e of [u, v, s]) if (typeof e === 'string') return e;
  const [U, V, S] = [u as readonly number[], v as readonly number[], s as readonly number[]];
  if (U.length !== 2 || V.length !== 2) return `U and V must be matrices, got [${U}] and [${V}]`;
  if (U[1] !== V[0] || numel(S) !== V[0]) return `rank mismatch: U [${U}], s [${S}], V [${V}]`;
  const x = ins[0]!.shape;
  if (x[x.length - 1] !== V[1]) return `input features ${x[x.length - 1]} != V columns ${V[1]}`;
  return [{ shape: [...x.slice(0, -1), U[0]!], elem: ins[0]!.elem }];
}

/**
 * tconv2d: pad(x, pads) -> conv(V, vStrides, vDilations, groups) -> * s per channel
 * -> conv(U, uStrides, uDilations, groups) -> + bias. V: [G*r, C/G, kv1, kv2] ternary,
 * U: [Cout, r, ku1, ku2] ternary, s: [G*r]. `form` (0..3) records which TSVD.md layout
 * produced it; the semantics depend only on the shapes above.
 */
function tconvInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const u = constShape(ctx, a, 'U');
  const v = constShape(ctx, a, 'V');
  const s = constShape(ctx, a, 's');
  for (const e of [u, v, s]) if (typeof e === 'string') return e;
  const [U, V, S] = [u as readonly number[], v as readonly number[], s as readonly number[]];
  if (U.length !== 4 || V.length !== 4) return `U and V must be rank-4 conv weights, got [${U}] and [${V}]`;
  const g = int(a, 'groups', 1);
  const x = ins[0]!.shape;
  if (x[1] !== V[1]! * g) return `input channels ${x[1]} != V[1] * groups = ${V[1]! * g}`;
  if (numel(S) !== V[0] || V[0] !== U[1]! * g) return `rank mismatch: U [${U}], s [${S}], V [${V}], groups ${g}`;
  const mid = spatial(x, [V[2]!, V[3]!], a, 'v');
  if (typeof mid === 'string') return mid;
  const out = spatial([x[0]!, V[0]!, ...mid], [U[2]!, U[3]!], a, 'u');
  if (typeof out === 'string') return out;
  return [{ shape: [x[0]!, U[0]!, ...out], elem: ins[0]!.elem }];
}

function tmatvecInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const w = constShape(ctx, a, 'weights');
  if (typeof w === 'string') return w;
  if (w.length !== 2) return `weights must be a matrix, got [${w}]`;
  const x = ins[0]!.shape;
  if (x[x.length - 1] !== w[1]) return `input features ${x[x.length - 1]} != weights columns ${w[1]}`;
  const err = treeMatches(a, ctx, w[1]!, w[0]!);
  if (err) return err;
  return [{ shape: [...x.slice(0, -1), w[0]!], elem: ins[0]!.elem.kind === 'float' ? ins[0]!.elem : 'free' }];
}

function tconvStageInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const w = constShape(ctx, a, 'weights');
  if (typeof w === 'string') return w;
  if (w.length !== 4) return `weights must be rank 4, got [${w}]`;
  const x = ins[0]!.shape;
  const g = int(a, 'groups', 1);
  if (x[1] !== w[1]! * g) return `input channels ${x[1]} != weights[1] * groups = ${w[1]! * g}`;
  const err = treeMatches(a, ctx, w[1]! * w[2]! * w[3]!, w[0]!);
  if (err) return err;
  const hw = spatial(x, [w[2]!, w[3]!], a);
  if (typeof hw === 'string') return hw;
  return [{ shape: [x[0]!, w[0]!, ...hw], elem: ins[0]!.elem.kind === 'float' ? ins[0]!.elem : 'free' }];
}

function treeMatches(a: Attrs, ctx: InferContext, lanes: number, outs: number): string | undefined {
  const name = a['tree'];
  if (name === undefined) return undefined;
  const t = ctx.getTree(name as string);
  if (!t) return `tree @${String(name)} does not exist`;
  if (t.lanes !== lanes || t.outputs.length !== outs) {
    return `tree @${String(name)} has ${t.lanes} lanes and ${t.outputs.length} outputs, weights need ${lanes} and ${outs}`;
  }
  return undefined;
}

function poolInfer(ins: readonly TensorType[], a: Attrs): Inferred[] | string {
  const x = ins[0]!.shape;
  const k = a['kernel'] as readonly number[];
  const hw = spatial(x, k, a);
  if (typeof hw === 'string') return hw;
  return [{ shape: [x[0]!, x[1]!, ...hw], elem: ins[0]!.elem }];
}

function broadcastInfer(ins: readonly TensorType[]): Inferred[] | string {
  const [a, b] = [ins[0]!.shape, ins[1]!.shape];
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return `shapes [${a}] and [${b}] do not broadcast`;
    out.push(da === 1 ? db : da);
  }
  return [{ shape: out, elem: ins[0]!.elem.kind === 'float' ? ins[0]!.elem : 'free' }];
}

/**
 * ONNX Reshape. A dynamic input dimension (-1, the batch) is either copied by a 0 at
 * its position, which cancels it on both sides, or absorbed by the target's -1, which
 * then stays dynamic: the element count is only known up to the batch.
 */
function reshapeInfer(ins: readonly TensorType[], a: Attrs): Inferred[] | string {
  const x = ins[0]!.shape;
  const attr = a['shape'] as readonly number[];
  const target = attr.map((d, i) => (d === 0 ? x[i]! : d));
  const free = attr.indexOf(-1);
  if (attr.lastIndexOf(-1) !== free) return 'reshape: more than one -1';
  const copiedDynamic = attr.filter((d, i) => d === 0 && x[i]! < 0).length;
  if (x.filter((d) => d < 0).length > copiedDynamic) {
    if (free < 0) return `reshape: [${x}] has a dynamic dimension the target [${attr}] neither copies (0) nor infers (-1)`;
    return [{ shape: target, elem: ins[0]!.elem }];
  }
  const known = numel(target.filter((d, i) => i !== free && d >= 0));
  const total = numel(x.filter((d) => d >= 0));
  if (free < 0 && known !== total) return `reshape: [${x}] has ${total} elements, target [${target}] has ${known}`;
  if (free >= 0 && total % known !== 0) return `reshape: cannot infer -1 for [${x}] -> [${target}]`;
  return [{ shape: target.map((d, i) => (i === free ? total / known : d)), elem: ins[0]!.elem }];
}

function flattenInfer(ins: readonly TensorType[], a: Attrs): Inferred[] | string {
  const x = ins[0]!.shape;
  const axis = int(a, 'axis', 1);
  if (axis < 0 || axis > x.length) return `flatten axis ${axis} out of range for rank ${x.length}`;
  // a product with a dynamic dimension is dynamic
  const size = (s: readonly number[]): number => (s.some((d) => d < 0) ? -1 : numel(s));
  return [{ shape: [size(x.slice(0, axis)), size(x.slice(axis))], elem: ins[0]!.elem }];
}

function concatInfer(ins: readonly TensorType[], a: Attrs): Inferred[] | string {
  const axis = int(a, 'axis', 1);
  const first = ins[0]!.shape;
  let sum = 0;
  for (const t of ins) {
    if (t.shape.length !== first.length || t.shape.some((d, i) => i !== axis && d !== first[i])) {
      return `concat: shapes [${first}] and [${t.shape}] differ off axis ${axis}`;
    }
    sum += t.shape[axis]!;
  }
  return [{ shape: first.map((d, i) => (i === axis ? sum : d)), elem: ins[0]!.elem }];
}

function transposeInfer(ins: readonly TensorType[], a: Attrs): Inferred[] | string {
  const x = ins[0]!.shape;
  const perm = a['perm'] as readonly number[];
  if (perm.length !== x.length || [...perm].sort().some((p, i) => p !== i)) return `perm [${perm}] is not a permutation of rank ${x.length}`;
  return [{ shape: perm.map((p) => x[p]!), elem: ins[0]!.elem }];
}

function layerNormInfer(ins: readonly TensorType[], a: Attrs, ctx: InferContext): Inferred[] | string {
  const x = ins[0]!.shape;
  for (const key of ['scale', 'bias']) {
    if (a[key] === undefined) continue;
    const c = constShape(ctx, a, key);
    if (typeof c === 'string') return c;
    if (numel(c) !== x[x.length - 1]) return `${key} has ${numel(c)} values, the last axis has ${x[x.length - 1]}`;
  }
  return same(ins);
}

function toFixed(ins: readonly TensorType[], a: Attrs): Inferred[] {
  const t = a['type'] as { width: number; frac: number };
  return [{ shape: ins[0]!.shape, elem: { kind: 'fixed', width: t.width, frac: t.frac } }];
}

const convAttrs = {
  W: req('const'), bias: opt('const'), strides: opt('ints', 2), pads: opt('ints', 4),
  dilations: opt('ints', 2), groups: opt('int'),
} as const;
const ternaryConvAttrs = {
  U: req('const'), s: req('const'), V: req('const'), bias: opt('const'), form: req('int'),
  groups: opt('int'), pads: opt('ints', 4), vStrides: opt('ints', 2), vDilations: opt('ints', 2),
  uStrides: opt('ints', 2), uDilations: opt('ints', 2),
} as const;
/**
 * Hardware schedule of a lowered ternary stage (optional before the scheduled stage, required
 * at it; the verifier checks consistency): `arch` 'spatial' (the tree unrolled, one vector per
 * cycle) or 'folded' (a PE x SIMD matrix-vector unit reading packed weights); `pe` rows and
 * `simd` columns per cycle (folded only); `regEvery` pipeline registers every L adder levels.
 */
const scheduleAttrs = { arch: opt('string'), pe: opt('int'), simd: opt('int'), regEvery: opt('int') } as const;
const poolAttrs = { kernel: req('ints', 2), strides: opt('ints', 2), pads: opt('ints', 4), dilations: opt('ints', 2) } as const;

const TABLE: readonly OpFacts[] = [
  // dense layers: float at graph/ternary/addtree; with int weights (kind int) at integer stage
  { name: 'linear', family: 'dense', stages: ALL, arity: 1, attrs: { W: req('const'), bias: opt('const') }, infer: linearInfer,
    doc: 'y[..., o] = sum_i W[o, i] * x[..., i] + bias[o]' },
  { name: 'conv2d', family: 'dense', stages: ALL, arity: 1, attrs: convAttrs, infer: conv2dInfer,
    doc: 'ONNX Conv, NCHW, W [Cout, Cin/groups, K1, K2]' },
  { name: 'convtranspose2d', family: 'dense', stages: ALL, arity: 1, attrs: { ...convAttrs, outputPadding: opt('ints', 2) }, infer: convTransposeInfer,
    doc: 'ONNX ConvTranspose, NCHW, W [Cin, Cout/groups, K1, K2]' },
  // TSVD layers
  { name: 'tlinear', family: 'ternary', stages: ['ternary'], arity: 1,
    attrs: { U: req('const'), s: req('const'), V: req('const'), bias: opt('const') }, infer: tlinearInfer,
    doc: 'y = U (s * (V x)) + bias; U [m, r], V [r, n] ternary' },
  { name: 'tconv2d', family: 'ternary', stages: ['ternary'], arity: 1, attrs: ternaryConvAttrs, infer: tconvInfer,
    doc: 'pad, conv(V), * s per channel, conv(U), + bias (TSVD.md conv forms 0..3)' },
  // lowered ternary stages
  { name: 'tmatvec', family: 'stage', stages: FROM_ADDTREE, arity: 1, attrs: { weights: req('const'), tree: opt('tree'), ...scheduleAttrs }, infer: tmatvecInfer,
    doc: 'y = weights x for ternary weights [m, n]; `tree` computes the same sums (CSE-shared)' },
  { name: 'tconv', family: 'stage', stages: FROM_ADDTREE, arity: 1,
    attrs: { weights: req('const'), tree: opt('tree'), strides: opt('ints', 2), pads: opt('ints', 4), dilations: opt('ints', 2), groups: opt('int'), ...scheduleAttrs },
    infer: tconvStageInfer,
    doc: 'conv with ternary weights; `tree` maps one window (Cin/g*K1*K2 lanes) to Cout rows' },
  // scale and bias also stand for a BatchNormalization (or a per-channel Mul/Add by a constant)
  // that import could not fold into a neighbouring layer, hence every stage
  { name: 'scale', family: 'elementwise', stages: ALL, arity: 1, attrs: { s: req('const') }, infer: same,
    doc: 'y[:, c, ...] = x[:, c, ...] * s[c] (float)' },
  { name: 'bias', family: 'elementwise', stages: ALL, arity: 1, attrs: { b: req('const') }, infer: (i) => [{ shape: i[0]!.shape, elem: i[0]!.elem.kind === 'float' ? i[0]!.elem : 'free' }],
    doc: 'y[:, c, ...] = x[:, c, ...] + b[c] (float, or exact int with an int constant)' },
  { name: 'pad', family: 'shape', stages: ALL, arity: 1, attrs: { pads: req('ints', 4), value: opt('float') },
    infer: (i, a) => { const x = i[0]!.shape; const p = a['pads'] as number[]; return x.length !== 4 ? 'pad expects NCHW' : [{ shape: [x[0]!, x[1]!, x[2]! + p[0]! + p[2]!, x[3]! + p[1]! + p[3]!], elem: i[0]!.elem }]; },
    doc: 'zero (or value) padding of H and W, pads [top, left, bottom, right]' },
  // integer level
  { name: 'quantize', family: 'quant', stages: INTEGER, arity: 1, attrs: { type: req('fixed') }, infer: toFixed,
    doc: 'q = saturate(floor(x * 2^frac + 1/2), width)' },
  { name: 'dequantize', family: 'quant', stages: INTEGER, arity: 1, attrs: {}, infer: (i) => [{ shape: i[0]!.shape, elem: F32 }],
    doc: 'x = q * 2^-frac, as f32' },
  { name: 'mulconst', family: 'quant', stages: INTEGER, arity: 1, attrs: { c: req('const'), type: req('fixed') }, infer: toFixed,
    doc: 'y[:, c] = x[:, c] * c[c] exactly (c an int constant of length 1 or C); type must hold the product' },
  { name: 'shrround', family: 'quant', stages: INTEGER, arity: 1, attrs: { shift: req('int'), type: req('fixed') }, infer: toFixed,
    doc: 'y = shrRound(x, shift) (fixed.ts); type must hold the result' },
  { name: 'requant', family: 'quant', stages: INTEGER, arity: 1, attrs: { c: req('const'), shift: req('int'), type: req('fixed') }, infer: toFixed,
    doc: 'y = saturate(shrRound(x * c[ch], shift), type.width)' },
  { name: 'clamp', family: 'quant', stages: INTEGER, arity: 1, attrs: { lo: req('int'), hi: req('int') }, infer: same,
    doc: 'y = min(max(q, lo), hi) on integers' },
  // elementwise and friends, any stage
  { name: 'relu', family: 'elementwise', stages: ALL, arity: 1, attrs: {}, infer: same, doc: 'y = max(x, 0)' },
  { name: 'sigmoid', family: 'elementwise', stages: ALL, arity: 1, attrs: {}, infer: same, doc: 'y = 1 / (1 + exp(-x)) (float only)' },
  { name: 'tanh', family: 'elementwise', stages: ALL, arity: 1, attrs: {}, infer: same, doc: 'y = tanh(x) (float only)' },
  { name: 'clip', family: 'elementwise', stages: ALL, arity: 1, attrs: { min: opt('float'), max: opt('float') }, infer: same, doc: 'y = min(max(x, min), max)' },
  { name: 'add', family: 'elementwise', stages: ALL, arity: 2, attrs: {}, commutative: true, infer: broadcastInfer, doc: 'y = a + b (numpy broadcasting; exact for ints of equal frac)' },
  { name: 'mul', family: 'elementwise', stages: ALL, arity: 2, attrs: {}, commutative: true, infer: broadcastInfer, doc: 'y = a * b (numpy broadcasting)' },
  { name: 'layernorm', family: 'elementwise', stages: ALL, arity: 1, attrs: { epsilon: req('float'), scale: opt('const'), bias: opt('const') }, infer: layerNormInfer,
    doc: 'y = (x - mean(x)) / sqrt(var(x) + epsilon) * scale + bias over the last axis (population variance; float only)' },
  { name: 'softmax', family: 'elementwise', stages: ALL, arity: 1, attrs: { axis: opt('int') }, infer: same, doc: 'softmax over axis (default -1), float only' },
  { name: 'maxpool2d', family: 'pool', stages: ALL, arity: 1, attrs: poolAttrs, infer: poolInfer, doc: 'ONNX MaxPool (padding never wins)' },
  { name: 'avgpool2d', family: 'pool', stages: ALL, arity: 1, attrs: { ...poolAttrs, countIncludePad: opt('bool') }, infer: poolInfer, doc: 'ONNX AveragePool (float)' },
  { name: 'globalavgpool', family: 'pool', stages: ALL, arity: 1, attrs: {},
    infer: (i) => { const x = i[0]!.shape; return x.length !== 4 ? 'globalavgpool expects NCHW' : [{ shape: [x[0]!, x[1]!, 1, 1], elem: i[0]!.elem }]; },
    doc: 'mean over H and W (float)' },
  { name: 'flatten', family: 'shape', stages: ALL, arity: 1, attrs: { axis: opt('int') }, infer: flattenInfer, doc: 'ONNX Flatten' },
  { name: 'reshape', family: 'shape', stages: ALL, arity: 1, attrs: { shape: req('ints') }, infer: reshapeInfer, doc: 'ONNX Reshape (0 copies, -1 infers)' },
  { name: 'transpose', family: 'shape', stages: ALL, arity: 1, attrs: { perm: req('ints') }, infer: transposeInfer, doc: 'ONNX Transpose' },
  { name: 'concat', family: 'shape', stages: ALL, arity: [1, Infinity], attrs: { axis: opt('int') }, infer: concatInfer, doc: 'ONNX Concat' },
  { name: 'identity', family: 'misc', stages: ALL, arity: 1, attrs: {}, infer: same, doc: 'y = x' },
];

export const OPS: ReadonlyMap<string, OpFacts> = new Map(TABLE.map((f) => [f.name, f]));

export function opFacts(name: string): OpFacts | undefined {
  return OPS.get(name);
}

/** Checks an attribute value against its spec; returns a reason or undefined. */
export function checkAttr(spec: AttrSpec, v: AttrValue): string | undefined {
  switch (spec.kind) {
    case 'int': return Number.isInteger(v) ? undefined : 'expected an integer';
    case 'float': return typeof v === 'number' ? undefined : 'expected a number';
    case 'bool': return typeof v === 'boolean' ? undefined : 'expected true or false';
    case 'string': case 'const': case 'tree': return typeof v === 'string' ? undefined : 'expected a name';
    case 'fixed': return typeof v === 'object' && v !== null && !Array.isArray(v) && 'width' in v ? undefined : 'expected a fixed type fx<w,f>';
    case 'ints': case 'floats': {
      if (!Array.isArray(v)) return 'expected a list';
      if (spec.kind === 'ints' && !(v as number[]).every(Number.isInteger)) return 'expected a list of integers';
      if (spec.length !== undefined && v.length !== spec.length) return `expected ${spec.length} values, got ${v.length}`;
      return undefined;
    }
  }
}
