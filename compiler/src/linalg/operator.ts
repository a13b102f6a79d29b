/**
 * Matrix-free linear operators on "panels" (b column vectors stored as an
 * (dim x b) row-major block, so the b values of one coordinate are adjacent:
 * gathers over sparse index lists then touch contiguous memory).
 */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** Y (rows x b) = Op X (cols x b). Overwrites Y. */
  apply(X: Float64Array, Y: Float64Array, b: number): void;
  /** Z (cols x b) = Op^T Y (rows x b). Overwrites Z. */
  applyT(Y: Float64Array, Z: Float64Array, b: number): void;
}

/**
 * Y = A X for a dense row-major A (rows x cols); overwrites Y. Sums in column
 * order, as the WebAssembly gemm kernel does, so both give the same bits.
 */
export function denseApply(A: Float64Array, rows: number, cols: number, X: Float64Array, Y: Float64Array, b: number): void {
  Y.fill(0, 0, rows * b);
  for (let i = 0; i < rows; i++) {
    const ao = i * cols;
    const yo = i * b;
    for (let j = 0; j < cols; j++) {
      const a = A[ao + j]!;
      if (a === 0) continue;
      const xo = j * b;
      for (let c = 0; c < b; c++) Y[yo + c]! += a * X[xo + c]!;
    }
  }
}

/** Z = A^T Y for a dense row-major A (rows x cols); overwrites Z. */
export function denseApplyT(A: Float64Array, rows: number, cols: number, Y: Float64Array, Z: Float64Array, b: number): void {
  Z.fill(0, 0, cols * b);
  for (let i = 0; i < rows; i++) {
    const ao = i * cols;
    const yo = i * b;
    if (b === 1) {
      const y = Y[i]!;
      if (y !== 0) for (let j = 0; j < cols; j++) Z[j]! += A[ao + j]! * y;
      continue;
    }
    for (let j = 0; j < cols; j++) {
      const a = A[ao + j]!;
      if (a === 0) continue;
      const zo = j * b;
      for (let c = 0; c < b; c++) Z[zo + c]! += a * Y[yo + c]!;
    }
  }
}

/** A dense matrix as an operator. */
export function denseOperator(A: Float64Array, rows: number, cols: number): LinearOperator {
  return {
    rows,
    cols,
    apply: (X, Y, b) => denseApply(A, rows, cols, X, Y, b),
    applyT: (Y, Z, b) => denseApplyT(A, rows, cols, Y, Z, b),
  };
}
