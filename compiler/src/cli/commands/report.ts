/**
 * `tsvdc report model.onnx [--original model.onnx] [--json]`: per-layer rank, error,
 * non-zeros and operation counts, and the totals in the paper's table form. Works on
 * dense models (dense counts) and on compressed ones. Errors of compressed layers come
 * from the metadata compress stored, or are recomputed when --original is given.
 */
import type { Command } from 'commander';
import { readModelFile } from '../../onnx/read.js';
import { reportModel, type ModelReport } from '../../report/index.js';
import { formatReport } from '../../report/table.js';

interface CliOptions {
  original?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('report <model>')
    .description('per-layer rank, error, non-zeros, multiplications and additions, with paper-style totals')
    .option('--original <model>', 'recompute each compressed layer\'s error against this (uncompressed) model')
    .option('--json', 'print the report as JSON')
    .action((model: string, opts: CliOptions) => {
      runReport(model, opts);
    });
}

export function runReport(path: string, opts: CliOptions): ModelReport {
  const model = readModelFile(path);
  const original = opts.original !== undefined ? readModelFile(opts.original) : undefined;
  const rep = reportModel(model, original);
  process.stdout.write(opts.json ? `${JSON.stringify(rep, null, 2)}\n` : `${formatReport(rep)}\n`);
  return rep;
}
