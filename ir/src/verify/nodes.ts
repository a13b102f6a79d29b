/**
 * Per node: the op is known and allowed at the stage, has the right number of inputs
 * and outputs, valid attributes, and declares the output types inference gives
 * ('free' element types, from fixed-point inputs, must be fixed: stage.ts checks fracs).
 */
import type { Module, Node, Stage } from '../module.js';
import type { Inferred, OpFacts } from '../ops.js';
import { opFacts } from '../ops.js';
import type { Origin } from '../origin.js';
import type { TensorType } from '../tensor.js';
import { elemEquals, shapeEquals } from '../tensor.js';
import { checkAttrs } from './attrs.js';
import * as C from './codes.js';
import { nodeLabel, nodeOrigin, type Reporter } from './report.js';
import { elemText, typeText } from './values.js';

/** What later checks may rely on for a node: known op; `typed` when its outputs are as inferred. */
export interface NodeInfo {
  readonly node: Node;
  readonly index: number;
  readonly origin: Origin;
  readonly facts: OpFacts | undefined;
  readonly inputs: readonly (TensorType | undefined)[];
  readonly typed: boolean;
}

export function checkNodes(m: Module, stage: Stage, r: Reporter): NodeInfo[] {
  return m.nodes.map((n, i) => checkNode(m, n, i, stage, r));
}

function checkNode(m: Module, n: Node, index: number, stage: Stage, r: Reporter): NodeInfo {
  const origin = nodeOrigin(n, index);
  const inputs = n.inputs.map((v) => m.values.get(v));
  const facts = opFacts(n.op);
  const info = (typed: boolean): NodeInfo => ({ node: n, index, origin, facts, inputs, typed });
  if (!facts) {
    r.add(C.OP_UNKNOWN, `node ${nodeLabel(n, index)}: unknown op ${JSON.stringify(n.op)}`, origin);
    return info(false);
  }
  if (!facts.stages.includes(stage)) {
    r.add(C.OP_STAGE, `${n.op} is not allowed at the ${stage} stage (only ${facts.stages.join(', ')})`, origin);
  }
  const [lo, hi] = typeof facts.arity === 'number' ? [facts.arity, facts.arity] : facts.arity;
  if (n.inputs.length < lo || n.inputs.length > hi) {
    const want = lo === hi ? `${lo}` : hi === Infinity ? `at least ${lo}` : `${lo}..${hi}`;
    r.add(C.OP_ARITY, `${n.op} takes ${want} input${want === '1' ? '' : 's'}, got ${n.inputs.length}`, origin);
    return info(false);
  }
  const attrsOk = checkAttrs(m, n, facts, inputs[0], origin, r);
  if (!attrsOk || inputs.some((t) => t === undefined)) return info(false);
  let inferred: Inferred[] | string;
  try {
    inferred = facts.infer(inputs as TensorType[], n.attrs, { getConst: (k) => m.consts.get(k), getTree: (k) => m.trees.get(k) });
  } catch (e) {
    inferred = `inference failed (${(e as Error).message})`;
  }
  if (typeof inferred === 'string') {
    r.add(C.INFER_FAILED, `${n.op} on ${inputs.map((t) => typeText(t!)).join(', ')}: ${inferred}`, origin);
    return info(false);
  }
  return info(compareOutputs(m, n, inferred, origin, r));
}

function compareOutputs(m: Module, n: Node, inferred: readonly Inferred[], origin: Origin, r: Reporter): boolean {
  if (n.outputs.length !== inferred.length) {
    r.add(C.OP_RESULTS, `${n.op} has ${inferred.length} output${inferred.length === 1 ? '' : 's'}, node declares ${n.outputs.length}`, origin);
    return false;
  }
  let ok = true;
  inferred.forEach((want, k) => {
    const v = n.outputs[k]!;
    const got = m.values.get(v);
    if (!got) { ok = false; return; }
    if (!shapeEquals(got.shape, want.shape)) {
      r.add(C.SHAPE_MISMATCH, `%${v} is declared [${got.shape}], ${n.op} gives [${want.shape}]`, origin);
      ok = false;
    }
    const elemOk = want.elem === 'free' ? got.elem.kind === 'fixed' : elemEquals(got.elem, want.elem);
    if (!elemOk) {
      const why = want.elem === 'free' ? 'a fixed-point input gives a fixed-point result' : `${n.op} gives ${elemText(want.elem)}`;
      r.add(C.ELEM_MISMATCH, `%${v} is declared ${elemText(got.elem)}, ${why}`, origin);
      ok = false;
    }
  });
  return ok;
}
