/**
 * Which of A and A^T the transition works on: the one with no more rows than
 * columns (TSVD.md step 1); for a square matrix, the lexicographically smaller of
 * A and A^T in row-major order. That canonical choice makes decompose(A^T)
 * compute exactly what decompose(A) computes, so its factors are exactly the
 * transposed ones, for every shape.
 */
import type { Matrix } from './types.js';

export function orientation(A: Matrix): { transposed: boolean; W: Float64Array; m: number; n: number } {
  const transposed = A.rows > A.cols || (A.rows === A.cols && transposeIsSmaller(A));
  if (!transposed) return { transposed, W: A.data, m: A.rows, n: A.cols };
  const W = new Float64Array(A.data.length);
  for (let i = 0; i < A.rows; i++) {
    for (let j = 0; j < A.cols; j++) W[j * A.rows + i] = A.data[i * A.cols + j]!;
  }
  return { transposed, W, m: A.cols, n: A.rows };
}

function transposeIsSmaller(A: Matrix): boolean {
  const n = A.rows;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = A.data[i * n + j]!;
      const t = A.data[j * n + i]!;
      if (a !== t) return t < a;
    }
  }
  return false;
}
