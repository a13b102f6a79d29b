/** The public types of the TSVD transition (re-exported from the package index). */
import type { TernaryTensor } from '@tsvdc/ir';

/** A dense real matrix, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** A ternary factorization A ~= U diag(s) V. */
export interface Factors {
  /** [m, r], entries in {-1, 0, 1}. */
  U: TernaryTensor;
  /** [r] real scales. */
  s: Float64Array;
  /** [r, n], entries in {-1, 0, 1}. */
  V: TernaryTensor;
}

/** What one step of the transition reached (after adding its components and refitting). */
export interface StepRecord {
  rank: number;
  /** Relative operator-norm error ||A - U diag(s) V||_2 / ||A||_2 (block-iteration estimate; the last record is the converged check). */
  error: number;
  /** Relative Frobenius error ||A - U diag(s) V||_F / ||A||_F. */
  frobeniusError: number;
  /** Fraction of zeros in U and V together. */
  sparsity: number;
  /** Seconds since decompose started. */
  seconds: number;
}

export interface DecomposeOptions {
  /** Stop when the relative operator-norm error is below this (default 0.01). */
  tol?: number;
  /** Cosine threshold of the ternary policy (default 0.8386; <= 0 gives the binary policy). */
  cosThresh?: number;
  /** The stride is max(1, floor(m n / (m + n) / steps)) components per step (default 20). */
  steps?: number;
  /** Never exceed this rank; the last step is shortened to land on it exactly. */
  maxRank?: number;
  /** Seed of the random start vectors (default 0). Same seed, same result. */
  seed?: number;
  /** Start from these components (original orientation); their scales are refitted. */
  warmStart?: Factors;
  /** Called after every step. */
  onStep?: (rec: StepRecord) => void;
  /** Block Krylov solver: vectors per block beyond the stride k (default 0). */
  oversample?: number;
  /** Block Krylov levels per step: a space of levels + 1 blocks from 2 levels + 1 block products (default 6). */
  krylovLevels?: number;
  /** Beyond the paper: alternating refinement passes on each step's new components (default 2; 0 is the paper's algorithm; see refine.ts). */
  refine?: number;
}

export interface DecomposeResult extends Factors {
  steps: StepRecord[];
  rank: number;
  /** Relative operator-norm error, from a converged Lanczos check (residual <= 1e-6 relative). */
  error: number;
  frobeniusError: number;
  sparsity: number;
  nnzU: number;
  nnzV: number;
  /** True when the loop stopped at maxRank with error still >= tol. */
  reachedMaxRank: boolean;
}
