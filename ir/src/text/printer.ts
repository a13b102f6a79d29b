/**
 * The printer: Module -> canonical text. Layout: header, constants (map order),
 * trees (map order), func. Types are printed where values are defined; attributes
 * in their op schema's order, each in the form its AttrSpec kind dictates. The
 * printer never fails: a module the parser would reject (an unknown op, a dangling
 * reference) still prints, so a broken pass can be inspected.
 */
import type { AddTree } from '../addtree.js';
import { TREE_OP_NAMES, TreeOp } from '../addtree.js';
import type { AttrValue, Module, Node } from '../module.js';
import type { AttrKind } from '../ops.js';
import { opFacts } from '../ops.js';
import type { Origin } from '../origin.js';
import type { ElemType, TensorType } from '../tensor.js';
import { printConst } from './const-form.js';
import { formatF64, quote, sigilName } from './literals.js';

/** Prints a module in the canonical text form (`parseModule` reads it back exactly). */
export function printModule(m: Module): string {
  const out: string[] = [];
  out.push(`module ${quote(m.name)} stage ${m.stage}${m.source !== undefined ? ` source ${quote(m.source)}` : ''}`, '');
  for (const [name, c] of m.consts) out.push(printConst(name, c));
  if (m.consts.size > 0) out.push('');
  for (const [name, t] of m.trees) printTree(out, name, t);
  printFunc(out, m);
  return out.join('\n') + '\n';
}

export function printLoc(o: Origin): string {
  const f: string[] = [];
  if (o.file !== undefined) f.push(`file=${quote(o.file)}`);
  if (o.node !== undefined) f.push(`node=${quote(o.node)}`);
  if (o.part !== undefined) f.push(`part=${quote(o.part)}`);
  if (o.row !== undefined) f.push(`row=${formatF64(o.row)}`);
  if (o.col !== undefined) f.push(`col=${formatF64(o.col)}`);
  if (o.line !== undefined) f.push(`line=${formatF64(o.line)}`);
  return `loc(${f.join(', ')})`;
}

/**
 * Appends the lines of one tree. Lines are joined in chunks: keeping 10^6 small line
 * strings alive until one final join made printing GC-bound (2/3 of the time).
 */
function printTree(out: string[], name: string, t: AddTree): void {
  const ty = t.types;
  const head = `tree ${sigilName('@', name)} lanes ${t.lanes} outputs ${t.outputs.length}`;
  out.push(`${head}${ty ? ` frac ${ty.frac}` : ''}${t.origin ? ` ${printLoc(t.origin)}` : ''} {`);
  const { op, a, b, row } = t;
  let chunk: string[] = [];
  const flush = (): void => {
    if (chunk.length > 0) out.push(chunk.join('\n'));
    chunk = [];
  };
  for (let i = 0; i < t.size; i++) {
    const o = op[i]!;
    let line: string;
    if (o === TreeOp.In) line = `  %${i} = in ${a[i]}`;
    else if (o === TreeOp.Neg) line = `  %${i} = neg %${a[i]}`;
    else line = `  %${i} = ${TREE_OP_NAMES[o] ?? `op${o}`} %${a[i]}, %${b[i]}`;
    if (ty) line += ` : i${ty.width[i]} [${formatF64(ty.lo[i]!)}, ${formatF64(ty.hi[i]!)}]`;
    if (row[i]! >= 0) line += ` row ${row[i]}`;
    chunk.push(line);
    if (chunk.length === 4096) flush();
  }
  for (let r = 0; r < t.outputs.length; r++) {
    const id = t.outputs[r]!;
    chunk.push(`  out ${r} = ${id < 0 ? 'zero' : `%${id}`}`);
    if (chunk.length === 4096) flush();
  }
  flush();
  out.push('}', '');
}

export function printElem(e: ElemType): string {
  return e.kind === 'float' ? `f${e.bits}` : `fx<${e.width},${e.frac}>`;
}

export function printType(t: TensorType | undefined): string {
  if (!t) return 'untyped';
  return `${printElem(t.elem)}[${t.shape.map((d) => (d === -1 ? '?' : String(d))).join(',')}]`;
}

function printFunc(out: string[], m: Module): void {
  const params = m.inputs.map((x) => `${sigilName('%', x)} : ${printType(m.values.get(x))}`);
  out.push(`func (${params.join(', ')}) -> (${m.outputs.map((x) => sigilName('%', x)).join(', ')}) {`);
  const defined = new Set(m.inputs);
  for (const n of m.nodes) for (const o of n.outputs) defined.add(o);
  // values typed in the map but defined by nothing: declared so that nothing is lost
  for (const [name, t] of m.values) if (!defined.has(name)) out.push(`  ${sigilName('%', name)} : ${printType(t)}`);
  for (const n of m.nodes) out.push(`  ${printNode(n, m)}`);
  out.push('}');
}

function printNode(n: Node, m: Module): string {
  const outs = n.outputs.length > 0 ? `${n.outputs.map((o) => sigilName('%', o)).join(', ')} = ` : '';
  let s = `${outs}${n.op}(${n.inputs.map((x) => sigilName('%', x)).join(', ')})`;
  const attrs = printAttrs(n);
  if (attrs) s += ` {${attrs}}`;
  if (n.outputs.length > 0) s += ` : ${n.outputs.map((o) => printType(m.values.get(o))).join(', ')}`;
  if (n.name !== undefined) s += ` name ${quote(n.name)}`;
  if (n.origin) s += ` ${printLoc(n.origin)}`;
  return s;
}

/** Attributes in schema order, then any the schema lacks (only in modules the parser would reject). */
function printAttrs(n: Node): string {
  const schema = opFacts(n.op)?.attrs ?? {};
  const parts: string[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const v = n.attrs[key];
    if (v !== undefined) parts.push(`${key}=${printAttrValue(v, spec.kind)}`);
  }
  for (const [key, v] of Object.entries(n.attrs)) {
    if (!(key in schema) && v !== undefined) parts.push(`${key}=${printAttrValue(v, undefined)}`);
  }
  return parts.join(', ');
}

function printAttrValue(v: AttrValue, kind: AttrKind | undefined): string {
  if (typeof v === 'string') return kind === 'const' || kind === 'tree' ? sigilName('@', v) : quote(v);
  if (typeof v === 'number') return formatF64(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${(v as readonly number[]).map(formatF64).join(', ')}]`;
  const f = v as { width: number; frac: number };
  return `fx<${f.width},${f.frac}>`;
}
