/**
 * What a kernel sees: the node, the mode, its declared types, and access to constants
 * in the form kernels want (float64 arrays, rounded to f32 once in f32 mode; ternary
 * weights as sorted sparse rows), cached per constant object (constants are immutable).
 */
import { TsvdcError } from '../diagnostics.js';
import type { Module, Node } from '../module.js';
import type { Origin } from '../origin.js';
import type { Const, DenseConst, IntConst, TensorType } from '../tensor.js';
import type { TernaryTensor } from '../ternary.js';
import { ternaryRowTerms } from '../ternary.js';
import * as C from './codes.js';

export type Mode = 'f64' | 'f32' | 'exact';

export interface Ctx {
  readonly m: Module;
  readonly node: Node;
  readonly origin: Origin;
  readonly mode: Mode;
  /** Round after every operation (f32 mode, float data only). */
  readonly f32: boolean;
  /** Check every fixed-point intermediate against its declared width (exact mode). */
  readonly exact: boolean;
  /** Declared types of the inputs and of the (first) output. */
  readonly inTypes: readonly TensorType[];
  readonly outType: TensorType;
}

/** A kernel: the output data of one node (its shape was inferred from the actual input shapes). */
export type Kernel = (ctx: Ctx, ins: readonly import('./tensor.js').Tensor[], outShape: readonly number[]) => Float64Array;

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function fail(ctx: Ctx, code: typeof C[keyof typeof C], message: string, extra: Partial<Origin> = {}): never {
  throw new TsvdcError(code, message, { ...ctx.origin, ...extra });
}

function constOf(ctx: Ctx, key: string): Const {
  const name = ctx.node.attrs[key];
  const c = typeof name === 'string' ? ctx.m.consts.get(name) : undefined;
  if (!c) fail(ctx, C.MODULE_MALFORMED, `${ctx.node.op}: constant ${key} = @${String(name)} does not exist`);
  return c;
}

export function hasConst(ctx: Ctx, key: string): boolean {
  return ctx.node.attrs[key] !== undefined;
}

const asF64 = new WeakMap<object, Float64Array>();
const asF32 = new WeakMap<object, Float64Array>();

/** A dense or int constant as float64 values (rounded to f32 once when the op runs in f32). */
export function numbers(ctx: Ctx, key: string): Float64Array {
  const k = constOf(ctx, key);
  if (k.kind === 'ternary') fail(ctx, C.MODULE_MALFORMED, `${ctx.node.op}: constant ${key} is ternary`);
  const c: DenseConst | IntConst = k;
  const cache = ctx.f32 && c.kind === 'dense' ? asF32 : asF64;
  let out = cache.get(c);
  if (!out) {
    out = cache === asF32 ? Float64Array.from(c.data, Math.fround) : c.data instanceof Float64Array ? c.data : Float64Array.from(c.data);
    cache.set(c, out);
  }
  return out;
}

export function shapeOfConst(ctx: Ctx, key: string): readonly number[] {
  return constOf(ctx, key).shape;
}

/** Ternary rows in CSR form: row o's terms are cols[start[o]..start[o+1]) with signs, ascending columns. */
export interface TernaryRows {
  readonly rows: number;
  readonly cols: number;
  readonly start: Int32Array;
  readonly col: Int32Array;
  readonly sign: Float64Array;
}

const csrCache = new WeakMap<TernaryTensor, TernaryRows>();

export function ternaryRows(ctx: Ctx, key: string): TernaryRows {
  const t = constOf(ctx, key);
  if (t.kind !== 'ternary') fail(ctx, C.MODULE_MALFORMED, `${ctx.node.op}: constant ${key} is not ternary`);
  let rows = csrCache.get(t);
  if (!rows) {
    rows = toRows(t);
    csrCache.set(t, rows);
  }
  return rows;
}

function toRows(t: TernaryTensor): TernaryRows {
  const start = new Int32Array(t.rows + 1);
  const col: number[] = [];
  const sign: number[] = [];
  for (let o = 0; o < t.rows; o++) {
    const { plus, minus } = ternaryRowTerms(t, o);
    const terms = [...plus.map((j) => [j, 1] as const), ...minus.map((j) => [j, -1] as const)].sort((a, b) => a[0] - b[0]);
    for (const [j, s] of terms) { col.push(j); sign.push(s); }
    start[o + 1] = col.length;
  }
  return { rows: t.rows, cols: t.cols, start, col: Int32Array.from(col), sign: Float64Array.from(sign) };
}

export function treeOf(ctx: Ctx): import('../addtree.js').AddTree | undefined {
  const name = ctx.node.attrs['tree'];
  if (name === undefined) return undefined;
  const t = ctx.m.trees.get(name as string);
  if (!t) fail(ctx, C.MODULE_MALFORMED, `${ctx.node.op}: tree @${String(name)} does not exist`);
  return t;
}

/** Attribute helpers with the defaults ops.ts documents. */
export function ints(ctx: Ctx, key: string, dflt: readonly number[]): readonly number[] {
  return (ctx.node.attrs[key] as readonly number[] | undefined) ?? dflt;
}
export function int(ctx: Ctx, key: string, dflt: number): number {
  return (ctx.node.attrs[key] as number | undefined) ?? dflt;
}
