/**
 * Element-type rules between stages. Before the integer stage no value is fixed-point.
 * From it on, fixed-point values flow only between quantize and dequantize: float-only
 * ops never see them, fixed-point ops never see floats, operands agree, and a result's
 * frac follows from its operands (only quantize, mulconst and requant choose a new one:
 * their constants carry an implicit scale). Trees on fixed data carry `types` whose frac
 * is the data's.
 */
import type { Module, Stage } from '../module.js';
import { stageIndex } from '../module.js';
import type { ElemType } from '../tensor.js';
import * as C from './codes.js';
import type { NodeInfo } from './nodes.js';
import type { Reporter } from './report.js';
import { elemText } from './values.js';

const FLOAT_ONLY = new Set(['sigmoid', 'tanh', 'softmax', 'layernorm', 'avgpool2d', 'globalavgpool', 'scale', 'clip', 'convtranspose2d', 'quantize', 'tlinear', 'tconv2d']);
const FIXED_ONLY = new Set(['dequantize', 'mulconst', 'shrround', 'requant', 'clamp']);
/** Ops whose fixed-point result keeps the (first) input's frac; inference leaves their elem 'free'. */
const KEEPS_FRAC = new Set(['linear', 'conv2d', 'tmatvec', 'tconv', 'bias', 'add']);
const SAME_OPERANDS = new Set(['add', 'mul', 'concat']);

export function checkStageRules(m: Module, stage: Stage, infos: readonly NodeInfo[], r: Reporter): void {
  const floatStage = stageIndex(stage) < stageIndex('integer');
  if (floatStage) {
    for (const v of m.inputs) {
      const t = m.values.get(v);
      if (t?.elem.kind === 'fixed') r.add(C.FIXED_AT_FLOAT_STAGE, `input %${v} is ${elemText(t.elem)} at the ${stage} stage`, { node: `%${v}` });
    }
  }
  for (const info of infos) {
    if (floatStage) fixedAtFloatStage(m, stage, info, r);
    if (info.facts && info.inputs.every((t) => t !== undefined)) operandRules(m, info, r);
  }
}

function fixedAtFloatStage(m: Module, stage: Stage, info: NodeInfo, r: Reporter): void {
  for (const v of info.node.outputs) {
    const t = m.values.get(v);
    if (t?.elem.kind === 'fixed') r.add(C.FIXED_AT_FLOAT_STAGE, `%${v} is ${elemText(t.elem)} at the ${stage} stage`, info.origin);
  }
}

function operandRules(m: Module, info: NodeInfo, r: Reporter): void {
  const { node: n, origin } = info;
  const ins = info.inputs as readonly { elem: ElemType }[];
  const x = ins[0]!.elem;
  if (x.kind === 'fixed' && FLOAT_ONLY.has(n.op)) r.add(C.FLOAT_OP_ON_FIXED, `${n.op} is a float-only op, its input is ${elemText(x)}`, origin);
  if (x.kind === 'float' && FIXED_ONLY.has(n.op)) r.add(C.FIXED_OP_ON_FLOAT, `${n.op} needs a fixed-point input, got ${elemText(x)}`, origin);
  if (SAME_OPERANDS.has(n.op)) {
    const bad = ins.find((t) => !compatible(n.op, x, t.elem));
    if (bad) r.add(C.MIXED_OPERANDS, `${n.op} of ${elemText(x)} and ${elemText(bad.elem)}`, origin);
  }
  if (n.op === 'pad' && x.kind === 'fixed' && !Number.isSafeInteger(n.attrs['value'] ?? 0)) {
    r.add(C.ATTR_RANGE, `pad: on fixed-point data the value is the integer q, got ${n.attrs['value']}`, origin);
  }
  if (x.kind === 'fixed' && info.typed) fracRule(m, info, x, r);
  if (x.kind === 'fixed') treeRules(m, info, x.frac, r);
}

function compatible(op: string, a: ElemType, b: ElemType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'float') return a.bits === (b as typeof a).bits;
  if (op === 'concat') return a.width === (b as typeof a).width && a.frac === (b as typeof a).frac;
  return op === 'mul' || a.frac === (b as typeof a).frac;
}

function fracRule(m: Module, info: NodeInfo, x: { frac: number }, r: Reporter): void {
  const n = info.node;
  const out = m.values.get(n.outputs[0]!)?.elem;
  if (!out || out.kind !== 'fixed') return;
  let want: number | undefined;
  if (KEEPS_FRAC.has(n.op)) want = x.frac;
  else if (n.op === 'mul') want = info.inputs.reduce((s, t) => s + (t!.elem as { frac: number }).frac, 0);
  else if (n.op === 'shrround') want = x.frac - (n.attrs['shift'] as number);
  if (want !== undefined && out.frac !== want) {
    r.add(C.FRAC_MISMATCH, `%${n.outputs[0]} is ${elemText(out)}, ${n.op} of frac ${x.frac} gives frac ${want}`, info.origin);
  }
}

function treeRules(m: Module, info: NodeInfo, frac: number, r: Reporter): void {
  const name = info.node.attrs['tree'];
  if (typeof name !== 'string') return;
  const t = m.trees.get(name);
  if (!t) return;
  if (!t.types) r.add(C.TREE_UNTYPED, `tree @${name} works on fixed-point data but has no types`, info.origin);
  else if (t.types.frac !== frac) r.add(C.TREE_FRAC, `tree @${name} has frac ${t.types.frac}, its input has frac ${frac}`, info.origin);
}
