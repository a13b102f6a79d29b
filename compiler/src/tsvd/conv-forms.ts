/**
 * The four matrix layouts of a conv weight (TSVD.md, "Convolutions") and their
 * inverse: which kernel axes the U stage carries, how one group's weights become
 * a matrix, how matrix factors become the two conv weights of `tconv2d`, and on
 * which stage each axis's stride and dilation go.
 *
 * Weight [M, C/G, K1, K2] (a Conv weight, or a ConvTranspose weight read the same
 * way). Group g holds rows g*M/G .. (g+1)*M/G - 1. In a layout, U carries the kernel
 * axes in `uAxes` and V the others; the group matrix has
 *   row (o, k_a for a in uAxes)      = (o * ku1 + k1u) * ku2 + k2u
 *   col (c, k_a for a not in uAxes)  = (c * kv1 + k1v) * kv2 + k2v
 * which is exactly the row-major flattening of U [M/G, r, ku1, ku2] (per column i)
 * and of V [r, C/G, kv1, kv2] (per row i), so factors map to conv weights by copying.
 */
import type { TernaryTensor } from '@tsvdc/ir';
import { invariant, ternaryGet, ternarySet, ternaryZeros } from '@tsvdc/ir';
import type { Matrix } from './types.js';

export type ConvForm = 0 | 1 | 2 | 3;
export const CONV_FORMS: readonly ConvForm[] = [0, 1, 2, 3];

/** Which kernel axes (K1, K2) the U stage carries in each form, as TSVD.md's table says. */
const FORM_U_AXES: Readonly<Record<ConvForm, readonly [boolean, boolean]>> = {
  0: [false, false], // U 1x1, V K1xK2
  1: [true, true], // U K1xK2, V 1x1
  2: [true, false], // U K1x1, V 1xK2
  3: [false, true], // U 1xK2, V K1x1
};

/** The shape of a conv weight: [M, C/G, K1, K2]. */
export type WeightShape = readonly [number, number, number, number];

export interface FormLayout {
  readonly form: ConvForm;
  /**
   * Kernel axes the U stage carries. An axis of size 1 is always given to V
   * (both placements compute the same thing; V's gets the stride, so the middle
   * tensor is smaller), so forms that differ only on such an axis coincide.
   */
  readonly uAxes: readonly [boolean, boolean];
  readonly groups: number;
  /** Kernel of the U conv and of the V conv. */
  readonly uKernel: readonly [number, number];
  readonly vKernel: readonly [number, number];
  /** Size of one group's matrix. */
  readonly rows: number;
  readonly cols: number;
}

export function formLayout(form: ConvForm, shape: WeightShape, groups: number): FormLayout {
  const [m, cg, k1, k2] = shape;
  invariant(m % groups === 0, `formLayout: ${m} rows not divisible by groups ${groups}`);
  const want = FORM_U_AXES[form];
  const uAxes = [want[0] && k1 > 1, want[1] && k2 > 1] as const;
  const uKernel = [uAxes[0] ? k1 : 1, uAxes[1] ? k2 : 1] as const;
  const vKernel = [uAxes[0] ? 1 : k1, uAxes[1] ? 1 : k2] as const;
  return {
    form, uAxes, groups, uKernel, vKernel,
    rows: (m / groups) * uKernel[0] * uKernel[1],
    cols: cg * vKernel[0] * vKernel[1],
  };
}

/** Two layouts that decompose the same matrices into the same stages. */
export function sameLayout(a: FormLayout, b: FormLayout): boolean {
  return a.uAxes[0] === b.uAxes[0] && a.uAxes[1] === b.uAxes[1];
}

/**
 * Visits every weight of group g with its (row, col) in the layout's group matrix
 * and its flat index in the weight tensor.
 */
function forEachEntry(layout: FormLayout, shape: WeightShape, g: number, f: (row: number, col: number, idx: number) => void): void {
  const [m, cg, k1, k2] = shape;
  const mg = m / layout.groups;
  const [u1, u2] = layout.uAxes;
  const [ku1, ku2] = layout.uKernel;
  const [kv1, kv2] = layout.vKernel;
  for (let o = 0; o < mg; o++) {
    for (let c = 0; c < cg; c++) {
      for (let a = 0; a < k1; a++) {
        for (let b = 0; b < k2; b++) {
          const row = (o * ku1 + (u1 ? a : 0)) * ku2 + (u2 ? b : 0);
          const col = (c * kv1 + (u1 ? 0 : a)) * kv2 + (u2 ? 0 : b);
          f(row, col, (((g * mg + o) * cg + c) * k1 + a) * k2 + b);
        }
      }
    }
  }
}

/** Group g of a weight as the layout's matrix (rows x cols, row-major). */
export function groupMatrix(layout: FormLayout, shape: WeightShape, weight: ArrayLike<number>, g: number): Matrix {
  const data = new Float64Array(layout.rows * layout.cols);
  forEachEntry(layout, shape, g, (row, col, idx) => {
    data[row * layout.cols + col] = weight[idx]!;
  });
  return { rows: layout.rows, cols: layout.cols, data };
}

/** The inverse of groupMatrix: writes a group matrix back into the weight tensor. */
export function scatterGroupMatrix(layout: FormLayout, shape: WeightShape, a: Matrix, g: number, weight: Float64Array): void {
  invariant(a.rows === layout.rows && a.cols === layout.cols, `scatterGroupMatrix: ${a.rows}x${a.cols} for a ${layout.rows}x${layout.cols} layout`);
  forEachEntry(layout, shape, g, (row, col, idx) => {
    weight[idx] = a.data[row * layout.cols + col]!;
  });
}

