/**
 * SSA and value types: every value defined once (as a module input or one node output),
 * read only after its definition, typed in `values`; module outputs defined; value
 * shapes positive (-1 allowed: a dynamic dimension); fixed widths in 1..MAX_WIDTH.
 */
import { fixedTypeProblem } from '../fixed.js';
import type { Module } from '../module.js';
import type { Origin } from '../origin.js';
import type { ElemType, TensorType } from '../tensor.js';
import * as C from './codes.js';
import { nodeLabel, nodeOrigin, type Reporter } from './report.js';

/** `f32[1,?,28]` / `fx<8,4>[1,10]`: a type as messages print it. */
export function typeText(t: TensorType): string {
  return `${elemText(t.elem)}[${t.shape.map((d) => (d === -1 ? '?' : String(d))).join(',')}]`;
}

export function elemText(e: ElemType | 'free'): string {
  if (e === 'free') return 'fx<?,?>';
  return e.kind === 'float' ? `f${e.bits}` : `fx<${e.width},${e.frac}>`;
}

function checkType(name: string, t: TensorType, origin: Origin, r: Reporter): void {
  if (t.shape.some((d) => !Number.isInteger(d) || (d < 1 && d !== -1))) {
    r.add(C.SHAPE_NONPOSITIVE, `value %${name} has shape [${t.shape}]: dimensions must be >= 1 (or -1, dynamic)`, origin);
  }
  if (t.elem.kind === 'fixed') {
    const p = fixedTypeProblem(t.elem);
    if (p) r.add(C.WIDTH_RANGE, `value %${name}: fixed type ${elemText(t.elem)}: ${p}`, origin);
  }
}

/** Checks SSA over the module; returns the set of values that are defined. */
export function checkValues(m: Module, r: Reporter): Set<string> {
  const defined = new Set<string>();
  const define = (v: string, origin: Origin, what: string): void => {
    if (defined.has(v)) r.add(C.VALUE_REDEFINED, `value %${v} is defined more than once (again by ${what})`, origin);
    defined.add(v);
    const t = m.values.get(v);
    if (!t) r.add(C.VALUE_UNTYPED, `value %${v} has no declared type`, origin);
    else checkType(v, t, origin, r);
  };
  for (const v of m.inputs) define(v, { node: `%${v}` }, 'a module input');
  m.nodes.forEach((n, i) => {
    const origin = nodeOrigin(n, i);
    for (const v of n.inputs) {
      if (!defined.has(v)) r.add(C.VALUE_UNDEFINED, `node ${nodeLabel(n, i)} reads %${v} before it is defined`, origin);
    }
    for (const v of n.outputs) define(v, origin, `node ${nodeLabel(n, i)}`);
  });
  for (const v of m.outputs) {
    if (!defined.has(v)) r.add(C.OUTPUT_UNDEFINED, `module output %${v} is never defined`, { node: `%${v}` });
  }
  return defined;
}
