/**
 * add-tree-balance: bounds each row's depth by ceil(log2 fan-in) + slack: shared nodes are
 * rebuilt in minimum depth (free), then too-deep rows unfold their deepest shared operands
 * (costs adders). Expects stage addtree or integer; produces the same stage.
 */
import { liveNodes, TreeOp, TsvdcError, type AddTree, type Module } from '@tsvdc/ir';
import { compactTree } from './addtree/compact.js';
import { treeForms } from './addtree/linear-forms.js';
import { huffmanDepth, SumBuilder, type SignedNode } from './addtree/sum-builder.js';
import { PASS_CODES } from './codes.js';
import { expectStage, mapTrees } from './stage-check.js';
import { retypeLike } from './widths/tree-types.js';

export interface BalanceOptions {
  /** Levels allowed above ceil(log2 fan-in) per row (default 1); Infinity only rebuilds shared nodes. */
  readonly slack?: number;
}

export function addTreeBalance(m: Module, options: BalanceOptions = {}): Module {
  expectStage('add-tree-balance', m, ['addtree', 'integer']);
  const slack = options.slack ?? 1;
  if (!(slack >= 0)) throw new TsvdcError(PASS_CODES.badBalanceOption, `add-tree-balance: slack must be a number >= 0, got ${slack}`);
  return mapTrees(m, (tree) => retypeLike(balanceTree(tree, slack), tree));
}

/** Shared nodes of a tree and, for each, its signed shared operands (through unshared nodes). */
interface Units {
  readonly unit: Uint8Array;
  readonly start: Int32Array;
  /** unit id * 2 + negative */
  readonly part: Int32Array;
}

function units(t: AddTree): Units {
  const live = liveNodes(t);
  const refs = new Int32Array(t.size);
  for (let i = 0; i < t.size; i++) {
    if (!live[i] || t.op[i] === TreeOp.In) continue;
    refs[t.a[i]!]!++;
    if (t.op[i] !== TreeOp.Neg) refs[t.b[i]!]!++;
  }
  const unit = new Uint8Array(t.size);
  for (const o of t.outputs) if (o >= 0) unit[o] = 1;
  for (let i = 0; i < t.size; i++) if (live[i] && (t.op[i] === TreeOp.In || refs[i]! >= 2)) unit[i] = 1;
  const start = new Int32Array(t.size + 1);
  const part: number[] = [];
  const stack: number[] = [];
  for (let u = 0; u < t.size; u++) {
    if (unit[u] && t.op[u] !== TreeOp.In) {
      pushOperands(t, u, 0, stack);
      while (stack.length > 0) {
        const neg = stack.pop()!;
        const x = stack.pop()!;
        if (unit[x]) part.push(x * 2 + neg);
        else pushOperands(t, x, neg, stack);
      }
    }
    start[u + 1] = part.length;
  }
  return { unit, start, part: Int32Array.from(part) };
}

/** Pushes (operand, sign) pairs of node x entered with sign `neg`, first operand on top. */
function pushOperands(t: AddTree, x: number, neg: number, stack: number[]): void {
  const op = t.op[x]!;
  if (op === TreeOp.Neg) { stack.push(t.a[x]!, neg ^ 1); return; }
  stack.push(t.b[x]!, op === TreeOp.Sub ? neg ^ 1 : neg);
  stack.push(t.a[x]!, neg);
}

/** Lowest depth each row can have: ceil(log2 fan-in), one more when every term is negative. */
function rowFloors(t: AddTree): Int32Array {
  const f = treeForms(t);
  const floor = new Int32Array(f.rows);
  for (let r = 0; r < f.rows; r++) {
    let fanin = 0;
    let pos = false;
    for (let i = f.start[r]!; i < f.start[r + 1]!; i++) { fanin += Math.abs(f.coef[i]!); if (f.coef[i]! > 0) pos = true; }
    const count = [fanin + (pos || fanin === 0 ? 0 : 1)];
    floor[r] = fanin === 0 ? 0 : huffmanDepth(count);
  }
  return floor;
}

export function balanceTree(t: AddTree, slack = 1): AddTree {
  const u = units(t);
  const b = new SumBuilder(t.lanes, t.outputs.length, t.size + 16);
  const node = new Int32Array(t.size).fill(-1);
  const partsOf = (x: number): SignedNode[] => {
    const out: SignedNode[] = [];
    for (let i = u.start[x]!; i < u.start[x + 1]!; i++) out.push({ node: u.part[i]! >>> 1, neg: (u.part[i]! & 1) === 1 });
    return out;
  };
  for (let x = 0; x < t.size; x++) {
    if (!u.unit[x]) continue;
    b.b.currentRow = t.row[x]!;
    node[x] = t.op[x] === TreeOp.In ? b.lane(t.a[x]!) : b.value(partsOf(x).map((p) => ({ node: node[p.node]!, neg: p.neg })));
  }
  const floors = Number.isFinite(slack) ? rowFloors(t) : undefined;
  for (let r = 0; r < t.outputs.length; r++) {
    const o = t.outputs[r]!;
    b.b.currentRow = r;
    if (o < 0) { b.setOutput(r, -1); continue; }
    const target = floors ? floors[r]! + slack : Infinity;
    b.setOutput(r, b.depthOf(node[o]!) <= target ? node[o]! : b.value(expandRow(partsOf, node, b, o, target)));
  }
  return compactTree(b.finish(t.origin));
}

/**
 * The terms of row output o, unfolding the deepest shared operand into its parts until
 * a minimum-depth sum of the terms fits `target` (or only lanes are left).
 */
function expandRow(partsOf: (x: number) => SignedNode[], node: Int32Array, b: SumBuilder, o: number, target: number): SignedNode[] {
  const byDepth: SignedNode[][] = [];
  const count: number[] = [];
  let positives = 0;
  const add = (p: SignedNode): void => {
    const d = b.depthOf(node[p.node]!);
    while (byDepth.length <= d) { byDepth.push([]); count.push(0); }
    byDepth[d]!.push(p);
    count[d]!++;
    if (!p.neg) positives++;
  };
  partsOf(o).forEach(add);
  for (;;) {
    let deepest = count.length - 1;
    while (deepest > 0 && count[deepest] === 0) deepest--;
    if (deepest === 0 || depthWith(count, positives === 0) <= target) break;
    const p = byDepth[deepest]!.pop()!;
    count[deepest]!--;
    if (!p.neg) positives--;
    for (const q of partsOf(p.node)) add({ node: q.node, neg: q.neg !== p.neg });
  }
  return byDepth.flat().map((p) => ({ node: node[p.node]!, neg: p.neg }));
}

/** Depth of SumBuilder.value over these depth counts (a negated shallowest term when all are negative). */
function depthWith(count: readonly number[], allNegative: boolean): number {
  if (!allNegative) return huffmanDepth(count);
  const c = [...count, 0];
  const min = c.findIndex((n) => n > 0);
  c[min]!--;
  c[min + 1]!++;
  return huffmanDepth(c);
}
