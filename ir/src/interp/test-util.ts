/** Test helpers: one-op modules and running them (kept out of the kernels). */
import type { AttrValue, Module } from '../module.js';
import type { Const, ElemType } from '../tensor.js';
import { F32 } from '../tensor.js';
import { ModuleBuilder } from '../testing/models.js';
import { interpret, type Mode } from './index.js';

export interface OneOp {
  readonly op: string;
  readonly inputs: readonly { shape: readonly number[]; elem?: ElemType }[];
  readonly attrs?: Record<string, AttrValue>;
  /** Constants by attribute name (the attribute is set to the constant's name). */
  readonly consts?: Record<string, Const>;
  readonly out?: ElemType;
}

export function oneOp(spec: OneOp): Module {
  const b = new ModuleBuilder('t', 'scheduled');
  const ins = spec.inputs.map((t, i) => b.input(t.shape, t.elem ?? F32, `x${i}`));
  const attrs: Record<string, AttrValue> = { ...(spec.attrs ?? {}) };
  for (const [k, c] of Object.entries(spec.consts ?? {})) attrs[k] = b.constant(k, c);
  return b.output(b.op(spec.op, ins, attrs, spec.out)).build();
}

/** Runs a one-op module on plain arrays; returns the output shape and values. */
export function run(m: Module, data: readonly (readonly number[])[], mode: Mode = 'f64'): { shape: readonly number[]; data: number[] } {
  const inputs = Object.fromEntries(m.inputs.map((v, i) => [v, { shape: m.values.get(v)!.shape, data: Float64Array.from(data[i]!) }]));
  const out = Object.values(interpret(m, inputs, { mode }))[0]!;
  return { shape: out.shape, data: Array.from(out.data) };
}
