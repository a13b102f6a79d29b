/**
 * Operation counts per inference (one sample: a dynamic batch dimension counts as 1).
 * Additions are counted as an adder tree would do them, before any sharing:
 *   dense row with n inputs: n - 1 additions (plus 1 for a bias);
 *   ternary row with k non-zeros: max(k - 1, 0) additions (TSVD.md counts ~k);
 *   transposed convs scatter: every product is added into the output once.
 * Multiplications: one per dense weight use; one per scale per pixel for TSVD layers.
 */
import { convOutSize, convTransposeOutSize } from '@tsvdc/ir';

export interface Counts {
  readonly muls: number;
  readonly adds: number;
}

/** Number of rows (vectors) a layer processes per sample: all leading dims but batch. */
export function rowsPerSample(shape: readonly number[] | undefined): number {
  if (!shape || shape.length <= 1) return 1;
  return shape.slice(1, -1).reduce((p, d) => p * Math.max(d, 1), 1);
}

/** Spatial size per sample of an NCHW shape (1 when unknown). */
export function pixels(shape: readonly number[] | undefined): number {
  return shape && shape.length === 4 ? Math.max(shape[2]!, 1) * Math.max(shape[3]!, 1) : 1;
}

export function denseLinear(m: number, n: number, rows: number, bias: boolean): Counts {
  return { muls: rows * m * n, adds: rows * m * (n - 1 + (bias ? 1 : 0)) };
}

/** Conv W [Cout, Cin/G, k1, k2] producing `outPixels` per sample. */
export function denseConv(w: readonly number[], outPixels: number, bias: boolean): Counts {
  const fan = w[1]! * w[2]! * w[3]!;
  return { muls: outPixels * w[0]! * fan, adds: outPixels * w[0]! * (fan - 1 + (bias ? 1 : 0)) };
}

/** ConvTranspose W [Cin, Cout/G, k1, k2] reading `inPixels`, writing `outPixels`, `cout` channels. */
export function denseConvTranspose(w: readonly number[], inPixels: number, outPixels: number, cout: number, bias: boolean): Counts {
  const macs = inPixels * w[0]! * w[1]! * w[2]! * w[3]!;
  return { muls: macs, adds: macs + (bias ? outPixels * cout : 0) };
}

/** Sum over rows of max(nnz(row) - 1, 0), given per-row non-zero counts. */
export function treeAdds(rowNnz: ArrayLike<number>): number {
  let a = 0;
  for (let i = 0; i < rowNnz.length; i++) a += Math.max(rowNnz[i]! - 1, 0);
  return a;
}

/** Pixels of the middle (scaled) tensor of a TSVD conv, from the input size and the first stage. */
export function middlePixels(input: readonly number[] | undefined, kernel: readonly number[], strides: readonly number[], dilations: readonly number[], pads: readonly number[], transposed: boolean): number {
  if (!input || input.length !== 4 || input[2]! < 1 || input[3]! < 1) return 1;
  const axis = (a: 0 | 1): number => transposed
    ? convTransposeOutSize(input[2 + a]!, kernel[a]!, strides[a]!, dilations[a]!, 0, 0, 0)
    : convOutSize(input[2 + a]!, kernel[a]!, strides[a]!, dilations[a]!, pads[a]!, pads[a + 2]!);
  return axis(0) * axis(1);
}
