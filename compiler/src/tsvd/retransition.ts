/**
 * The training transition of TSVD.md ("QAT-like"), one layer, one optimizer step.
 *
 * Training keeps the dense weight W (what the forward pass uses) and a residual:
 * the latent weight is L = W + residual. After the optimizer has moved W:
 *  1. s is refitted for the current U, V against L (joint least squares);
 *  2. importance of component i: |s_i| sqrt(nnz(u_i) nnz(v_i)), which is the
 *     Frobenius norm of s_i u_i v_i^T; importance of what is missing: the same for
 *     the top ternary component of R = L - U diag(s) V (top singular pair of R,
 *     ternarized by the policy, with its least-squares scale tu^T R tv / (nnz nnz));
 *  3. if every importance is >= pruneRate * missing, only s changes; otherwise the
 *     components with importance >= pruneRate * missing are kept (their count
 *     rounded down to a multiple of the stride, the most important first) and the
 *     direct transition of L is re-run warm-started from them;
 *  4. W' = U diag(s) V is written back, and the residual becomes L - W' (that is,
 *     the old residual plus what the write-back changed), so L is conserved.
 * A layer with no components yet (rank 0) is re-decomposed whenever L has a
 * non-zero ternary component (the "every component" test is vacuous there).
 */
import { invariant, ternaryRowTerms, ternaryTranspose, type TernaryTensor } from '@tsvdc/ir';
import { denseOperator } from '../linalg/operator.js';
import { BlockSvd } from '../linalg/topk.js';
import { decompose } from './decompose.js';
import { refitScales } from './refit.js';
import { ternaryPolicy } from './policy.js';
import type { DecomposeResult, Factors, Matrix } from './types.js';

export interface RetransitionOptions {
  /** Tolerance of the re-decomposition (default 0.01). */
  readonly tol?: number;
  readonly cosThresh?: number;
  readonly steps?: number;
  readonly maxRank?: number;
  readonly seed?: number;
  /** Components less important than pruneRate x the missing one trigger a re-decomposition (default 1). */
  readonly pruneRate?: number;
}

export interface RetransitionResult {
  readonly factors: Factors;
  /** U diag(s) V, row-major m x n: the new dense weight. */
  readonly W: Float64Array;
  /** (W_in + residual_in) - W. */
  readonly residual: Float64Array;
  /** Whether components were dropped and the transition re-run. */
  readonly pruned: boolean;
  /** The scales of the previous U, V refitted against the latent weight (step 1). */
  readonly refit: Float64Array;
  /** Importance of each previous component with the refitted scales. */
  readonly importance: Float64Array;
  readonly missingImportance: number;
  /** How many previous components the re-decomposition started from (rank when not pruned). */
  readonly kept: number;
  /** Components per step of the direct transition for this shape. */
  readonly stride: number;
  /** The re-decomposition, when there was one. */
  readonly decomposition?: DecomposeResult;
}

/** max(1, floor(m n / (m + n) / steps)), TSVD.md step 2. */
export function transitionStride(m: number, n: number, steps = 20): number {
  return Math.max(1, Math.floor((m * n) / (m + n) / steps));
}

/** One training-transition step for one layer (see the file header). */
export function retransition(W: Matrix, previous: Factors & { residual?: Float64Array }, options: RetransitionOptions = {}): RetransitionResult {
  const { rows: m, cols: n } = W;
  const { U, V } = previous;
  invariant(U.rows === m && V.cols === n && U.cols === V.rows, `retransition: U [${U.shape}], V [${V.shape}] do not factor ${m}x${n}`);
  invariant(!previous.residual || previous.residual.length === m * n, 'retransition: residual has the wrong length');
  const latent = Float64Array.from(W.data);
  if (previous.residual) for (let i = 0; i < latent.length; i++) latent[i]! += previous.residual[i]!;
  const L: Matrix = { rows: m, cols: n, data: latent };
  const s = refitScales(L, U, V);
  const approx = reconstruct(U, s, V);
  const importance = componentImportance(U, s, V);
  const R = new Float64Array(m * n);
  for (let i = 0; i < R.length; i++) R[i] = latent[i]! - approx[i]!;
  const missing = missingImportance(R, m, n, options.cosThresh ?? 0.8386, options.seed ?? 0);
  const stride = transitionStride(m, n, options.steps ?? 20);
  const threshold = (options.pruneRate ?? 1) * missing;
  const r = s.length;
  let strong = 0;
  for (const x of importance) if (x >= threshold) strong++;
  const needs = r === 0 ? missing > 0 : strong < r;
  const base = { refit: s, importance, missingImportance: missing, stride };
  if (!needs) return { ...base, factors: { U, s, V }, W: approx, residual: R, pruned: false, kept: r };
  const kept = Math.floor(strong / stride) * stride;
  const warm = kept > 0 ? selectComponents(U, s, V, mostImportant(importance, kept)) : undefined;
  const { tol = 0.01, cosThresh, steps, maxRank, seed } = options;
  const d = decompose(L, { tol, cosThresh, steps, maxRank, seed, ...(warm ? { warmStart: warm } : {}) });
  const next = reconstruct(d.U, d.s, d.V);
  const residual = new Float64Array(m * n);
  for (let i = 0; i < residual.length; i++) residual[i] = latent[i]! - next[i]!;
  return { ...base, factors: { U: d.U, s: d.s, V: d.V }, W: next, residual, pruned: true, kept, decomposition: d };
}

