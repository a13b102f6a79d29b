/**
 * One layer's TSVD: the pure function a worker thread (or the main thread) runs.
 * Matrices go to `decompose`, conv weights to `decomposeConv` (which keeps the
 * cheapest of the four forms, or returns null for a layer too small to pay).
 */
import type { TernaryTensor } from '@tsvdc/ir';
import { decompose } from '../tsvd/decompose.js';
import { decomposeConv } from '../tsvd/conv.js';
import { convWeightFromFactors } from '../tsvd/conv-forms.js';
import type { StepRecord } from '../tsvd/types.js';
import type { LayerJob } from './select.js';

export interface TsvdOptions {
  readonly tol: number;
  readonly cosThresh: number;
  readonly steps?: number;
  readonly maxRank?: number;
  readonly seed?: number;
}

export interface ConvGeometry {
  readonly form: number;
  readonly groups: number;
  readonly transposed: boolean;
  readonly pads: readonly number[];
  readonly outputPadding: readonly number[];
  readonly vStrides: readonly number[];
  readonly vDilations: readonly number[];
  readonly uStrides: readonly number[];
  readonly uDilations: readonly number[];
}

export interface LayerResult {
  readonly id: number;
  /** Matrix: U [m, r], V [r, n]. Conv: U [M, r, ku1, ku2], V [G r, C/G, kv1, kv2]. */
  readonly U: TernaryTensor;
  readonly s: Float64Array;
  readonly V: TernaryTensor;
  readonly rank: number;
  readonly error: number;
  readonly frobeniusError: number;
  readonly nnzU: number;
  readonly nnzV: number;
  readonly sparsity: number;
  readonly reachedMaxRank: boolean;
  readonly seconds: number;
  readonly conv?: ConvGeometry;
}

/** A layer the decomposition declined (a conv with 9 or fewer weights per group). */
export interface LayerDeclined {
  readonly id: number;
  readonly declined: string;
}

export type JobOutcome = LayerResult | LayerDeclined;

function frobeniusRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += a[i]! ** 2;
  }
  return den === 0 ? 0 : Math.sqrt(num / den);
}

/** Decomposes one layer. `onStep` sees each step of the (matrix) transition. */
export function runJob(job: LayerJob, o: TsvdOptions, onStep?: (rec: StepRecord) => void): JobOutcome {
  const t0 = performance.now();
  const dopts = {
    tol: o.tol, cosThresh: o.cosThresh, ...(o.steps ? { steps: o.steps } : {}), ...(o.maxRank ? { maxRank: o.maxRank } : {}),
    seed: o.seed ?? 0, ...(onStep ? { onStep } : {}),
  };
  if (job.kind === 'matrix') {
    const r = decompose({ rows: job.rows, cols: job.cols, data: job.data }, dopts);
    return {
      id: job.id, U: r.U, s: r.s, V: r.V, rank: r.rank, error: r.error, frobeniusError: r.frobeniusError,
      nnzU: r.nnzU, nnzV: r.nnzV, sparsity: r.sparsity, reachedMaxRank: r.reachedMaxRank, seconds: (performance.now() - t0) / 1000,
    };
  }
  const r = decomposeConv({ shape: job.shape, data: job.data }, job.spec, dopts);
  if (!r) return { id: job.id, declined: 'a conv with 9 or fewer weights per group stays dense' };
  const approx = convWeightFromFactors(r, r.groups);
  const entries = r.U.rows * r.U.cols + r.V.rows * r.V.cols;
  return {
    id: job.id, U: r.U, s: r.s, V: r.V, rank: r.stats.rank, error: r.stats.error,
    frobeniusError: frobeniusRelative(job.data, approx.data), nnzU: r.stats.nnzU, nnzV: r.stats.nnzV,
    sparsity: entries === 0 ? 1 : 1 - (r.stats.nnzU + r.stats.nnzV) / entries, reachedMaxRank: r.stats.reachedMaxRank,
    seconds: (performance.now() - t0) / 1000,
    conv: {
      form: r.form, groups: r.groups, transposed: r.transposed, pads: r.pads, outputPadding: r.outputPadding,
      vStrides: r.vStrides, vDilations: r.vDilations, uStrides: r.uStrides, uDilations: r.uDilations,
    },
  };
}
