/**
 * The direct transition of TSVD.md: A ~= U diag(s) V with ternary U, V, built k
 * components per step from the top-k singular triplets of the residual, with a
 * joint least-squares refit of every scale after each step.
 *
 * Speed comes from never forming the residual (products R x = A x - U (s * (V x))),
 * a warm-started block iteration for the triplets, an integer Gram matrix and a
 * growing Cholesky factor for the refit (see ../linalg/). Deterministic for a seed.
 */
import { ternaryNnz, TsvdcError } from '@tsvdc/ir';
import { sigmaMax } from '../linalg/lanczos.js';
import { BlockSvd, type Triplets } from '../linalg/topk.js';
import { TSVD_CODES } from './codes.js';
import { checkFactorShapes, packFactors, unpackFactors } from './factors.js';
import { orientation } from './orientation.js';
import { ternaryPolicy } from './policy.js';
import { refineComponents } from './refine.js';
import { TransitionState } from './state.js';
import type { DecomposeOptions, DecomposeResult, Matrix, StepRecord } from './types.js';

/** Relative residual of the final operator-norm check (Golub-Kahan-Lanczos). */
export const ERROR_CHECK_TOL = 1e-6;

interface Settings {
  tol: number;
  cosThresh: number;
  steps: number;
  maxRank: number;
  seed: number;
  krylovLevels: number;
  oversample: number | undefined;
  refine: number;
}

/** Decomposes A (rows x cols) into ternary U [rows, r], scales s [r], ternary V [r, cols]. */
export function decompose(A: Matrix, options: DecomposeOptions = {}): DecomposeResult {
  const set = settings(options);
  checkMatrix(A);
  const t0 = performance.now();
  const { transposed, W, m, n } = orientation(A);
  const state = new TransitionState(W, m, n);
  const k = Math.max(1, Math.floor((m * n) / (m + n) / set.steps));
  const records: StepRecord[] = [];
  // sigma_1(A): the residual operator before any component is A itself
  const sigmaRef = m * n === 0 ? 0 : sigmaMax(state.residualOperator(), { tol: 1e-10, seed: set.seed, maxIter: 500 }).sigma;
  const record = (error: number): StepRecord => {
    const rec = stepRecord(state, error, (performance.now() - t0) / 1000);
    records.push(rec);
    options.onStep?.(rec);
    return rec;
  };
  if (options.warmStart) {
    const { U, V } = options.warmStart;
    checkFactorShapes(U, V, A.rows, A.cols, 'warmStart', TSVD_CODES.badWarmStart);
    const { us, vs } = unpackFactors(options.warmStart, transposed);
    state.add(us, vs);
  }
  let error = 0;
  let reachedMaxRank = false;
  if (sigmaRef > 0) {
    const out = loop(state, set, k, sigmaRef, record, state.rank > 0);
    error = out.error;
    reachedMaxRank = out.reachedMaxRank;
    if (records.length > 0) {
      const last = records[records.length - 1]!;
      if (last.rank === state.rank) last.error = error;
    }
  }
  return result(state, transposed, records, error, reachedMaxRank);
}

function loop(
  state: TransitionState, set: Settings, k: number, sigmaRef: number,
  record: (error: number) => StepRecord, recordFirst: boolean,
): { error: number; reachedMaxRank: boolean } {
  const { m, n } = state;
  const block = Math.min(m, k + (set.oversample ?? 0));
  const solver = new BlockSvd(m, n, block, set.seed);
  const op = state.residualOperator();
  let rec: StepRecord | undefined;
  for (let first = true; ; first = false) {
    const want = Math.min(k, set.maxRank - state.rank);
    const trip = solver.top(op, Math.max(1, want), set.krylovLevels);
    let error = trip.sigma[0]! / sigmaRef;
    if (!first || recordFirst) rec = record(error);
    if (error < set.tol) {
      // the block estimate is a lower bound: confirm before stopping
      error = checkError(state, set, sigmaRef, trip);
      if (rec) rec.error = error;
      if (error < set.tol) return { error, reachedMaxRank: false };
    }
    if (want <= 0) return { error: checkError(state, set, sigmaRef, trip), reachedMaxRank: true };
    const us: Int8Array[] = [];
    const vs: Int8Array[] = [];
    for (let c = 0; c < Math.min(want, trip.sigma.length); c++) {
      // A triplet 100x below tol is no component worth a ternary pair: on an exactly
      // low-rank residual a wide step would otherwise add the directions of the refit's
      // damping (~1e-5 relative) and the solver's noise (~1e-8). The top triplet is
      // always taken, even when the block estimate undershoots a residual that
      // checkError found >= tol: every step adds at least one component.
      if (c > 0 && !(trip.sigma[c]! > (set.tol / 100) * sigmaRef)) break;
      us.push(ternaryPolicy(trip.u.subarray(c * m, (c + 1) * m), set.cosThresh));
      vs.push(ternaryPolicy(trip.v.subarray(c * n, (c + 1) * n), set.cosThresh));
    }
    refineComponents(op, us, vs, set.refine, set.cosThresh);
    state.add(us, vs);
  }
}

