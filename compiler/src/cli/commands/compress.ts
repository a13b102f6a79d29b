/**
 * `tsvdc compress model.onnx -o model.tsvd.onnx`: TSVD of every selected Gemm/MatMul/
 * Conv/ConvTranspose, written as plain ONNX (compress/rewrite.ts). Progress bars per
 * layer on a terminal, a per-layer table on stdout at the end, optional JSON report.
 * The output is checked (re-read and its TSVD layers re-imported) before it is
 * written, and written atomically: a failure leaves no output file.
 */
import type { Command } from 'commander';
import { TsvdcError } from '@tsvdc/ir';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { compressModel, DEFAULT_TSVD, type CompressedModel, type CompressOptions } from '../../compress/index.js';
import { layerProgress, type Progress } from '../../compress/progress.js';
import { readModel, readModelFile } from '../../onnx/read.js';
import { writeModel, writeOutputFile } from '../../onnx/write.js';
import { reportModel, type ModelReport } from '../../report/index.js';
import { formatCount, formatTable, formatTotals } from '../../report/table.js';
import { CLI_CODES } from '../codes.js';

interface CliOptions {
  output: string;
  tol: string;
  cosThresh: string;
  include?: string;
  exclude?: string;
  minParams: string;
  json?: string;
  jobs?: string;
  steps?: string;
  maxRank?: string;
  seed: string;
}

export function register(program: Command): void {
  program
    .command('compress <model>')
    .description('replace Gemm/MatMul/Conv/ConvTranspose layers by their ternary SVD, keeping a plain ONNX model')
    .requiredOption('-o, --output <file>', 'the compressed model (.onnx)')
    .option('--tol <x>', 'relative operator-norm error per layer', String(DEFAULT_TSVD.tol))
    .option('--cos-thresh <c>', 'cosine threshold of the ternary policy (<= 0: binary)', String(DEFAULT_TSVD.cosThresh))
    .option('--include <regex>', 'compress only layers whose node name matches')
    .option('--exclude <regex>', 'leave layers whose node name matches dense')
    .option('--min-params <n>', 'leave layers with fewer weights dense', '0')
    .option('--json <file>', 'write the per-layer report as JSON')
    .option('--jobs <n>', 'worker threads (0: run on the main thread; default: one per core)')
    .option('--steps <n>', 'TSVD steps (stride = floor(m n / (m + n) / steps))')
    .option('--max-rank <n>', 'never exceed this rank in a layer')
    .option('--seed <n>', 'seed of the random start vectors', '0')
    .action(async (model: string, opts: CliOptions) => {
      await runCompress(model, opts);
    });
}

function num(flag: string, text: string, ok: (x: number) => boolean): number {
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !ok(x)) throw new TsvdcError(CLI_CODES.badOption, `${flag}: invalid value '${text}'`);
  return x;
}

function regex(flag: string, text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text);
  } catch (e) {
    throw new TsvdcError(CLI_CODES.badOption, `${flag}: invalid regular expression '${text}' (${(e as Error).message})`);
  }
}

export function parseCompressOptions(opts: CliOptions): CompressOptions {
  const int = (x: number): boolean => Number.isInteger(x) && x >= 0;
  return {
    tol: num('--tol', opts.tol, (x) => x > 0 && x < 1),
    cosThresh: num('--cos-thresh', opts.cosThresh, (x) => x <= 1),
    ...(opts.include !== undefined ? { include: regex('--include', opts.include)! } : {}),
    ...(opts.exclude !== undefined ? { exclude: regex('--exclude', opts.exclude)! } : {}),
    minParams: num('--min-params', opts.minParams, int),
    seed: num('--seed', opts.seed, Number.isInteger),
    ...(opts.jobs !== undefined ? { jobs: num('--jobs', opts.jobs, int) } : {}),
    ...(opts.steps !== undefined ? { steps: num('--steps', opts.steps, (x) => Number.isInteger(x) && x >= 1) } : {}),
    ...(opts.maxRank !== undefined ? { maxRank: num('--max-rank', opts.maxRank, (x) => Number.isInteger(x) && x >= 1) } : {}),
  };
}

/**
 * Fails early (before the long part) when the output cannot be written: writes a probe
 * file (removed at once) in the output's folder, or in its nearest existing ancestor when
 * the folder is still to be made (that happens when the output is written, so a run that
 * fails leaves no empty folder behind). Permission bits alone do not tell (root passes
 * every access check), so this really writes.
 */
