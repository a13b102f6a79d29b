/**
 * The module: a graph of tensor-level nodes over named values, plus the constants
 * and add trees those nodes reference by name. One data structure for every stage;
 * `stage` is a claim that `verify(module, stage)` checks.
 *
 * Stages, in order (see ir/RATIONALE.md for what holds after each):
 *   graph      float network as imported (dense linear/conv, BN folded)
 *   ternary    TSVD layers present (tlinear, tconv2d); others unchanged
 *   addtree    ternary layers lowered to tmatvec/tconv stages with add trees, float
 *   integer    quantized: fixed-point tensors between quantize and dequantize
 *   scheduled  integer module with hardware schedule attributes on every stage
 *
 * Everything is immutable: passes return new modules, sharing unchanged consts and trees.
 */
import type { AddTree } from './addtree.js';
import type { FixedType } from './fixed.js';
import type { Origin } from './origin.js';
import type { Const, TensorType } from './tensor.js';

export const STAGES = ['graph', 'ternary', 'addtree', 'integer', 'scheduled'] as const;
export type Stage = (typeof STAGES)[number];

export function stageIndex(s: Stage): number {
  return STAGES.indexOf(s);
}

/**
 * Attribute values. Which form an attribute takes is fixed by its op's schema
 * (ops.ts): `const` and `tree` kinds hold the name of a module constant / tree.
 */
export type AttrValue = number | boolean | string | readonly number[] | FixedType;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface Node {
  readonly op: string;
  /** Optional stable name (the ONNX node name on import). */
  readonly name?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Attrs;
  readonly origin?: Origin;
}

export interface Module {
  readonly name: string;
  readonly stage: Stage;
  /** The file the module came from (ONNX model or IR text). */
  readonly source?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Type of every value: inputs and every node output. */
  readonly values: ReadonlyMap<string, TensorType>;
  /** Topologically ordered. */
  readonly nodes: readonly Node[];
  readonly consts: ReadonlyMap<string, Const>;
  readonly trees: ReadonlyMap<string, AddTree>;
}

/** A module with some fields replaced (the usual way passes build their result). */
export function withModule(m: Module, patch: Partial<Module>): Module {
  return { ...m, ...patch };
}

export function emptyModule(name: string, stage: Stage = 'graph'): Module {
  return { name, stage, inputs: [], outputs: [], values: new Map(), nodes: [], consts: new Map(), trees: new Map() };
}
