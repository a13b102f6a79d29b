/**
 * `tsvdc compile MODEL --target ir -o out/`: runs the pass pipeline (pipeline.ts) on a
 * compressed ONNX model (or an IR text file), hands the result to the target, and
 * prints a per-layer report of additions before and after sharing, depths and widths.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { formatStatsTable, moduleStats, parseModule, printModule, TsvdcError, type Module } from '@tsvdc/ir';
import { importOnnx } from '../../onnx/import/index.js';
import { readModelFile } from '../../onnx/read.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { calibrationBatches } from '../../passes/quant/calibration-data.js';
import { clippingByLayer, formatQuantReport } from '../../passes/report/quant-report.js';
import { formatTreeReport, requantSummary, treeReport } from '../../passes/report/tree-report.js';
import { checkPassName, getTarget, passNames, runPipeline, targetNames, writeIr, type Mode, type PassRun, type PipelineOptions } from '../../pipeline.js';
import { CLI_CODES } from '../codes.js';

interface CliOptions {
  target: string;
  out: string;
  mode: string;
  printAfter: string[];
  stopAfter?: string;
  emitIr?: boolean;
  verifyEach?: boolean;
  calib: string;
  calibData?: string;
  calibNorm?: string;
  calibMethod: string;
  percentile?: string;
  bits: string;
  midBits?: string;
  weightBits: string;
  scaleBits?: string;
  csd: string;
  slack: string;
  tree: string;
  json?: string;
  stats?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function register(program: Command): void {
  program
    .command('compile <model>')
    .description('lower a compressed model (.onnx or .tir) through the passes and write a target')
    .option('--target <name>', `what to write (${targetNames().join(', ')})`, 'ir')
    .option('-o, --out <dir>', 'output directory', 'out')
    .option('--mode <mode>', 'int (quantized integer program) or float (add trees on floats)', 'int')
    .option('--print-after <pass>', `print the IR after a pass ("all": every pass); passes: ${passNames().join(', ')}`, collect, [])
    .option('--stop-after <pass>', 'stop the pipeline after this pass')
    .option('--emit-ir', 'also write the IR text next to the target output')
    .option('--verify-each', 'verify the module after every pass')
    .option('--calib <n>', 'calibration samples (int mode)', '256')
    .option('--calib-data <path>', '.npy samples [N, ...] or an MNIST-layout directory (default: random inputs in [-1, 1])')
    .option('--calib-norm <mean,std>', 'normalise dataset images: (x - mean) / std')
    .option('--calib-method <m>', 'minmax or percentile', 'minmax')
    .option('--percentile <p>', 'percentile of magnitudes for --calib-method percentile', '99.99')
    .option('--bits <n>', 'activation width', '8')
    .option('--mid-bits <n>', 'width of the scaled TSVD components between V and U (default: --bits + 4)')
    .option('--weight-bits <n>', 'width of the weights of dense layers TSVD left alone', '8')
    .option('--scale-bits <n>', 'width of requant multipliers', '16')
    .option('--csd <digits>', 'requant multipliers with at most this many CSD digits, for shift-add hardware (0: off)', '0')
    .option('--slack <n>', 'rows may be this many levels deeper than ceil(log2 fan-in) ("inf": no bound)', '1')
    .option('--tree <shape>', 'naive trees at lowering: balanced or chain', 'balanced')
    .option('--json <path>', 'also write the report as JSON')
    .option('--stats', 'also print the module statistics table')
    .action((model: string, opts: CliOptions) => {
      runCompile(model, opts);
    });
}

function int(name: string, v: string, min = 0): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new TsvdcError(CLI_CODES.badOption, `${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function loadModule(path: string): Module {
  if (path.endsWith('.tir')) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new TsvdcError(CLI_CODES.fileUnreadable, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path });
    }
    return parseModule(text, path);
  }
  return importOnnx(readModelFile(path));
}

function modeOf(o: CliOptions): Mode {
  if (o.mode !== 'int' && o.mode !== 'float') throw new TsvdcError(CLI_CODES.badOption, `--mode must be int or float, got ${JSON.stringify(o.mode)}`);
  return o.mode;
}

function pipelineOptions(m: Module, o: CliOptions, mode: Mode): { options: PipelineOptions; calibration?: string } {
  if (o.tree !== 'balanced' && o.tree !== 'chain') throw new TsvdcError(CLI_CODES.badOption, `--tree must be balanced or chain, got ${JSON.stringify(o.tree)}`);
  if (o.calibMethod !== 'minmax' && o.calibMethod !== 'percentile') throw new TsvdcError(CLI_CODES.badOption, `--calib-method must be minmax or percentile, got ${JSON.stringify(o.calibMethod)}`);
  const slack = o.slack === 'inf' ? Infinity : int('--slack', o.slack);
  const base: PipelineOptions = { mode, tree: o.tree, slack };
  if (mode === 'float') return { options: base };
  const norm = o.calibNorm?.split(',').map(Number);
  if (norm && (norm.length !== 2 || norm.some((x) => !Number.isFinite(x)) || norm[1] === 0)) {
    throw new TsvdcError(CLI_CODES.badOption, `--calib-norm must be MEAN,STD with STD != 0, got ${JSON.stringify(o.calibNorm)}`);
  }
  const cal = calibrationBatches(m, { count: int('--calib', o.calib, 1), ...(o.calibData ? { path: o.calibData } : {}), ...(norm ? { norm: [norm[0]!, norm[1]!] as const } : {}) });
  const percentile = Number(o.percentile);
  return {
    options: {
      ...base, calibration: cal.data, bits: int('--bits', o.bits, 2), scaleBits: int('--scale-bits', o.scaleBits ?? '16', 2),
      weightBits: int('--weight-bits', o.weightBits, 2),
      csdDigits: int('--csd', o.csd), method: o.calibMethod as 'minmax' | 'percentile', percentile,
      ...(o.midBits !== undefined ? { midBits: int('--mid-bits', o.midBits, 2) } : {}),
    },
    calibration: cal.description,
  };
}

/** Runs the command; returns the final module (tests call this in-process). */
export function runCompile(path: string, o: CliOptions): Module {
  const target = getTarget(o.target);
  const mode = modeOf(o);
  const prints = new Set(o.printAfter.flatMap((p) => (p === 'all' ? passNames(mode) : [checkPassName(p, '--print-after', mode)])));
  if (o.stopAfter !== undefined) checkPassName(o.stopAfter, '--stop-after', mode);
  const input = loadModule(path);
  const { options, calibration } = pipelineOptions(input, o, mode);
  const tty = process.stderr.isTTY === true;
  const { module, runs, state } = runPipeline(input, options, {
    ...(o.stopAfter !== undefined ? { stopAfter: o.stopAfter } : {}),
    verifyEach: o.verifyEach === true,
    afterPass: (r: PassRun) => {
      if (tty) process.stderr.write(`tsvdc: ${r.pass} ${r.ms.toFixed(0)} ms\n`);
      if (prints.has(r.pass)) process.stdout.write(`// ---- IR after ${r.pass} ----\n${printModule(r.module)}\n`);
    },
  });
  const base = basename(path).replace(/\.(onnx|tir)$/, '');
  const files = target.emit(module, { dir: o.out, base });
  if (o.emitIr && target.name !== 'ir') files.push(...writeIr(module, { dir: o.out, base }));
  const rows = treeReport(runs.map((r) => [r.pass, r.module] as const));
  const lines = [
    `${path}: ${module.stage} module, mode ${options.mode}${calibration ? `, calibrated on ${calibration}` : ''}`,
    ...(input.nodes.some((n) => n.op === 'tlinear' || n.op === 'tconv2d')
      ? [] : ['note: the model has no TSVD layers, so there are no add trees; compress it first (tsvdc compress)']),
    '',
    formatTreeReport(rows, 'lower-ternary-to-add-trees', 'add-tree-cse', 'add-tree-balance'),
    '',
    `passes: ${runs.map((r) => `${r.pass} ${r.ms.toFixed(0)} ms`).join(', ')}`,
  ];
  if (state.bound) {
    const rq = requantSummary(module);
    lines.push(`requant multipliers: ${rq.multipliers}, at most ${rq.maxDigits} non-zero CSD digits each (shift-add: ${Math.max(0, rq.maxDigits - 1)} adders per multiplier)`);
    lines.push(...formatQuantReport(state.bound));
  }
  if (o.stats) lines.push('', formatStatsTable(moduleStats(module)));
  lines.push(`wrote ${files.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (o.json) {
    const bound = state.bound ? Object.fromEntries([...state.bound.outputs].map(([k, v]) => [k, Array.from(v)])) : undefined;
    const clipping = state.bound ? clippingByLayer(state.bound) : undefined;
    writeFileAtomic(o.json, `${JSON.stringify({ model: path, mode: options.mode, passes: runs.map((r) => ({ pass: r.pass, ms: r.ms })), trees: rows, bound, clipping }, null, 2)}\n`);
  }
  return module;
}
