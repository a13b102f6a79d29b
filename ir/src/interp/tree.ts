/**
 * Add-tree evaluation over windows. Only the nodes live for the rows being computed are
 * evaluated (a grouped conv evaluates, per group, what that group's rows need), in node-id
 * order: in(l) = x[lane l]; add = a + b; sub = a - b; neg = -a; in f32 each node's result
 * is rounded. Rows pointing at -1 are 0. In exact mode every node's value is checked
 * against its declared width and interval (TSVDC610 / TSVDC611): a wrap is never silent.
 */
import type { AddTree } from '../addtree.js';
import { liveNodes, TreeOp } from '../addtree.js';
import { maxOf, minOf } from '../fixed.js';
import * as C from './codes.js';
import { type Ctx, fail } from './context.js';
import type { Windows } from './windows.js';

interface Program {
  /** Live node ids in increasing order, their opcodes and operands. */
  readonly ids: Int32Array;
  readonly op: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** With types: the tightest of width range and declared interval per live node (one compare pair in the hot loop). */
  readonly lo?: Float64Array;
  readonly hi?: Float64Array;
}

const programs = new WeakMap<AddTree, Map<string, Program>>();

function program(t: AddTree, rowFrom: number, rowTo: number): Program {
  let byRows = programs.get(t);
  if (!byRows) { byRows = new Map(); programs.set(t, byRows); }
  const key = `${rowFrom}:${rowTo}`;
  let p = byRows.get(key);
  if (!p) {
    const live = liveNodes(t, rowFrom, rowTo);
    const ids: number[] = [];
    for (let i = 0; i < t.size; i++) if (live[i]) ids.push(i);
    const idArr = Int32Array.from(ids);
    const ty = t.types;
    const bounds = ty ? {
      lo: Float64Array.from(ids, (i) => Math.max(minOf(ty.width[i]!), ty.lo[i]!)),
      hi: Float64Array.from(ids, (i) => Math.min(maxOf(ty.width[i]!), ty.hi[i]!)),
    } : {};
    p = { ids: idArr, op: Uint8Array.from(ids, (i) => t.op[i]!), a: Int32Array.from(ids, (i) => t.a[i]!), b: Int32Array.from(ids, (i) => t.b[i]!), ...bounds };
    byRows.set(key, p);
  }
  return p;
}

/** Evaluates `t` at every window; `check` (exact mode, typed tree) verifies each node value. */
export function treeMap(ctx: Ctx, t: AddTree, x: Float64Array, win: Windows, out: Float64Array, f32: boolean, check: boolean): void {
  const v = new Float64Array(t.size);
  const groups = new Map<number, Program>();
  for (let p = 0; p < win.positions; p++) {
    const g = win.group[p]!;
    let prog = groups.get(g);
    if (!prog) { prog = program(t, g * win.rowsPerGroup, (g + 1) * win.rowsPerGroup); groups.set(g, prog); }
    const base = win.inBase[p]!;
    if (check) runChecked(ctx, t, prog, v, x, base, win.laneOff);
    else runProgram(prog, v, x, base, win.laneOff, f32);
    const r0 = g * win.rowsPerGroup;
    for (let r = 0; r < win.rowsPerGroup; r++) {
      const id = t.outputs[r0 + r]!;
      out[win.outBase[p]! + r * win.outStride] = id < 0 ? 0 : v[id]!;
    }
  }
}

function runProgram(prog: Program, v: Float64Array, x: Float64Array, base: number, laneOff: Int32Array, f32: boolean): void {
  const { ids, op, a, b } = prog;
  const n = ids.length;
  for (let k = 0; k < n; k++) {
    let r: number;
    switch (op[k]) {
      case TreeOp.In: r = x[base + laneOff[a[k]!]!]!; break;
      case TreeOp.Add: r = v[a[k]!]! + v[b[k]!]!; break;
      case TreeOp.Sub: r = v[a[k]!]! - v[b[k]!]!; break;
      default: r = -v[a[k]!]!;
    }
    v[ids[k]!] = f32 ? Math.fround(r) : r;
  }
}

/** runProgram for integer data, checking each node against its bounds as it is computed. */
function runChecked(ctx: Ctx, t: AddTree, prog: Program, v: Float64Array, x: Float64Array, base: number, laneOff: Int32Array): void {
  const { ids, op, a, b, lo, hi } = prog as Required<Program>;
  const n = ids.length;
  for (let k = 0; k < n; k++) {
    let r: number;
    switch (op[k]) {
      case TreeOp.In: r = x[base + laneOff[a[k]!]!]!; break;
      case TreeOp.Add: r = v[a[k]!]! + v[b[k]!]!; break;
      case TreeOp.Sub: r = v[a[k]!]! - v[b[k]!]!; break;
      default: r = -v[a[k]!]!;
    }
    if (r < lo[k]! || r > hi[k]!) report(ctx, t, ids[k]!, r);
    v[ids[k]!] = r;
  }
}

/** Says which of the two checks failed (the hot loop above only knows that one did). */
function report(ctx: Ctx, t: AddTree, i: number, x: number): never {
  const ty = t.types!;
  const name = String(ctx.node.attrs['tree']);
  const w = ty.width[i]!;
  const row = t.row[i]! >= 0 ? { row: t.row[i]! } : {};
  if (x < minOf(w) || x > maxOf(w)) fail(ctx, C.TREE_NODE_OVERFLOW, `tree @${name}: node ${i} = ${x} does not fit ${w} signed bits`, row);
  fail(ctx, C.TREE_NODE_INTERVAL, `tree @${name}: node ${i} = ${x} is outside its declared [${ty.lo[i]}, ${ty.hi[i]}]`, row);
}
