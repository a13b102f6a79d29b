/** Checking the tensors a caller passes against the module's declared inputs. */
import { TsvdcError } from '../diagnostics.js';
import { fits } from '../fixed.js';
import type { Module } from '../module.js';
import * as C from './codes.js';
import type { Mode } from './context.js';
import type { Tensor } from './tensor.js';

export function checkInput(m: Module, v: string, t: Tensor | undefined, mode: Mode): Tensor {
  const origin = { ...(m.source !== undefined ? { file: m.source } : {}), node: `%${v}` };
  if (!t) throw new TsvdcError(C.INPUT_MISSING, `no tensor for input %${v}`, origin);
  const decl = m.values.get(v);
  if (!decl) throw new TsvdcError(C.MODULE_MALFORMED, `input %${v} has no type`, origin);
  const ok = t.shape.length === decl.shape.length && t.shape.every((d, i) => decl.shape[i] === -1 || d === decl.shape[i]);
  if (!ok) throw new TsvdcError(C.INPUT_SHAPE, `input %${v} has shape [${t.shape}], declared [${decl.shape.map((d) => (d === -1 ? '?' : d))}]`, origin);
  const n = t.shape.reduce((p, d) => p * d, 1);
  if (t.data.length !== n) throw new TsvdcError(C.INPUT_DATA, `input %${v} has ${t.data.length} values for shape [${t.shape}]`, origin);
  if (decl.elem.kind === 'fixed') {
    const w = decl.elem.width;
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(t.data[i]) || !fits(t.data[i]!, w)) {
        throw new TsvdcError(C.INPUT_FIXED, `input %${v}[${i}] = ${t.data[i]} is not an integer of ${w} signed bits`, origin);
      }
    }
    return t;
  }
  // f32 mode: a float input is rounded to f32 once, on entry
  return mode === 'f32' ? { shape: t.shape, data: Float64Array.from(t.data, Math.fround) } : t;
}
