/**
 * Runtime tensors of the interpreter: a concrete shape and float64 data, row-major.
 * Fixed-point tensors hold the integers q (the value they stand for is q * 2^-frac).
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export function tensor(shape: readonly number[], data: Float64Array): Tensor {
  return { shape: [...shape], data };
}
