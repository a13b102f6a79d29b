/**
 * Seeded builders and fast-check arbitraries of VALID modules at every stage, and
 * matching random inputs. The seed is the whole description, so a failing property
 * prints a seed that rebuilds the module.
 */
import fc from 'fast-check';
import type { Module, Stage } from '../../module.js';
import { numel } from '../../tensor.js';
import type { Tensor } from '../../interp/tensor.js';
import { floatModule, type FloatOptions } from './float.js';
import { integerModule, type IntegerOptions } from './integer.js';
import { cnnPlan, mlpPlan } from './plan.js';
import { Rng } from './rng.js';
import { scheduledModule } from './schedule.js';

export type ModelKind = 'mlp' | 'cnn';
export type GenOptions = FloatOptions & IntegerOptions;

/** A valid module of the given kind at the given stage, determined by the seed. */
export function randomModel(kind: ModelKind, stage: Stage, seed: number, opts: GenOptions = {}): Module {
  const floatStage = stage === 'graph' || stage === 'ternary' || stage === 'addtree';
  // integer-valued float modules avoid the ops that leave the integers (sigmoid, avg pooling, softmax)
  const floatOps = floatStage && !opts.integerValued;
  const plan = kind === 'mlp' ? mlpPlan(seed, { floatOps }) : cnnPlan(seed, { floatOps });
  if (floatStage) return floatModule(plan, stage as 'graph' | 'ternary' | 'addtree', seed, opts);
  const m = integerModule(plan, seed, opts);
  return stage === 'scheduled' ? scheduledModule(m, seed) : m;
}

export const randomMlp = (stage: Stage, seed: number, opts?: GenOptions): Module => randomModel('mlp', stage, seed, opts);
export const randomCnn = (stage: Stage, seed: number, opts?: GenOptions): Module => randomModel('cnn', stage, seed, opts);

/** Arbitrary valid module with its seed (kinds default to both). */
export function arbModel(stage: Stage, kinds: readonly ModelKind[] = ['mlp', 'cnn'], opts: GenOptions = {}): fc.Arbitrary<{ kind: ModelKind; seed: number; module: Module }> {
  return fc.record({ kind: fc.constantFrom(...kinds), seed: fc.integer({ min: 0, max: 0x7fffffff }) })
    .map(({ kind, seed }) => ({ kind, seed, module: randomModel(kind, stage, seed, opts) }));
}

/** Just the module. */
export function arbModule(stage: Stage, kinds?: readonly ModelKind[], opts?: GenOptions): fc.Arbitrary<Module> {
  return arbModel(stage, kinds, opts).map((x) => x.module);
}

export interface InputOptions {
  /** Integer values in [-range, range] instead of floats in [-range, range] (default false). */
  readonly integers?: boolean;
  readonly range?: number;
  /** Size of a dynamic (-1) dimension (default 2). */
  readonly dynamic?: number;
}

/** Random inputs for every module input (concrete shapes; -1 dimensions become `dynamic`). */
export function randomInputs(m: Module, seed: number, opts: InputOptions = {}): Record<string, Tensor> {
  const rng = new Rng(seed ^ 0x3c6ef372);
  const range = opts.range ?? 2;
  const out: Record<string, Tensor> = {};
  for (const v of m.inputs) {
    const shape = m.values.get(v)!.shape.map((d) => (d === -1 ? opts.dynamic ?? 2 : d));
    const data = new Float64Array(numel(shape));
    for (let i = 0; i < data.length; i++) {
      data[i] = opts.integers ? rng.int(-range, range) : (rng.next() * 2 - 1) * range;
    }
    out[v] = { shape, data };
  }
  return out;
}
