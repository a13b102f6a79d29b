/**
 * The reference interpreter: THE definition of what a module computes, at any stage.
 * Every backend is tested against it. Modes:
 *   f64    float64 everywhere;
 *   f32    float data rounded to f32 after every single operation, sums in the order
 *          README.md writes down (what the float backends must reproduce);
 *   exact  fixed-point ops exactly per fixed.ts, every tree node and every fixed-point
 *          result checked against its declared width: overflow throws TSVDC61x with the
 *          node, tree and row, never wraps. Float data outside the integer program: f64.
 * Fixed-point data is integer arithmetic in every mode (exact in float64 for widths up to
 * MAX_WIDTH, with one zero: +0); only exact mode checks the widths. The interpreter does not verify the
 * module (verify() does); what it cannot run it reports as TSVDC690 / TSVDC691.
 */
import { TsvdcError } from '../diagnostics.js';
import { fits, maxOf, minOf } from '../fixed.js';
import type { Module, Node } from '../module.js';
import { opFacts } from '../ops.js';
import type { TensorType } from '../tensor.js';
import * as C from './codes.js';
import type { Ctx, Kernel, Mode } from './context.js';
import { KERNELS } from './kernels.js';
import type { Tensor } from './tensor.js';
import { checkInput } from './inputs.js';

export type { Mode } from './context.js';
export type { Tensor } from './tensor.js';
export { tensor } from './tensor.js';
export * as InterpCodes from './codes.js';

export interface InterpretOptions {
  readonly mode: Mode;
}

/** Runs `m` on `inputs` (one tensor per module input, by name); returns the module outputs by name. */
export function interpret(m: Module, inputs: Readonly<Record<string, Tensor>>, opts: InterpretOptions): Record<string, Tensor> {
  const env = new Map<string, Tensor>();
  for (const v of m.inputs) env.set(v, checkInput(m, v, inputs[v], opts.mode));
  m.nodes.forEach((n, i) => {
    const { ctx, kernel, ins, outShape } = prepare(m, n, i, env, opts.mode);
    const data = kernel(ctx, ins, outShape);
    if (ctx.outType.elem.kind === 'fixed') fixedResult(ctx, data);
    env.set(n.outputs[0]!, { shape: outShape, data });
  });
  const out: Record<string, Tensor> = {};
  for (const v of m.outputs) {
    const t = env.get(v);
    if (!t) throw new TsvdcError(C.MODULE_MALFORMED, `module output %${v} is never computed`, { node: `%${v}` });
    out[v] = t;
  }
  return out;
}

function prepare(m: Module, n: Node, index: number, env: Map<string, Tensor>, mode: Mode) {
  const origin = { ...(m.source !== undefined ? { file: m.source } : {}), ...(n.origin ?? {}), node: n.origin?.node ?? n.name ?? n.outputs[0] ?? `#${index}` };
  const malformed = (msg: string): never => { throw new TsvdcError(C.MODULE_MALFORMED, msg, origin); };
  const facts = opFacts(n.op);
  const kernel: Kernel | undefined = KERNELS[n.op];
  if (!facts || !kernel) throw new TsvdcError(C.OP_UNSUPPORTED, `the interpreter has no semantics for op ${JSON.stringify(n.op)}`, origin);
  const ins = n.inputs.map((v) => env.get(v) ?? malformed(`${n.op} reads %${v}, which is not computed yet`));
  const inTypes = n.inputs.map((v) => m.values.get(v) ?? malformed(`%${v} has no type`));
  const outType = m.values.get(n.outputs[0] ?? '') ?? malformed(`${n.op} has no typed output`);
  // the output shape follows from the actual input shapes (declared ones may have -1)
  const actual: TensorType[] = ins.map((t, k) => ({ shape: t.shape, elem: inTypes[k]!.elem }));
  const inferred = facts.infer(actual, n.attrs, { getConst: (k) => m.consts.get(k), getTree: (k) => m.trees.get(k) });
  if (typeof inferred === 'string') malformed(`${n.op}: ${inferred}`);
  const ctx: Ctx = {
    m, node: n, origin, mode,
    f32: mode === 'f32' && outType.elem.kind === 'float',
    exact: mode === 'exact',
    inTypes, outType,
  };
  return { ctx, kernel, ins, outShape: [...(inferred as { shape: readonly number[] }[])[0]!.shape] };
}

/**
 * Fixed-point values are integers, with one zero: a -0 that float64 arithmetic leaves (neg(0),
 * 0 * -3, rounding -0.4) becomes +0 in every mode. Exact mode also checks the width, in the
 * same pass.
 */
function fixedResult(ctx: Ctx, data: Float64Array): void {
  const t = ctx.outType.elem as { width: number; frac: number };
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0) data[i] = 0;
    else if (ctx.exact && !fits(data[i]!, t.width)) {
      throw new TsvdcError(C.RESULT_OVERFLOW,
        `%${ctx.node.outputs[0]}[${i}] = ${data[i]} does not fit fx<${t.width},${t.frac}> [${minOf(t.width)}, ${maxOf(t.width)}]`, ctx.origin);
    }
  }
}
