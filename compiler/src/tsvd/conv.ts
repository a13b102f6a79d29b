/**
 * TSVD of Conv and ConvTranspose weights (TSVD.md, "Convolutions"): each group's
 * weights are decomposed in each of the four matrix layouts (conv-forms.ts) at the
 * same tolerance, and the layout with the lowest cost is kept.
 *
 * Cost of a candidate, per inference of one image (bias additions, the same in
 * every form, are not counted):
 *   adds  = nnz(V) * P_V + nnz(U) * P_U        (every ternary non-zero is one
 *                                               addition per pixel its stage computes)
 *   muls  = G * r * P_mid                      (one scale per middle channel and pixel;
 *                                               r is the rank padded to the largest group's)
 *   cost  = adds + mulWeight * muls            (mulWeight defaults to 1)
 * Conv: P_V = P_mid = pixels of the V conv's output, P_U = output pixels.
 * ConvTranspose (scatter form): P_U = input pixels, P_mid = P_V = pixels of the
 * first transposed conv's output.
 * Without `inputSize` every P is 1: the per-pixel cost nnz(U) + nnz(V) + mulWeight*G*r.
 * Ties go to the lower form number.
 *
 * How the result computes (bias b, per channel):
 *   Conv:           pad(x, pads) -> conv(V, vStrides, vDilations, groups) -> * s
 *                   -> conv(U, uStrides, uDilations, groups) -> + b      (IR op tconv2d)
 *   ConvTranspose:  convT(U, uStrides, uDilations, groups, no pads) -> * s
 *                   -> convT(V, vStrides, vDilations, groups, pads, outputPadding) -> + b
 * The ConvTranspose form is the adjoint of the Conv form stage by stage (a transposed
 * conv is the adjoint of the conv with the same weight array). Without cropping, the
 * two stages produce exactly the uncropped output of the original; pads and
 * outputPadding then crop/extend it once, in the last stage.
 *
 * Hazard: ONNX (and PyTorch) require outputPadding < max(stride, dilation) on each
 * axis of a ConvTranspose, and the last (V) stage has the layer's stride and dilation
 * only on the axes its kernel spans. A form whose U stage spans an axis with
 * outputPadding > 0 would need outputPadding on a stride-1 stage, which cannot be
 * written, so such forms are not tried (`excluded`). Form 0 (V spans both axes) is
 * always writable when the layer itself is valid.
 */
import { invariant, ternaryNnz, TsvdcError } from '@tsvdc/ir';
import { convOutSize, convTransposeOutSize } from '@tsvdc/ir';
import type { ConvForm, ConvFactors, FormLayout, GroupFactors, StageGeometry, WeightShape } from './conv-forms.js';
import { CONV_FORMS, factorsToConv, formLayout, groupMatrix, sameLayout, stageGeometry } from './conv-forms.js';
import type { DecomposeOptions } from './types.js';
import { TSVD_CODES } from './codes.js';
import { decompose } from './decompose.js';

export interface ConvSpec {
  readonly groups?: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  /** [top, left, bottom, right] */
  readonly pads?: readonly number[];
  /** A ConvTranspose weight [Cin, Cout/G, K1, K2] rather than a Conv weight [Cout, Cin/G, K1, K2]. */
  readonly transposed?: boolean;
  readonly outputPadding?: readonly number[];
  /** Input H, W: makes the cost count real pixels (see the file header). */
  readonly inputSize?: readonly [number, number];
}

export interface ConvDecomposeOptions extends DecomposeOptions {
  /** Forms to try (default all four). */
  readonly forms?: readonly number[];
  /** Weight of one multiplication against one addition in the cost (default 1). */
  readonly mulWeight?: number;
}

