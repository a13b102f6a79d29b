/**
 * Tensor types of IR values and the constants a module holds.
 * Shapes are concrete except that a dimension may be -1 (dynamic; printed `?`),
 * which in practice is only the batch dimension.
 */
import type { FixedType } from './fixed.js';
import { fixedEquals } from './fixed.js';
import type { TernaryTensor } from './ternary.js';
import { ternaryEquals } from './ternary.js';

export type ElemType =
  | { readonly kind: 'float'; readonly bits: 32 | 64 }
  | ({ readonly kind: 'fixed' } & FixedType);

export interface TensorType {
  readonly shape: readonly number[];
  readonly elem: ElemType;
}

export const F32: ElemType = { kind: 'float', bits: 32 };
export const F64: ElemType = { kind: 'float', bits: 64 };
export function fixedElem(width: number, frac: number): ElemType {
  return { kind: 'fixed', width, frac };
}

export function elemEquals(a: ElemType, b: ElemType): boolean {
  if (a.kind === 'float' && b.kind === 'float') return a.bits === b.bits;
  if (a.kind === 'fixed' && b.kind === 'fixed') return fixedEquals(a, b);
  return false;
}

export function shapeEquals(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function typeEquals(a: TensorType, b: TensorType): boolean {
  return shapeEquals(a.shape, b.shape) && elemEquals(a.elem, b.elem);
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A dense real tensor (weights, biases, float scales). */
export interface DenseConst {
  readonly kind: 'dense';
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

/**
 * An integer tensor (quantized weights, fixed-point scale factors, biases in the
 * accumulator's scale). Held as float64 so values up to 2^53 stay exact; every
 * element is an integer (verifier-checked).
 */
export interface IntConst {
  readonly kind: 'int';
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export type Const = DenseConst | IntConst | TernaryTensor;

export function dense(shape: readonly number[], data: Float32Array | Float64Array): DenseConst {
  return { kind: 'dense', shape: [...shape], data };
}
export function intConst(shape: readonly number[], data: ArrayLike<number>): IntConst {
  return { kind: 'int', shape: [...shape], data: Float64Array.from(data) };
}

export function constEquals(a: Const, b: Const): boolean {
  if (a.kind !== b.kind || !shapeEquals(a.shape, b.shape)) return false;
  if (a.kind === 'ternary') return ternaryEquals(a, b as TernaryTensor);
  const bd = (b as DenseConst | IntConst).data;
  if (a.data.length !== bd.length || a.data.constructor !== bd.constructor) return false;
  for (let i = 0; i < a.data.length; i++) {
    // Object.is: NaN equals NaN, -0 differs from 0 (a round trip must keep both)
    if (!Object.is(a.data[i], bd[i])) return false;
  }
  return true;
}