export function checkWritable(path: string): void {
  let dir = dirname(resolve(path));
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const probe = join(dir, `.${basename(path)}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe);
  } catch (e) {
    throw new TsvdcError(CLI_CODES.fileUnwritable, `cannot write the output (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { file: path });
  }
}

export async function runCompress(path: string, opts: CliOptions): Promise<{ result: CompressedModel; report: ModelReport }> {
  const options = parseCompressOptions(opts);
  checkWritable(opts.output);
  if (opts.json !== undefined) checkWritable(opts.json);
  const model = readModelFile(path);
  const t0 = performance.now();
  let progress: Progress | undefined;
  let result: CompressedModel;
  try {
    result = await compressModel(model, options, (sites) => {
      progress = layerProgress(sites.map((s) => s.name), options.tol);
      return progress ?? {};
    });
  } finally {
    progress?.stop();
  }
  const bytes = writeModel(result.proto, opts.output);
  // the output must read back and re-import its TSVD layers before it is written; the
  // layers an earlier run compressed are not in the input model: their stored errors stay
  const report = reportModel(readModel(bytes, { file: opts.output }), result.plan, new Set(result.layers.map((l) => l.node)));
  writeOutputFile(opts.output, bytes);
  const seconds = (performance.now() - t0) / 1000;
  // written after the model: a failure says that the model itself was written
  if (opts.json !== undefined) {
    writeOutputFile(opts.json, `${JSON.stringify(jsonReport(path, opts.output, options, result, report, seconds), null, 2)}\n`, {
      what: 'the JSON report', note: `the compressed model was written to ${opts.output}`,
    });
  }
  process.stdout.write(`${summary(result, report, seconds)}\n`);
  return { result, report };
}

function summary(result: CompressedModel, report: ModelReport, seconds: number): string {
  const time = new Map(result.layers.map((l, i) => [l.node, result.seconds[i]!]));
  const rows = report.layers.map((r) => [
    r.name, r.op, `[${r.shape.join('x')}]`, r.rank !== undefined ? String(r.rank) : 'dense',
    r.error !== undefined ? r.error.toFixed(4) : '', r.nnzU !== undefined ? formatCount(r.nnzU) : '',
    r.nnzV !== undefined ? formatCount(r.nnzV) : '', r.sparsity !== undefined ? `${(100 * r.sparsity).toFixed(1)}%` : '',
    formatCount(r.muls), formatCount(r.adds), time.has(r.name) ? `${time.get(r.name)!.toFixed(1)}s` : '',
  ]);
  const headers = ['layer', 'op', 'weight', 'rank', 'rel. error', 'nnz(U)', 'nnz(V)', 'sparsity', 'x', '+', 'time'];
  const parts = [
    `compressed ${result.layers.length} layer${result.layers.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s -> ${report.file}`,
    formatTable(headers, rows, 3),
    formatTotals(report),
  ];
  if (result.skipped.length > 0) parts.push(`left dense:\n${result.skipped.map((s) => `  ${s.node} (${s.op}): ${s.reason}`).join('\n')}`);
  const earlier = report.errorSource === 'mixed' || report.errorSource === 'stored' ? ' (layers without a time were compressed by an earlier run: their stored error)' : '';
  parts.push(`rel. error: relative operator-norm error recomputed from the written factors against the input model${earlier}`);
  return parts.join('\n\n');
}

function jsonReport(input: string, output: string, o: CompressOptions, result: CompressedModel, report: ModelReport, seconds: number): unknown {
  const time = new Map(result.layers.map((l, i) => [l.node, result.seconds[i]!]));
  return {
    input, output, seconds,
    options: { tol: o.tol, cosThresh: o.cosThresh, include: o.include?.source ?? null, exclude: o.exclude?.source ?? null, minParams: o.minParams, seed: o.seed, steps: o.steps ?? null, maxRank: o.maxRank ?? null },
    layers: report.layers.map((r) => ({ ...r, seconds: time.get(r.name) ?? null, meta: result.layers.find((l) => l.node === r.name) ?? null })),
    skipped: result.skipped,
    totals: report.totals,
    errorSource: report.errorSource,
  };
}