/** What one form achieved, so a report can show why the winner won. */
export interface FormStats {
  readonly form: ConvForm;
  /** Set when this form's layout coincides with a lower form's (an axis of size 1); stats are copied. */
  readonly sameAs?: ConvForm;
  /** Rank per group, padded to the largest. */
  readonly rank: number;
  readonly ranks: readonly number[];
  /** Largest relative operator-norm error over the groups, each in this layout. */
  readonly error: number;
  readonly groupErrors: readonly number[];
  readonly reachedMaxRank: boolean;
  readonly nnzU: number;
  readonly nnzV: number;
  readonly adds: number;
  readonly muls: number;
  readonly cost: number;
}

export interface TernaryConvResult extends ConvFactors, StageGeometry {
  readonly form: ConvForm;
  readonly groups: number;
  readonly transposed: boolean;
  readonly pads: readonly [number, number, number, number];
  readonly outputPadding: readonly [number, number];
  /** The winner's stats (same as forms[i] for the winning form). */
  readonly stats: FormStats;
  /** Every form tried, in form order. */
  readonly forms: readonly FormStats[];
  /** Requested forms not tried because they cannot be written (ConvTranspose outputPadding). */
  readonly excluded: ReadonlyArray<{ readonly form: ConvForm; readonly reason: string }>;
}

/** Layers with this many weights per group or fewer stay dense (TSVD.md). */
export const MIN_CONV_WEIGHTS_PER_GROUP = 10;

interface Candidate {
  stats: FormStats;
  factors: ConvFactors;
  geometry: StageGeometry;
}

/**
 * Decomposes a conv weight in every requested form and keeps the cheapest.
 * Returns null for layers with 9 or fewer weights per group (left dense).
 */
export function decomposeConv(weight: { shape: readonly number[]; data: ArrayLike<number> }, conv: ConvSpec = {}, options: ConvDecomposeOptions = {}): TernaryConvResult | null {
  invariant(weight.shape.length === 4, `decomposeConv: weight shape [${weight.shape}] is not rank 4`);
  const shape = weight.shape as WeightShape;
  const groups = conv.groups ?? 1;
  invariant(shape[0] % groups === 0, `decomposeConv: ${shape[0]} weight rows not divisible by groups ${groups}`);
  invariant(weight.data.length === shape[0] * shape[1] * shape[2] * shape[3], 'decomposeConv: data length does not match the shape');
  if ((shape[0] / groups) * shape[1] * shape[2] * shape[3] < MIN_CONV_WEIGHTS_PER_GROUP) return null;
  const wanted = [...new Set(options.forms ?? CONV_FORMS)].sort();
  invariant(wanted.length > 0 && wanted.every((f) => CONV_FORMS.includes(f as ConvForm)), `decomposeConv: forms [${options.forms}] must be among 0..3`);
  const strides = conv.strides ?? [1, 1];
  const dilations = conv.dilations ?? [1, 1];
  const { forms: _f, mulWeight: _m, ...dopts } = options;
  const done: Candidate[] = [];
  const stats: FormStats[] = [];
  const excluded: Array<{ form: ConvForm; reason: string }> = [];
  for (const form of wanted as ConvForm[]) {
    const layout = formLayout(form, shape, groups);
    const geometry = stageGeometry(layout, strides, dilations);
    const reason = unwritable(geometry, conv);
    if (reason) {
      excluded.push({ form, reason });
      continue;
    }
    const twin = done.find((c) => sameLayout(formLayout(c.stats.form, shape, groups), layout));
    if (twin) {
      stats.push({ ...twin.stats, form, sameAs: twin.stats.form });
      continue;
    }
    const c = decomposeForm(layout, shape, weight.data, geometry, conv, options.mulWeight ?? 1, dopts);
    done.push(c);
    stats.push(c.stats);
  }
  if (done.length === 0) {
    throw new TsvdcError(TSVD_CODES.badOption, `decomposeConv: no requested form can be written: ${excluded.map((e) => `form ${e.form} ${e.reason}`).join('; ')}`);
  }
  const best = done.reduce((a, b) => (b.stats.cost < a.stats.cost ? b : a));
  return {
    ...best.factors, ...best.geometry,
    form: best.stats.form, groups, transposed: conv.transposed ?? false,
    pads: [...(conv.pads ?? [0, 0, 0, 0])] as [number, number, number, number],
    outputPadding: [...(conv.outputPadding ?? [0, 0])] as [number, number],
    stats: best.stats, forms: stats, excluded,
  };
}

