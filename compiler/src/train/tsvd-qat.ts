/**
 * TSVD on the layers of a tfjs MLP: the direct transition (replace each weight by
 * U diag(s) V once) and the training transition (TSVD.md, "Training transition"):
 * after optimizer steps, every layer's dense weight is re-projected onto its
 * ternary form by `retransition`, with the residual carried between steps.
 */
import { ternaryNnz } from '@tsvdc/ir';
import type { Factors } from '../tsvd/types.js';
import { decompose } from '../tsvd/decompose.js';
import { reconstruct, retransition } from '../tsvd/retransition.js';
import type { Mlp } from './mlp.js';
import { setWeight } from './mlp.js';

export interface TsvdOptions {
  readonly tol: number;
  readonly cosThresh?: number;
  readonly steps?: number;
  readonly seed?: number;
  /** retransition's pruneRate (default 1). */
  readonly pruneRate?: number;
}

/** One layer under the training transition. */
export interface TsvdLayerState {
  factors: Factors;
  /** Latent weight minus the dense weight (row-major [out, in]). */
  residual: Float64Array;
  /** How many retransitions re-decomposed (pruned) this layer, and how many ran. */
  redecompositions: number;
  retransitions: number;
}

/** Counts per inference of one input vector, the columns of the paper's tables. */
export interface LayerCounts {
  readonly name: string;
  readonly shape: readonly [number, number];
  readonly rank: number;
  /** Multiplications: r (TSVD) or m n (dense). */
  readonly muls: number;
  /** Additions as the paper counts them: nnz(U) + nnz(V) (TSVD) or m n (dense). */
  readonly adds: number;
  /** Ternary parameters: (m + n) r, the size of U and V. */
  readonly ternaryParams: number;
}

function weightOf(mlp: Mlp, l: number): { rows: number; cols: number; data: Float64Array } {
  const [rows, cols] = mlp.layers[l]!.W.shape as [number, number];
  return { rows, cols, data: Float64Array.from(mlp.layers[l]!.W.dataSync()) };
}

/**
 * Direct transition of every layer: W is replaced by U diag(s) V; the residual
 * (W - U diag(s) V) is kept so a training transition can start from here.
 */
export function directTransition(mlp: Mlp, opts: TsvdOptions): TsvdLayerState[] {
  return mlp.layers.map((layer, l) => {
    const W = weightOf(mlp, l);
    const d = decompose(W, { tol: opts.tol, cosThresh: opts.cosThresh, steps: opts.steps, seed: opts.seed });
    const approx = reconstruct(d.U, d.s, d.V);
    setWeight(layer, approx);
    return { factors: { U: d.U, s: d.s, V: d.V }, residual: W.data.map((w, i) => w - approx[i]!), redecompositions: 0, retransitions: 0 };
  });
}

/** One training-transition step on every layer (after an optimizer step). */
export function retransitionLayers(mlp: Mlp, states: TsvdLayerState[], opts: TsvdOptions): void {
  mlp.layers.forEach((layer, l) => {
    const st = states[l]!;
    const res = retransition(weightOf(mlp, l), { ...st.factors, residual: st.residual }, {
      tol: opts.tol, cosThresh: opts.cosThresh, steps: opts.steps, seed: opts.seed, pruneRate: opts.pruneRate ?? 1,
    });
    setWeight(layer, res.W);
    st.factors = res.factors;
    st.residual = res.residual;
    st.retransitions++;
    if (res.pruned) st.redecompositions++;
  });
}

export function tsvdCounts(mlp: Mlp, states: readonly TsvdLayerState[]): LayerCounts[] {
  return states.map((st, l) => {
    const { U, s, V } = st.factors;
    const [m, n] = [U.rows, V.cols];
    const nnz = ternaryNnz(U) + ternaryNnz(V);
    return { name: mlp.layers[l]!.name, shape: [m, n], rank: s.length, muls: s.length, adds: nnz, ternaryParams: (m + n) * s.length };
  });
}

export function denseCounts(mlp: Mlp): LayerCounts[] {
  return mlp.layers.map((layer) => {
    const [m, n] = layer.W.shape as [number, number];
    return { name: layer.name, shape: [m, n], rank: Math.min(m, n), muls: m * n, adds: m * n, ternaryParams: 0 };
  });
}