/** Per-group matrix factors: U [rows, r_g], V [r_g, cols] (ternary), s [r_g]. */
export interface GroupFactors {
  readonly U: TernaryTensor;
  readonly s: Float64Array;
  readonly V: TernaryTensor;
}

/** The two conv weights and scales of a `tconv2d`, ranks padded to the largest group's. */
export interface ConvFactors {
  /** [M, r, ku1, ku2] */
  readonly U: TernaryTensor;
  /** [G*r] */
  readonly s: Float64Array;
  /** [G*r, C/G, kv1, kv2] */
  readonly V: TernaryTensor;
  /** Rank per group (before padding); r = max of these. */
  readonly ranks: readonly number[];
}

/**
 * Places each group's factors into the conv weights. A group with fewer than r
 * components gets zero components (zero U column, zero V row, s = 0), which add
 * nothing to the output.
 */
export function factorsToConv(layout: FormLayout, shape: WeightShape, groups: readonly GroupFactors[]): ConvFactors {
  const [m, cg] = shape;
  const gcount = layout.groups;
  invariant(groups.length === gcount, `factorsToConv: ${groups.length} groups, layout has ${gcount}`);
  const ranks = groups.map((f) => f.s.length);
  const r = Math.max(0, ...ranks);
  const mg = m / gcount;
  const U = ternaryZeros([m, r, layout.uKernel[0], layout.uKernel[1]]);
  const V = ternaryZeros([gcount * r, cg, layout.vKernel[0], layout.vKernel[1]]);
  const s = new Float64Array(gcount * r);
  const ku = layout.uKernel[0] * layout.uKernel[1];
  groups.forEach((f, g) => {
    invariant(f.U.rows === layout.rows && f.V.cols === layout.cols, `factorsToConv: group ${g} factors do not fit the layout`);
    for (let i = 0; i < f.s.length; i++) {
      s[g * r + i] = f.s[i]!;
      for (let col = 0; col < layout.cols; col++) {
        const t = ternaryGet(f.V, i, col);
        if (t !== 0) ternarySet(V, g * r + i, col, t);
      }
      for (let row = 0; row < layout.rows; row++) {
        const t = ternaryGet(f.U, row, i);
        // row = o * ku + kernel offset; U's flattened row (o_global) has r*ku columns
        if (t !== 0) ternarySet(U, g * mg + Math.floor(row / ku), i * ku + (row % ku), t);
      }
    }
  });
  return { U, s, V, ranks };
}

/** Where a conv's stride and dilation go: on each axis, to the stage whose kernel spans it. */
export interface StageGeometry {
  readonly vStrides: readonly [number, number];
  readonly vDilations: readonly [number, number];
  readonly uStrides: readonly [number, number];
  readonly uDilations: readonly [number, number];
}

export function stageGeometry(layout: FormLayout, strides: readonly number[], dilations: readonly number[]): StageGeometry {
  const pick = (onU: boolean, axis: 0 | 1, v: readonly number[]): number => (layout.uAxes[axis] === onU ? v[axis]! : 1);
  const split = (v: readonly number[], onU: boolean): [number, number] => [pick(onU, 0, v), pick(onU, 1, v)];
  return {
    vStrides: split(strides, false),
    vDilations: split(dilations, false),
    uStrides: split(strides, true),
    uDilations: split(dilations, true),
  };
}

/**
 * The dense weight U diag(s) V of a `tconv2d` (any form), rebuilt straight from the
 * conv tensors: W[o, c, k1, k2] = sum_i U[o, i, ku] s[g r + i] V[g r + i, c, kv], where
 * each kernel axis is indexed in whichever of U or V spans it.
 */
export function convWeightFromFactors(f: { U: TernaryTensor; s: ArrayLike<number>; V: TernaryTensor }, groups: number): { shape: WeightShape; data: Float64Array } {
  const [m, r, ku1, ku2] = f.U.shape as WeightShape;
  const [, cg, kv1, kv2] = f.V.shape as WeightShape;
  invariant(f.V.shape[0] === groups * r && f.s.length === groups * r, `convWeightFromFactors: U [${f.U.shape}], V [${f.V.shape}], ${f.s.length} scales, groups ${groups}`);
  invariant((ku1 === 1 || kv1 === 1) && (ku2 === 1 || kv2 === 1), 'convWeightFromFactors: an axis spanned by both U and V');
  const k1 = Math.max(ku1, kv1);
  const k2 = Math.max(ku2, kv2);
  const shape: WeightShape = [m, cg, k1, k2];
  const data = new Float64Array(m * cg * k1 * k2);
  const mg = m / groups;
  for (let o = 0; o < m; o++) {
    const g = Math.floor(o / mg);
    for (let i = 0; i < r; i++) {
      const sc = f.s[g * r + i]!;
      if (sc === 0) continue;
      for (let a = 0; a < k1; a++) {
        for (let b = 0; b < k2; b++) {
          const u = ternaryGet(f.U, o, (i * ku1 + (ku1 > 1 ? a : 0)) * ku2 + (ku2 > 1 ? b : 0));
          if (u === 0) continue;
          for (let c = 0; c < cg; c++) {
            const v = ternaryGet(f.V, g * r + i, (c * kv1 + (kv1 > 1 ? a : 0)) * kv2 + (kv2 > 1 ? b : 0));
            if (v !== 0) data[((o * cg + c) * k1 + a) * k2 + b] += u * sc * v;
          }
        }
      }
    }
  }
  return { shape, data };
}