/** ONNX's rule for a ConvTranspose: each axis's output_padding is 0 or below max(stride, dilation). */
export function outputPaddingFits(op: readonly number[], strides: readonly number[], dilations: readonly number[]): boolean {
  return ![0, 1].some((a) => op[a]! > 0 && op[a]! >= Math.max(strides[a] ?? 1, dilations[a] ?? 1));
}

/**
 * Why a form's stages cannot be written as two ConvTransposes (see the file header),
 * or undefined when they can. Plain convs have no outputPadding: always writable.
 */
function unwritable(geo: StageGeometry, conv: ConvSpec): string | undefined {
  const op = conv.outputPadding ?? [0, 0];
  if (!conv.transposed || outputPaddingFits(op, geo.vStrides, geo.vDilations)) return undefined;
  return `puts output_padding [${op}] on a last stage with strides [${geo.vStrides}], dilations [${geo.vDilations}]`;
}

function decomposeForm(layout: FormLayout, shape: WeightShape, data: ArrayLike<number>, geometry: StageGeometry, conv: ConvSpec, mulWeight: number, dopts: DecomposeOptions): Candidate {
  const perGroup: GroupFactors[] = [];
  const errors: number[] = [];
  let reachedMaxRank = false;
  for (let g = 0; g < layout.groups; g++) {
    const r = decompose(groupMatrix(layout, shape, data, g), dopts);
    perGroup.push({ U: r.U, s: r.s, V: r.V });
    errors.push(r.error);
    reachedMaxRank ||= r.reachedMaxRank;
  }
  const factors = factorsToConv(layout, shape, perGroup);
  const nnzU = ternaryNnz(factors.U);
  const nnzV = ternaryNnz(factors.V);
  const rank = factors.s.length / layout.groups;
  const px = stagePixels(layout, geometry, conv);
  const adds = nnzV * px.v + nnzU * px.u;
  const muls = layout.groups * rank * px.mid;
  const stats: FormStats = {
    form: layout.form, rank, ranks: factors.ranks, error: Math.max(...errors), groupErrors: errors,
    reachedMaxRank, nnzU, nnzV, adds, muls, cost: adds + mulWeight * muls,
  };
  return { stats, factors, geometry };
}

/** Pixels each stage computes for one image (see the file header); all 1 without inputSize. */
export function stagePixels(layout: FormLayout, geo: StageGeometry, conv: ConvSpec): { v: number; mid: number; u: number } {
  if (!conv.inputSize) return { v: 1, mid: 1, u: 1 };
  const [h, w] = conv.inputSize;
  const p = conv.pads ?? [0, 0, 0, 0];
  const axis = (a: 0 | 1, size: number): { mid: number; out: number } => {
    if (conv.transposed) {
      return { mid: convTransposeOutSize(size, layout.uKernel[a], geo.uStrides[a], geo.uDilations[a], 0, 0, 0), out: size };
    }
    const mid = convOutSize(size + p[a]! + p[a + 2]!, layout.vKernel[a], geo.vStrides[a], geo.vDilations[a], 0, 0);
    return { mid, out: convOutSize(mid, layout.uKernel[a], geo.uStrides[a], geo.uDilations[a], 0, 0) };
  };
  const [ah, aw] = [axis(0, h), axis(1, w)];
  const mid = ah.mid * aw.mid;
  // transposed: `out` is the input size, from which U scatters; V scatters from the middle
  return { v: mid, mid, u: ah.out * aw.out };
}
