/**
 * Packed ternary tensors: 2 bits per entry, 16 entries per u32 word, rows padded
 * to whole words so a row is a contiguous run of words (what WGSL kernels and the
 * FPGA weight memories read). Codes: 0b00 = 0, 0b01 = +1, 0b11 = -1; 0b10 is
 * invalid, and padding bits are zero (both checked by the verifier).
 * The code is the 2-bit two's complement of the value, so sign-extending it
 * yields the entry.
 *
 * A tensor of shape [d0, d1, ...] is a matrix of rows = d0, cols = d1*d2*...
 * (row-major), so a conv weight [Cout, Cin, K1, K2] has one row per output channel.
 */
import { InternalError } from './diagnostics.js';

export interface TernaryTensor {
  readonly kind: 'ternary';
  readonly shape: readonly number[];
  readonly rows: number;
  readonly cols: number;
  readonly wordsPerRow: number;
  /** rows * wordsPerRow words. Never mutated once the tensor is built. */
  readonly data: Uint32Array;
}

export type Trit = -1 | 0 | 1;

export function ternaryDims(shape: readonly number[]): { rows: number; cols: number } {
  if (shape.length === 0) throw new InternalError('ternary tensor needs rank >= 1');
  const rows = shape[0]!;
  let cols = 1;
  for (let i = 1; i < shape.length; i++) cols *= shape[i]!;
  return { rows, cols };
}

/** An all-zero ternary tensor (a fresh buffer the caller may fill before sharing). */
export function ternaryZeros(shape: readonly number[]): TernaryTensor {
  const { rows, cols } = ternaryDims(shape);
  const wordsPerRow = Math.ceil(cols / 16);
  return { kind: 'ternary', shape: [...shape], rows, cols, wordsPerRow, data: new Uint32Array(rows * wordsPerRow) };
}

export function ternaryGet(t: TernaryTensor, row: number, col: number): Trit {
  const w = t.data[row * t.wordsPerRow + (col >>> 4)]!;
  const code = (w >>> ((col & 15) << 1)) & 3;
  return code === 0 ? 0 : code === 1 ? 1 : code === 3 ? -1 : (NaN as never);
}

/** Sets an entry of a tensor that is still being built (see ternaryZeros). */
export function ternarySet(t: TernaryTensor, row: number, col: number, v: number): void {
  const idx = row * t.wordsPerRow + (col >>> 4);
  const sh = (col & 15) << 1;
  const code = v === 0 ? 0 : v > 0 ? 1 : 3;
  t.data[idx] = ((t.data[idx]! & ~(3 << sh)) | (code << sh)) >>> 0;
}

/** Builds a packed tensor from values in {-1,0,1} (row-major). Throws on other values. */
export function ternaryFromValues(shape: readonly number[], values: ArrayLike<number>): TernaryTensor {
  const t = ternaryZeros(shape);
  if (values.length !== t.rows * t.cols) {
    throw new InternalError(`ternaryFromValues: ${values.length} values for shape [${shape}]`);
  }
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      const v = values[i * t.cols + j]!;
      if (v !== 0 && v !== 1 && v !== -1) throw new InternalError(`ternaryFromValues: value ${v} is not ternary`);
      if (v !== 0) ternarySet(t, i, j, v);
    }
  }
  return t;
}

/** Unpacks to an Int8Array of rows*cols values, row-major. */
export function ternaryToInt8(t: TernaryTensor): Int8Array {
  const out = new Int8Array(t.rows * t.cols);
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) out[i * t.cols + j] = ternaryGet(t, i, j);
  }
  return out;
}

/** Signed column indices of one row: +1 entries in `plus`, -1 entries in `minus`, ascending. */
export function ternaryRowTerms(t: TernaryTensor, row: number): { plus: number[]; minus: number[] } {
  const plus: number[] = [];
  const minus: number[] = [];
  const base = row * t.wordsPerRow;
  for (let w = 0; w < t.wordsPerRow; w++) {
    let word = t.data[base + w]!;
    while (word !== 0) {
      const bit = 31 - Math.clz32(word & -word); // lowest set bit
      const k = bit >>> 1;
      const code = (word >>> (k << 1)) & 3;
      const col = (w << 4) + k;
      if (code === 1) plus.push(col);
      else minus.push(col); // 3; an invalid 2 is reported by the verifier, counted as minus here
      word = (word & ~(3 << (k << 1))) >>> 0;
    }
  }
  return { plus, minus };
}

/** Number of non-zero entries. */
export function ternaryNnz(t: TernaryTensor): number {
  let n = 0;
  for (let i = 0; i < t.data.length; i++) {
    let w = t.data[i]!;
    // a non-zero code has its low bit set (01 or 11)
    w = w & 0x55555555;
    w = w - ((w >>> 1) & 0x55555555);
    w = (w & 0x33333333) + ((w >>> 2) & 0x33333333);
    n += (((w + (w >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return n;
}

/** Transposes a ternary matrix (shape [rows, cols] -> [cols, rows]). */
export function ternaryTranspose(t: TernaryTensor): TernaryTensor {
  const out = ternaryZeros([t.cols, t.rows]);
  for (let i = 0; i < t.rows; i++) {
    const { plus, minus } = ternaryRowTerms(t, i);
    for (const j of plus) ternarySet(out, j, i, 1);
    for (const j of minus) ternarySet(out, j, i, -1);
  }
  return out;
}

export function ternaryEquals(a: TernaryTensor, b: TernaryTensor): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