function checkError(state: TransitionState, set: Settings, sigmaRef: number, trip: Triplets): number {
  const start = trip.v.subarray(0, state.n);
  const est = sigmaMax(state.residualOperator(), { tol: ERROR_CHECK_TOL, seed: set.seed + 1, start, maxIter: 1000 });
  return Math.max(est.sigma, trip.sigma[0]!) / sigmaRef;
}

function stepRecord(state: TransitionState, error: number, seconds: number): StepRecord {
  const rank = state.rank;
  const entries = rank * (state.m + state.n);
  const nnz = state.comps.nnzU + state.comps.nnzV;
  const frobeniusError = state.normF2 > 0 ? Math.sqrt(state.residualFrobenius2() / state.normF2) : 0;
  return { rank, error, frobeniusError, sparsity: entries > 0 ? 1 - nnz / entries : 0, seconds };
}

function result(state: TransitionState, transposed: boolean, steps: StepRecord[], error: number, reachedMaxRank: boolean): DecomposeResult {
  const { U, V } = packFactors(state.comps, transposed);
  const nnzU = ternaryNnz(U);
  const nnzV = ternaryNnz(V);
  const rank = state.rank;
  const entries = rank * (state.m + state.n);
  const frobeniusError = state.normF2 > 0 ? Math.sqrt(state.residualFrobenius2() / state.normF2) : 0;
  return {
    U, s: Float64Array.from(state.s), V, steps, rank, error, frobeniusError,
    sparsity: entries > 0 ? 1 - (nnzU + nnzV) / entries : 0, nnzU, nnzV, reachedMaxRank,
  };
}

function settings(o: DecomposeOptions): Settings {
  const bad = (what: string): never => {
    throw new TsvdcError(TSVD_CODES.badOption, `decompose: ${what}`);
  };
  const tol = o.tol ?? 0.01;
  if (!(tol > 0) || !Number.isFinite(tol)) bad(`tol must be a positive number, got ${tol}`);
  const cosThresh = o.cosThresh ?? 0.8386;
  if (!Number.isFinite(cosThresh)) bad(`cosThresh must be finite, got ${cosThresh}`);
  const steps = o.steps ?? 20;
  if (!Number.isInteger(steps) || steps < 1) bad(`steps must be an integer >= 1, got ${steps}`);
  const maxRank = o.maxRank ?? Infinity;
  if (!(maxRank >= 0) || (maxRank !== Infinity && !Number.isInteger(maxRank))) bad(`maxRank must be an integer >= 0, got ${maxRank}`);
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) bad(`seed must be an integer, got ${seed}`);
  return {
    tol, cosThresh, steps, maxRank, seed,
    krylovLevels: o.krylovLevels ?? 6, oversample: o.oversample, refine: o.refine ?? 2,
  };
}

function checkMatrix(A: Matrix): void {
  if (!Number.isInteger(A.rows) || !Number.isInteger(A.cols) || A.rows < 0 || A.cols < 0 || A.data.length !== A.rows * A.cols) {
    throw new TsvdcError(TSVD_CODES.badShape, `decompose: matrix ${A.rows}x${A.cols} has ${A.data.length} values`);
  }
  for (let p = 0; p < A.data.length; p++) {
    if (!Number.isFinite(A.data[p]!)) {
      throw new TsvdcError(TSVD_CODES.nonFinite,
        `decompose: matrix entry (${Math.floor(p / A.cols)}, ${p % A.cols}) is ${A.data[p]}`);
    }
  }
}
