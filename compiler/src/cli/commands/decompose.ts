/**
 * `tsvdc decompose matrix.npy -o factors.npz [--json stats.json]`: the TSVD of one
 * matrix, the entry point for researchers. Writes U (int8 [m, r]), s (float64 [r])
 * and V (int8 [r, n]) as members of an .npz, and the statistics as JSON; shows a
 * progress bar on a terminal and is silent otherwise.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { TsvdcError, ternaryToInt8 } from '@tsvdc/ir';
import { writeFileAtomic } from '../../io/atomic.js';
import { readMatrixNpy, writeNpz } from '../../npy/index.js';
import { decompose } from '../../tsvd/decompose.js';
import { factorCost } from '../../tsvd/factors.js';
import type { DecomposeOptions, DecomposeResult, StepRecord } from '../../tsvd/types.js';
import { CLI_CODES } from '../codes.js';

interface CliOptions {
  output: string;
  json?: string;
  tol: string;
  cosThresh: string;
  steps: string;
  maxRank?: string;
  seed: string;
  refine: string;
}

export function register(program: Command): void {
  program
    .command('decompose <matrix>')
    .description('ternary SVD of a 2-D float32/float64 .npy matrix: A ~= U diag(s) V with U, V in {-1, 0, 1}')
    .requiredOption('-o, --output <file>', 'output .npz with U.npy (int8 [m, r]), s.npy (float64 [r]), V.npy (int8 [r, n])')
    .option('--json <file>', 'write statistics (rank, error, frobeniusError, sparsity, nnzU, nnzV, muls, adds, seconds)')
    .option('--tol <x>', 'relative operator-norm error to reach', '0.01')
    .option('--cos-thresh <c>', 'cosine threshold of the ternary policy (<= 0: binary)', '0.8386')
    .option('--steps <n>', 'stride = floor(m n / (m + n) / steps) components per step', '20')
    .option('--max-rank <n>', 'never exceed this rank')
    .option('--seed <n>', 'seed of the random start vectors', '0')
    .option('--refine <n>', 'alternating refinement passes per step (beyond the paper; 0 = the paper\'s algorithm)', '2')
    .action((matrix: string, opts: CliOptions) => {
      runDecompose(matrix, opts);
    });
}

export function runDecompose(path: string, opts: CliOptions): DecomposeResult {
  const options: DecomposeOptions = {
    tol: number('--tol', opts.tol, (x) => x > 0),
    cosThresh: number('--cos-thresh', opts.cosThresh, () => true),
    steps: number('--steps', opts.steps, (x) => Number.isInteger(x) && x >= 1),
    seed: number('--seed', opts.seed, Number.isInteger),
    refine: number('--refine', opts.refine, (x) => Number.isInteger(x) && x >= 0),
  };
  if (opts.maxRank !== undefined) options.maxRank = number('--max-rank', opts.maxRank, (x) => Number.isInteger(x) && x >= 0);
  const A = readMatrixNpy(path);
  const bar = process.stderr.isTTY ? progressBar(options.tol!) : undefined;
  if (bar) options.onStep = bar.update;
  const t0 = performance.now();
  let res: DecomposeResult;
  try {
    res = decompose(A, options);
  } finally {
    bar?.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  writeNpz(opts.output, [
    ['U', { dtype: 'i1', shape: [A.rows, res.rank], data: ternaryToInt8(res.U) }],
    ['s', { dtype: 'f8', shape: [res.rank], data: res.s }],
    ['V', { dtype: 'i1', shape: [res.rank, A.cols], data: ternaryToInt8(res.V) }],
  ]);
  if (opts.json !== undefined) writeFileAtomic(opts.json, `${JSON.stringify(stats(res, A.rows, A.cols, options, seconds), null, 2)}\n`);
  return res;
}

/** The JSON statistics of a decomposition. */
export function stats(res: DecomposeResult, rows: number, cols: number, options: DecomposeOptions, seconds: number): Record<string, unknown> {
  const { muls, adds } = factorCost(res);
  return {
    rows, cols, rank: res.rank, error: res.error, frobeniusError: res.frobeniusError, sparsity: res.sparsity,
    nnzU: res.nnzU, nnzV: res.nnzV, muls, adds, seconds, reachedMaxRank: res.reachedMaxRank,
    tol: options.tol, cosThresh: options.cosThresh, steps: options.steps, seed: options.seed, maxRank: options.maxRank ?? null,
    refine: options.refine ?? 2,
  };
}

function number(flag: string, text: string, ok: (x: number) => boolean): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !ok(x)) {
    throw new TsvdcError(CLI_CODES.badOption, `${flag}: invalid value '${text}'`);
  }
  return x;
}

/** Progress as the error falls from 1 to tol on a log scale. */
function progressBar(tol: number): { update: (r: StepRecord) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { format: 'decompose [{bar}] rank {rank}  error {error}  {duration_formatted}', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { rank: 0, error: '1' });
  return {
    update: (r) => {
      const done = Math.min(1, Math.max(0, Math.log(Math.max(r.error, 1e-300)) / Math.log(tol)));
      bar.update(Math.round(1000 * done), { rank: r.rank, error: r.error.toPrecision(3) });
    },
    stop: () => bar.stop(),
  };
}