/** Dense U diag(s) V (m x n). */
export function reconstruct(U: TernaryTensor, s: ArrayLike<number>, V: TernaryTensor): Float64Array {
  const m = U.rows;
  const n = V.cols;
  const out = new Float64Array(m * n);
  const Ut = ternaryTranspose(U);
  for (let i = 0; i < s.length; i++) {
    const si = s[i]!;
    if (si === 0) continue;
    const u = ternaryRowTerms(Ut, i);
    const v = ternaryRowTerms(V, i);
    for (const [rowsOf, su] of [[u.plus, si], [u.minus, -si]] as const) {
      for (const p of rowsOf) {
        const o = p * n;
        for (const q of v.plus) out[o + q]! += su;
        for (const q of v.minus) out[o + q]! -= su;
      }
    }
  }
  return out;
}

/** |s_i| sqrt(nnz(u_i) nnz(v_i)) per component. */
export function componentImportance(U: TernaryTensor, s: ArrayLike<number>, V: TernaryTensor): Float64Array {
  const nnzU = new Float64Array(s.length);
  for (let p = 0; p < U.rows; p++) {
    const { plus, minus } = ternaryRowTerms(U, p);
    for (const i of plus) nnzU[i]!++;
    for (const i of minus) nnzU[i]!++;
  }
  return Float64Array.from(s, (si, i) => {
    const { plus, minus } = ternaryRowTerms(V, i);
    return Math.abs(si) * Math.sqrt(nnzU[i]! * (plus.length + minus.length));
  });
}

/** Importance of the top ternary component of R (m x n, row-major). */
export function missingImportance(R: Float64Array, m: number, n: number, cosThresh: number, seed: number): number {
  if (m === 0 || n === 0) return 0;
  const top = new BlockSvd(m, n, 4, seed).top(denseOperator(R, m, n), 1, { tol: 1e-3, maxIter: 60 });
  if (!(top.sigma[0]! > 0)) return 0;
  const tu = ternaryPolicy(top.u.subarray(0, m), cosThresh);
  const tv = ternaryPolicy(top.v.subarray(0, n), cosThresh);
  let bilinear = 0;
  let nu = 0;
  let nv = 0;
  for (let q = 0; q < n; q++) if (tv[q] !== 0) nv++;
  for (let p = 0; p < m; p++) {
    if (tu[p] === 0) continue;
    nu++;
    let acc = 0;
    for (let q = 0; q < n; q++) if (tv[q] !== 0) acc += tv[q]! * R[p * n + q]!;
    bilinear += tu[p]! * acc;
  }
  return nu && nv ? Math.abs(bilinear) / Math.sqrt(nu * nv) : 0;
}

/** Indices of the k largest importances, in ascending index order (ties: lower index). */
function mostImportant(importance: Float64Array, k: number): number[] {
  const order = Array.from(importance.keys()).sort((a, b) => importance[b]! - importance[a]! || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

/** The chosen components as factors (U columns / V rows / scales). */
function selectComponents(U: TernaryTensor, s: Float64Array, V: TernaryTensor, idx: readonly number[]): Factors {
  const Ut = ternaryTranspose(U);
  const pick = (t: TernaryTensor): TernaryTensor => {
    const data = new Uint32Array(idx.length * t.wordsPerRow);
    idx.forEach((i, k) => data.set(t.data.subarray(i * t.wordsPerRow, (i + 1) * t.wordsPerRow), k * t.wordsPerRow));
    return { ...t, shape: [idx.length, t.cols], rows: idx.length, data };
  };
  return { U: ternaryTranspose(pick(Ut)), s: Float64Array.from(idx, (i) => s[i]!), V: pick(V) };
}
