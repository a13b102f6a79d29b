/**
 * Structural equality of modules: what `parseModule(printModule(m))` must preserve.
 * Everything is compared: header, inputs/outputs, value types, nodes (attrs, names,
 * origins), constants bit for bit (NaN payloads and -0 included), trees array by
 * array (interval bounds with Object.is). Maps of constants and trees are compared in
 * insertion order (the text keeps it); the values map and attribute records by key,
 * since their order carries no meaning and the text prints types where values are defined.
 */
import type { AddTree } from './addtree.js';
import type { FixedType } from './fixed.js';
import type { AttrValue, Module, Node } from './module.js';
import type { Origin } from './origin.js';
import { originEquals } from './origin.js';
import type { Const } from './tensor.js';
import { typeEquals } from './tensor.js';

/** True when the two modules are structurally equal (see moduleDiff). */
export function moduleEquals(a: Module, b: Module): boolean {
  return moduleDiff(a, b) === undefined;
}

const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

function listDiff(what: string, a: readonly unknown[], b: readonly unknown[]): string | undefined {
  if (a.length !== b.length) return `${what}: length ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `${what}[${i}]: ${show(a[i])} vs ${show(b[i])}`;
  return undefined;
}

/** The first difference between two modules as one line (for test messages), or undefined when equal. */
export function moduleDiff(a: Module, b: Module): string | undefined {
  if (a.name !== b.name) return `name: ${show(a.name)} vs ${show(b.name)}`;
  if (a.stage !== b.stage) return `stage: ${a.stage} vs ${b.stage}`;
  if (a.source !== b.source) return `source: ${show(a.source)} vs ${show(b.source)}`;
  return listDiff('inputs', a.inputs, b.inputs) ?? listDiff('outputs', a.outputs, b.outputs)
    ?? valuesDiff(a, b) ?? nodesDiff(a.nodes, b.nodes) ?? constsDiff(a, b) ?? treesDiff(a, b);
}

function valuesDiff(a: Module, b: Module): string | undefined {
  for (const [k, t] of a.values) {
    const u = b.values.get(k);
    if (!u) return `values: %${k} only in the first module`;
    if (!typeEquals(t, u)) return `values[%${k}]: ${show(t)} vs ${show(u)}`;
  }
  for (const k of b.values.keys()) if (!a.values.has(k)) return `values: %${k} only in the second module`;
  return undefined;
}

function originDiff(what: string, a: Origin | undefined, b: Origin | undefined): string | undefined {
  return originEquals(a, b) ? undefined : `${what}: ${show(a)} vs ${show(b)}`;
}

function nodesDiff(a: readonly Node[], b: readonly Node[]): string | undefined {
  if (a.length !== b.length) return `nodes: ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const w = `nodes[${i}]`;
    if (x.op !== y.op) return `${w}.op: ${x.op} vs ${y.op}`;
    if (x.name !== y.name) return `${w}.name: ${show(x.name)} vs ${show(y.name)}`;
    const d = listDiff(`${w}.inputs`, x.inputs, y.inputs) ?? listDiff(`${w}.outputs`, x.outputs, y.outputs)
      ?? attrsDiff(`${w}.attrs`, x.attrs, y.attrs) ?? originDiff(`${w}.origin`, x.origin, y.origin);
    if (d) return d;
  }
  return undefined;
}

function attrValueEquals(x: AttrValue, y: AttrValue): boolean {
  if (Array.isArray(x) || Array.isArray(y)) {
    return Array.isArray(x) && Array.isArray(y) && listDiff('', x, y) === undefined;
  }
  if (typeof x === 'object' && typeof y === 'object') {
    const [f, g] = [x as FixedType, y as FixedType];
    return f.width === g.width && f.frac === g.frac;
  }
  return Object.is(x, y);
}

function attrsDiff(what: string, a: Node['attrs'], b: Node['attrs']): string | undefined {
  const ka = Object.keys(a).filter((k) => a[k] !== undefined).sort();
  const kb = Object.keys(b).filter((k) => b[k] !== undefined).sort();
  const d = listDiff(`${what} keys`, ka, kb);
  if (d) return d;
  for (const k of ka) if (!attrValueEquals(a[k]!, b[k]!)) return `${what}.${k}: ${show(a[k])} vs ${show(b[k])}`;
  return undefined;
}

function bytesOf(x: ArrayBufferView): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}

/** Bitwise equality of the data arrays (and their element type). */
function dataDiff(what: string, a: ArrayBufferView, b: ArrayBufferView): string | undefined {
  if (a.constructor !== b.constructor) return `${what}: ${a.constructor.name} vs ${b.constructor.name}`;
  const [x, y] = [bytesOf(a), bytesOf(b)];
  if (x.length !== y.length) return `${what}: ${x.length} vs ${y.length} bytes`;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${what}: byte ${i} differs (${x[i]} vs ${y[i]})`;
  return undefined;
}

function constDiff(what: string, a: Const, b: Const): string | undefined {
  if (a.kind !== b.kind) return `${what}.kind: ${a.kind} vs ${b.kind}`;
  const d = listDiff(`${what}.shape`, a.shape, b.shape);
  if (d) return d;
  if (a.kind === 'ternary' && b.kind === 'ternary') {
    const e = listDiff(`${what} dims`, [a.rows, a.cols, a.wordsPerRow], [b.rows, b.cols, b.wordsPerRow]);
    if (e) return e;
  }
  return dataDiff(`${what}.data`, a.data, b.data);
}

function mapKeysDiff(what: string, a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): string | undefined {
  return listDiff(`${what} (names in order)`, [...a.keys()], [...b.keys()]);
}

function constsDiff(a: Module, b: Module): string | undefined {
  const d = mapKeysDiff('consts', a.consts, b.consts);
  if (d) return d;
  for (const [k, c] of a.consts) {
    const e = constDiff(`consts[@${k}]`, c, b.consts.get(k)!);
    if (e) return e;
  }
  return undefined;
}

function treesDiff(a: Module, b: Module): string | undefined {
  const d = mapKeysDiff('trees', a.trees, b.trees);
  if (d) return d;
  for (const [k, t] of a.trees) {
    const e = treeDiff(`trees[@${k}]`, t, b.trees.get(k)!);
    if (e) return e;
  }
  return undefined;
}

/** The first difference between two add trees, or undefined. */
export function treeDiff(what: string, a: AddTree, b: AddTree): string | undefined {
  if (a.lanes !== b.lanes) return `${what}.lanes: ${a.lanes} vs ${b.lanes}`;
  if (a.size !== b.size) return `${what}.size: ${a.size} vs ${b.size}`;
  for (const f of ['op', 'a', 'b', 'row', 'outputs'] as const) {
    const e = dataDiff(`${what}.${f}`, a[f], b[f]);
    if (e) return e;
  }
  const o = originDiff(`${what}.origin`, a.origin, b.origin);
  if (o) return o;
  if (!a.types || !b.types) return a.types === b.types ? undefined : `${what}.types: present in only one`;
  if (a.types.frac !== b.types.frac) return `${what}.types.frac: ${a.types.frac} vs ${b.types.frac}`;
  return dataDiff(`${what}.types.width`, a.types.width, b.types.width)
    ?? listDiff(`${what}.types.lo`, [...a.types.lo], [...b.types.lo]) ?? listDiff(`${what}.types.hi`, [...a.types.hi], [...b.types.hi]);
}
