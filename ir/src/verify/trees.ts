/**
 * Structure of add trees: arrays as long as the tree, known opcodes, operands that are
 * earlier nodes (ids are topological), `in` lanes in range, outputs in -1..size-1, nodes
 * interned (no two nodes with the same op and operands, `add` operands ordered), and, where
 * `types` is present, widths in 1..MAX_WIDTH and declared intervals that fit them.
 */
import type { AddTree } from '../addtree.js';
import { internKey, TREE_OP_NAMES, TreeOp } from '../addtree.js';
import { fits, MAX_WIDTH } from '../fixed.js';
import type { Module } from '../module.js';
import * as C from './codes.js';
import { FirstOf, treeOrigin, type Reporter } from './report.js';

/** Checks every tree; returns the names of those structurally sound. */
export function checkTrees(m: Module, r: Reporter): Set<string> {
  const ok = new Set<string>();
  for (const [name, t] of m.trees) {
    if (!arraysOk(name, t, r)) continue;
    const sound = nodesOk(name, t, r);
    if (sound) internedOk(name, t, r);
    if (t.types) typesOk(name, t, r);
    if (sound) ok.add(name);
  }
  return ok;
}

function arraysOk(name: string, t: AddTree, r: Reporter): boolean {
  const n = t.size;
  const lens = [t.op.length, t.a.length, t.b.length, t.row.length];
  const typeLens = t.types ? [t.types.width.length, t.types.lo.length, t.types.hi.length] : [];
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(t.lanes) || t.lanes < 0 || [...lens, ...typeLens].some((l) => l !== n)) {
    r.add(C.TREE_ARRAYS, `tree @${name}: size ${n}, lanes ${t.lanes}, but arrays of lengths [${lens}]${t.types ? `, types [${typeLens}]` : ''}`, treeOrigin(name, t.origin));
    return false;
  }
  return true;
}

function nodesOk(name: string, t: AddTree, r: Reporter): boolean {
  const opcode = new FirstOf(C.TREE_ARRAYS);
  const operand = new FirstOf(C.TREE_OPERAND);
  const lane = new FirstOf(C.TREE_LANE);
  const output = new FirstOf(C.TREE_OUTPUT);
  const at = (i: number) => treeOrigin(name, t.origin, t.row[i]);
  for (let i = 0; i < t.size; i++) {
    const op = t.op[i]!;
    const a = t.a[i]!;
    const b = t.b[i]!;
    if (op > TreeOp.Neg) opcode.hit(`tree @${name}: node ${i} has the unknown opcode ${op}`, at(i));
    else if (op === TreeOp.In) {
      if (a < 0 || a >= t.lanes) lane.hit(`tree @${name}: node ${i} reads lane ${a}, lanes are 0..${t.lanes - 1}`, at(i));
      if (b !== -1) operand.hit(`tree @${name}: in node ${i} has a second operand ${b} (must be -1)`, at(i));
    } else {
      if (a < 0 || a >= i) operand.hit(`tree @${name}: node ${i} reads node ${a}, operands must be earlier nodes`, at(i));
      if (op === TreeOp.Neg ? b !== -1 : b < 0 || b >= i) {
        operand.hit(`tree @${name}: node ${i} reads node ${b}, ${op === TreeOp.Neg ? 'neg takes one operand (b = -1)' : 'operands must be earlier nodes'}`, at(i));
      }
    }
  }
  t.outputs.forEach((o, row) => {
    if (o < -1 || o >= t.size) output.hit(`tree @${name}: output row ${row} points at node ${o}, nodes are 0..${t.size - 1}`, treeOrigin(name, t.origin, row));
  });
  const all = [opcode, operand, lane, output];
  for (const f of all) f.flush(r);
  return !all.some((f) => f.fired);
}

/**
 * Equal sub-trees are one node: that is what makes adder counts after sharing true counts,
 * and it holds for every tree the builder makes. A tree read from text could break it, so it
 * is an invariant here, not only a habit of the builder.
 */
function internedOk(name: string, t: AddTree, r: Reporter): void {
  const dup = new FirstOf(C.TREE_NOT_INTERNED);
  const seen = new Map<number, number>();
  for (let i = 0; i < t.size; i++) {
    const op = t.op[i]!;
    const a = t.a[i]!;
    const b = t.b[i]!;
    const at = treeOrigin(name, t.origin, t.row[i]);
    if (op === TreeOp.Add && a > b) {
      dup.hit(`tree @${name}: node ${i} is add %${a}, %${b}; an add's operands are ordered (add %${b}, %${a})`, at);
      continue;
    }
    const key = internKey(op as TreeOp, a, b);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else dup.hit(`tree @${name}: node ${i} repeats node ${first} (${TREE_OP_NAMES[op]} ${op === TreeOp.In ? `lane ${a}` : `%${a}${b >= 0 ? `, %${b}` : ''}`})`, at);
  }
  dup.flush(r);
}

function typesOk(name: string, t: AddTree, r: Reporter): void {
  const ty = t.types!;
  const width = new FirstOf(C.WIDTH_RANGE);
  const fitsW = new FirstOf(C.TREE_WIDTH);
  if (!Number.isInteger(ty.frac)) r.add(C.WIDTH_RANGE, `tree @${name}: frac ${ty.frac} is not an integer`, treeOrigin(name, t.origin));
  for (let i = 0; i < t.size; i++) {
    const w = ty.width[i]!;
    const lo = ty.lo[i]!;
    const hi = ty.hi[i]!;
    if (w < 1 || w > MAX_WIDTH) width.hit(`tree @${name}: node ${i} has width ${w}, outside 1..${MAX_WIDTH}`, treeOrigin(name, t.origin, t.row[i]));
    else if (!(lo <= hi) || !fits(lo, w) || !fits(hi, w)) {
      fitsW.hit(`tree @${name}: node ${i} declares [${lo}, ${hi}], which does not fit ${w} signed bits`, treeOrigin(name, t.origin, t.row[i]));
    }
  }
  width.flush(r);
  fitsW.flush(r);
}
