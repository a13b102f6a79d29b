/**
 * Attributes of one node: required present, none unknown, each of its schema's form
 * (ops.ts checkAttr) and in range; referenced constants and trees exist and are of the
 * right kind; per-channel constants as long as what they scale.
 */
import { fixedTypeProblem, MAX_WIDTH } from '../fixed.js';
import type { Module, Node } from '../module.js';
import type { OpFacts } from '../ops.js';
import { channelsOf, checkAttr } from '../ops.js';
import type { Origin } from '../origin.js';
import type { Const, TensorType } from '../tensor.js';
import { numel } from '../tensor.js';
import * as C from './codes.js';
import type { Reporter } from './report.js';

type Kind = Const['kind'];

/** Which kind of constant an attribute must name; dense vs int follows the input's element kind. */
export function expectedConstKind(op: string, key: string, inputFixed: boolean): Kind {
  if (key === 'U' || key === 'V' || key === 'weights') return 'ternary';
  if (key === 'c') return 'int';
  if (op === 'tlinear' || op === 'tconv2d' || op === 'scale' || op === 'layernorm') return 'dense';
  return inputFixed ? 'int' : 'dense';
}

const AT_LEAST_1 = new Set(['strides', 'vStrides', 'uStrides', 'dilations', 'vDilations', 'uDilations', 'kernel']);
const AT_LEAST_0 = new Set(['pads', 'outputPadding']);

/** Reason an attribute value is out of range, or undefined. `rank`: the input's rank. */
function rangeProblem(op: string, key: string, v: unknown, rank: number): string | undefined {
  if (AT_LEAST_1.has(key)) return (v as number[]).some((x) => x < 1) ? `${key} [${v}] must be >= 1` : undefined;
  if (AT_LEAST_0.has(key)) return (v as number[]).some((x) => x < 0) ? `${key} [${v}] must be >= 0` : undefined;
  if (key === 'groups') return (v as number) < 1 ? `groups ${v} must be >= 1` : undefined;
  if (key === 'form') return (v as number) < 0 || (v as number) > 3 ? `form ${v} must be 0..3` : undefined;
  if (key === 'shift') return Math.abs(v as number) > MAX_WIDTH ? `shift ${v} must be within -${MAX_WIDTH}..${MAX_WIDTH}` : undefined;
  if (key === 'shape') return (v as number[]).some((x) => x < -1) ? `shape [${v}] has a dimension < -1` : undefined;
  if (key === 'axis' && op === 'softmax') return (v as number) < -rank || (v as number) >= rank ? `axis ${v} out of range for rank ${rank}` : undefined;
  if (key === 'axis' && op === 'concat') return (v as number) < 0 || (v as number) >= rank ? `axis ${v} out of range 0..${rank - 1}` : undefined;
  if (key === 'min' || key === 'max' || key === 'value') return Number.isNaN(v) ? `${key} is NaN` : undefined;
  return undefined;
}

function pairProblem(n: Node): string | undefined {
  const a = n.attrs;
  if (n.op === 'clamp' && (a['lo'] as number) > (a['hi'] as number)) return `clamp lo ${a['lo']} > hi ${a['hi']}`;
  if (n.op === 'clip' && a['min'] !== undefined && a['max'] !== undefined && (a['min'] as number) > (a['max'] as number)) {
    return `clip min ${a['min']} > max ${a['max']}`;
  }
  return undefined;
}

/** Checks attributes and references; returns whether inference can safely run. */
export function checkAttrs(m: Module, n: Node, facts: OpFacts, input: TensorType | undefined, origin: Origin, r: Reporter): boolean {
  let ok = true;
  const fail = (code: Parameters<Reporter['add']>[0], msg: string): void => {
    r.add(code, `${n.op}: ${msg}`, origin);
    ok = false;
  };
  for (const [key, spec] of Object.entries(facts.attrs)) {
    if (spec.required && n.attrs[key] === undefined) fail(C.ATTR_MISSING, `missing required attribute ${key}`);
  }
  for (const [key, v] of Object.entries(n.attrs)) {
    const spec = facts.attrs[key];
    if (!spec) { fail(C.ATTR_UNKNOWN, `unknown attribute ${key}`); continue; }
    const form = checkAttr(spec, v);
    if (form) { fail(C.ATTR_MALFORMED, `attribute ${key}: ${form}`); continue; }
    if (spec.kind === 'fixed') {
      const p = fixedTypeProblem(v as { width: number; frac: number });
      if (p) fail(C.WIDTH_RANGE, `attribute ${key}: ${p}`);
      continue;
    }
    const range = rangeProblem(n.op, key, v, input?.shape.length ?? 0);
    if (range) fail(C.ATTR_RANGE, range);
    if (spec.kind === 'const') ok = checkConstRef(m, n, key, v as string, input, fail) && ok;
    if (spec.kind === 'tree' && !m.trees.has(v as string)) fail(C.TREE_MISSING, `attribute ${key} names the tree @${v}, which does not exist`);
  }
  const pair = pairProblem(n);
  if (pair) fail(C.ATTR_RANGE, pair);
  if (ok && input) checkUseShapes(m, n, input, fail);
  return ok;
}

function checkConstRef(m: Module, n: Node, key: string, name: string, input: TensorType | undefined, fail: (c: Parameters<Reporter['add']>[0], m: string) => void): boolean {
  const c = m.consts.get(name);
  if (!c) { fail(C.CONST_MISSING, `attribute ${key} names the constant @${name}, which does not exist`); return false; }
  const want = expectedConstKind(n.op, key, input?.elem.kind === 'fixed');
  if (c.kind !== want) { fail(C.CONST_KIND, `attribute ${key}: constant @${name} is ${c.kind}, ${want} expected`); return false; }
  return true;
}

/** Per-channel constants: as many values as the thing they apply to. */
function checkUseShapes(m: Module, n: Node, input: TensorType, fail: (c: Parameters<Reporter['add']>[0], m: string) => void): void {
  const shapeOf = (key: string) => m.consts.get(n.attrs[key] as string)?.shape;
  const len = (key: string) => { const s = shapeOf(key); return s ? numel(s) : undefined; };
  const expect = (key: string, want: number | undefined, alsoOne = false): void => {
    const got = len(key);
    if (got === undefined || want === undefined || got === want || (alsoOne && got === 1)) return;
    fail(C.CONST_USE_SHAPE, `${key} @${n.attrs[key]} has ${got} values, ${alsoOne ? `1 or ${want}` : want} expected`);
  };
  const ch = channelsOf(input.shape);
  const groups = (n.attrs['groups'] as number | undefined) ?? 1;
  switch (n.op) {
    case 'linear': case 'conv2d': expect('bias', shapeOf('W')?.[0]); break;
    case 'convtranspose2d': { const w = shapeOf('W'); expect('bias', w ? w[1]! * groups : undefined); break; }
    case 'tlinear': case 'tconv2d': expect('bias', shapeOf('U')?.[0]); break;
    case 'scale': expect('s', ch); break;
    case 'bias': expect('b', ch); break;
    case 'mulconst': case 'requant': expect('c', ch, true); break;
  }
}
