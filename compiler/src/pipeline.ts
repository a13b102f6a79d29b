/**
 * The compile pipeline: a flat list of passes from the TSVD graph IR to the sized
 * integer add-tree program, read top to bottom like a table of contents, and the
 * registry of targets that print the result (`ir` here; wasm, wgsl and verilog
 * register themselves from backends/).
 */
import { assertValid, printModule, TsvdcError, type Module, type Stage } from '@tsvdc/ir';
import { addTreeBalance } from './passes/add-tree-balance.js';
import { addTreeCse } from './passes/add-tree-cse.js';
import { bitWidths } from './passes/bit-widths.js';
import { PASS_CODES } from './passes/codes.js';
import { lowerTernaryToAddTrees } from './passes/lower-ternary-to-add-trees.js';
import type { CalibrationData, CalibrationMethod } from './passes/quant/calibrate.js';
import type { QuantBound } from './passes/quant/error-bound.js';
import { quantizeWithBound } from './passes/quantize.js';
import { writeFileAtomic } from './io/atomic.js';
import { join } from 'node:path';

export type Mode = 'int' | 'float';

export interface PipelineOptions {
  readonly mode: Mode;
  /** Naive tree shape at lowering (default 'balanced'). */
  readonly tree?: 'balanced' | 'chain';
  /** Depth slack of add-tree-balance (default 1). */
  readonly slack?: number;
  /** Quantization (int mode). */
  readonly calibration?: CalibrationData;
  readonly bits?: number;
  readonly midBits?: number;
  readonly weightBits?: number;
  readonly scaleBits?: number;
  readonly csdDigits?: number;
  readonly method?: CalibrationMethod;
  readonly percentile?: number;
}

/** What passes share besides the module: the quantization bound, once quantize has run. */
export interface PipelineState {
  bound?: QuantBound;
}

export interface Pass {
  readonly name: string;
  /** One line: what it does. */
  readonly summary: string;
  /** Modes the pass runs in. */
  readonly modes: readonly Mode[];
  /** The stage its result is verified against. */
  readonly produces: Stage;
  readonly run: (m: Module, o: PipelineOptions, state: PipelineState) => Module;
}

export const PASSES: readonly Pass[] = [
  { name: 'lower-ternary-to-add-trees', summary: 'TSVD layers -> V stage, scale, U stage, bias; naive trees', modes: ['int', 'float'], produces: 'addtree',
    run: (m, o) => lowerTernaryToAddTrees(m, { tree: o.tree ?? 'balanced' }) },
  { name: 'add-tree-cse', summary: 'share partial sums between rows (greedy pairwise, sign-aware)', modes: ['int', 'float'], produces: 'addtree',
    run: (m) => addTreeCse(m) },
  { name: 'add-tree-balance', summary: 'bound row depth by ceil(log2 fan-in) + slack', modes: ['int', 'float'], produces: 'addtree',
    run: (m, o) => addTreeBalance(m, { slack: o.slack ?? 1 }) },
  { name: 'quantize', summary: 'calibrated intN activations, requant multipliers, error bound', modes: ['int'], produces: 'integer',
    run: (m, o, state) => {
      if (!o.calibration) throw new TsvdcError(PASS_CODES.badCalibration, 'quantize needs calibration inputs (at least one batch), got none');
      const r = quantizeWithBound(m, { ...o, calibration: o.calibration });
      state.bound = r.bound;
      return r.module;
    } },
  { name: 'bit-widths', summary: 'smallest overflow-free width of every node and fixed value', modes: ['int'], produces: 'integer',
    run: (m) => bitWidths(m) },
];

/** The passes in pipeline order; with a mode, only those that run in it. */
export function passNames(mode?: Mode): string[] {
  return PASSES.filter((p) => mode === undefined || p.modes.includes(mode)).map((p) => p.name);
}

/**
 * Checks that `name` is a pass of the pipeline (TSVDC402 otherwise) and, given a mode, one
 * that runs in it (TSVDC411: printing or stopping after a pass that never runs would
 * silently do nothing).
 */
export function checkPassName(name: string, option: string, mode?: Mode): string {
  const pass = PASSES.find((p) => p.name === name);
  if (!pass) {
    throw new TsvdcError(PASS_CODES.unknownPass, `${option} ${name}: no such pass (passes: ${passNames().join(', ')})`);
  }
  if (mode !== undefined && !pass.modes.includes(mode)) {
    throw new TsvdcError(PASS_CODES.passNotInMode, `${option} ${name}: ${name} does not run in mode ${mode} (its passes: ${passNames(mode).join(', ')})`);
  }
  return name;
}

export interface PassRun {
  readonly pass: string;
  readonly module: Module;
  readonly ms: number;
}

export interface RunOptions {
  readonly stopAfter?: string;
  /** Verify the module after every pass (tests always do). */
  readonly verifyEach?: boolean;
  /** Called after each pass with its result (printing, reporting). */
  readonly afterPass?: (run: PassRun) => void;
}

/**
 * Runs the passes of `options.mode` in order on a module at stage graph or ternary;
 * returns every pass's result and the shared state.
 */
export function runPipeline(m: Module, options: PipelineOptions, run: RunOptions = {}): { module: Module; runs: PassRun[]; state: PipelineState } {
  if (run.stopAfter !== undefined) checkPassName(run.stopAfter, '--stop-after', options.mode);
  const state: PipelineState = {};
  const runs: PassRun[] = [];
  let cur = m.stage === 'graph' ? { ...m, stage: 'ternary' as const } : m;
  for (const pass of PASSES) {
    if (!pass.modes.includes(options.mode)) continue;
    const t0 = performance.now();
    cur = pass.run(cur, options, state);
    const record = { pass: pass.name, module: cur, ms: performance.now() - t0 };
    if (run.verifyEach) verifyAfter(pass, cur);
    runs.push(record);
    run.afterPass?.(record);
    if (pass.name === run.stopAfter) break;
  }
  return { module: cur, runs, state };
}

function verifyAfter(pass: Pass, m: Module): void {
  try {
    assertValid(m, pass.produces);
  } catch (e) {
    if (!(e instanceof TsvdcError)) throw e;
    throw new TsvdcError(PASS_CODES.verifyFailed, `after ${pass.name}: ${e.message}`, e.origin, e.related);
  }
}

// --- targets -----------------------------------------------------------------------------

/** A target turns the pipeline's module into files in an output directory. */
export interface Target {
  readonly name: string;
  readonly description: string;
  /** Writes the target's files (atomically) and returns their paths. */
  readonly emit: (m: Module, out: { readonly dir: string; readonly base: string }) => string[];
}

const TARGETS = new Map<string, Target>();

/** Adds a target (backends call this); a second target of the same name replaces the first. */
export function registerTarget(t: Target): void {
  TARGETS.set(t.name, t);
}

export function targetNames(): string[] {
  return [...TARGETS.keys()].sort();
}

export function getTarget(name: string): Target {
  const t = TARGETS.get(name);
  if (!t) throw new TsvdcError(PASS_CODES.unknownTarget, `--target ${name}: no such target (targets: ${targetNames().join(', ')})`);
  return t;
}

/** The IR text of the lowered module, `<base>.tir`. */
export function writeIr(m: Module, out: { readonly dir: string; readonly base: string }): string[] {
  const path = join(out.dir, `${out.base}.tir`);
  writeFileAtomic(path, printModule(m));
  return [path];
}

registerTarget({ name: 'ir', description: 'the lowered IR as text (tsvdc ir check reads it)', emit: writeIr });
