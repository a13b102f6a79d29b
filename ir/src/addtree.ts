/**
 * Add trees: for one ternary stage, a DAG whose leaves are input lanes and whose
 * inner nodes are add / sub / neg. Each output row points at a node, or is the
 * constant zero (-1). Sharing a node between rows IS common-subexpression
 * elimination.
 *
 * Representation: an arena of typed arrays with integer node ids (a 1024x1024 layer
 * has ~10^5..10^6 nodes; objects would cost 10x the memory). Ids are topologically
 * ordered: operands always have smaller ids than the node. Nodes are interned by
 * the builder: equal (op, a, b) is one id, and `add` is canonicalized with a <= b.
 * A finished tree is never mutated; passes build a new one.
 *
 * Semantics (exact in integers; in f32 mode, one rounding after every node, in id
 * order): in(l) = x[l]; add(a,b) = a+b; sub(a,b) = a-b; neg(a) = -a.
 *
 * Integer stage: `types` gives every node a signed width and the interval of values
 * it can take; all nodes share the tree's `frac` (additions do not move the point).
 */
import { InternalError, invariant } from './diagnostics.js';
import type { Origin } from './origin.js';

/** Node opcodes (a plain object, not an enum, so every toolchain sees the same values). */
export const TreeOp = { In: 0, Add: 1, Sub: 2, Neg: 3 } as const;
export type TreeOp = (typeof TreeOp)[keyof typeof TreeOp];

export const TREE_OP_NAMES = ['in', 'add', 'sub', 'neg'] as const;
export type TreeOpName = (typeof TREE_OP_NAMES)[number];

export interface TreeTypes {
  readonly frac: number;
  /** Signed width per node. */
  readonly width: Uint8Array;
  /** Interval of integer values per node. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

export interface AddTree {
  /** Number of input lanes. */
  readonly lanes: number;
  /** Number of nodes. */
  readonly size: number;
  /** Per node: TreeOp. */
  readonly op: Uint8Array;
  /** Per node: first operand id (for In: the lane index). */
  readonly a: Int32Array;
  /** Per node: second operand id (-1 for In and Neg). */
  readonly b: Int32Array;
  /** Per output row: node id, or -1 for the constant zero. */
  readonly outputs: Int32Array;
  /** Per node: the output row whose construction first created it (-1 if none), for origins. */
  readonly row: Int32Array;
  /** Where the stage came from (model file, ONNX node, part 'V' or 'U'). */
  readonly origin?: Origin;
  /** Present from the integer stage on. */
  readonly types?: TreeTypes;
}

const KEY_BASE = 2 ** 24; // (op * B + a) * B + b < 2^53 for ids < 2^24

/** The interning key of a node: equal keys are equal nodes (`b` is -1 for `in` and `neg`). */
export function internKey(op: TreeOp, a: number, b: number): number {
  return (op * KEY_BASE + a) * KEY_BASE + (b + 1);
}

/** A 32-bit hash of a node's structure, mixed so that its low bits index a table. */
function nodeHash(op: TreeOp, a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b + 1, 0x85ebca6b) ^ (op << 29), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}

/**
 * Builds an AddTree with structural interning. Usage:
 *   const b = new AddTreeBuilder(lanes); const x = b.lane(3); const s = b.add(x, b.lane(5));
 *   b.setOutput(row, s); const tree = b.finish(origin);
 */
export class AddTreeBuilder {
  private op: Uint8Array;
  private a: Int32Array;
  private b: Int32Array;
  private row: Int32Array;
  private n = 0;
  /**
   * Interning table: open addressing over the nodes' own arrays (slot = id + 1, 0 is
   * empty; a power of two in size, at most half full). A Map keyed by internKey took
   * a tenth of CSE's time on large trees (float keys are hashed as heap numbers).
   */
  private slots: Int32Array;
  private interned = 0;
  private readonly laneNode: Int32Array;
  private readonly outs: Int32Array;
  /** Row attributed to nodes created from now on (see AddTree.row). */
  currentRow = -1;

  constructor(readonly lanes: number, readonly outputCount: number, capacity = 1024) {
    invariant(lanes >= 0 && outputCount >= 0, 'AddTreeBuilder: negative size');
    this.op = new Uint8Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
    this.row = new Int32Array(capacity);
    this.slots = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(16, 2 * capacity))));
    this.laneNode = new Int32Array(lanes).fill(-1);
    this.outs = new Int32Array(outputCount).fill(-1);
  }

  get size(): number {
    return this.n;
  }

  lane(l: number): number {
    if (l < 0 || l >= this.lanes) throw new InternalError(`lane ${l} out of range 0..${this.lanes - 1}`);
    const existing = this.laneNode[l]!;
    if (existing >= 0) return existing;
    const id = this.push(TreeOp.In, l, -1);
    this.laneNode[l] = id;
    return id;
  }

  add(x: number, y: number): number {
    return x <= y ? this.node(TreeOp.Add, x, y) : this.node(TreeOp.Add, y, x);
  }

  sub(x: number, y: number): number {
    return this.node(TreeOp.Sub, x, y);
  }

  neg(x: number): number {
    return this.node(TreeOp.Neg, x, -1);
  }

  /** Op and operands of an existing node (for passes that inspect while building). */
  opOf(id: number): TreeOp {
    return this.op[id] as TreeOp;
  }
  operands(id: number): [number, number] {
    return [this.a[id]!, this.b[id]!];
  }

  setOutput(row: number, id: number): void {
    invariant(row >= 0 && row < this.outputCount, `output row ${row} out of range`);
    invariant(id >= -1 && id < this.n, `output node ${id} does not exist`);
    this.outs[row] = id;
  }

  finish(origin?: Origin, types?: TreeTypes): AddTree {
    const n = this.n;
    return {
      lanes: this.lanes,
      size: n,
      op: this.op.slice(0, n),
      a: this.a.slice(0, n),
      b: this.b.slice(0, n),
      row: this.row.slice(0, n),
      outputs: this.outs.slice(),
      ...(origin ? { origin } : {}),
      ...(types ? { types } : {}),
    };
  }

  private node(op: TreeOp, x: number, y: number): number {
    // the messages are built only on failure: a template argument would be built on every call
    if (!(x >= 0 && x < this.n)) throw new InternalError(`operand ${x} does not exist`);
    if (!(y >= -1 && y < this.n)) throw new InternalError(`operand ${y} does not exist`);
    const slots = this.slots;
    const mask = slots.length - 1;
    let h = nodeHash(op, x, y) & mask;
    for (let s = slots[h]!; s !== 0; s = slots[h]!) {
      if (this.a[s - 1] === x && this.b[s - 1] === y && this.op[s - 1] === op) return s - 1;
      h = (h + 1) & mask;
    }
    const id = this.push(op, x, y);
    slots[h] = id + 1;
    if (++this.interned * 2 > slots.length) this.rehash();
    return id;
  }

  /** Doubles the interning table (lanes are not in it: `lane` finds them by laneNode). */
  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.n; id++) {
      if (this.op[id] === TreeOp.In) continue;
      let h = nodeHash(this.op[id] as TreeOp, this.a[id]!, this.b[id]!) & mask;
      while (slots[h] !== 0) h = (h + 1) & mask;
      slots[h] = id + 1;
    }
    this.slots = slots;
  }

  private push(op: TreeOp, x: number, y: number): number {
    if (this.n >= KEY_BASE - 1) throw new InternalError('add tree exceeds 2^24 nodes');
    if (this.n === this.op.length) this.grow();
    const id = this.n++;
    this.op[id] = op;
    this.a[id] = x;
    this.b[id] = y;
    this.row[id] = this.currentRow;
    return id;
  }

  private grow(): void {
    const cap = this.op.length * 2;
    const op = new Uint8Array(cap); op.set(this.op); this.op = op;
    const a = new Int32Array(cap); a.set(this.a); this.a = a;
    const b = new Int32Array(cap); b.set(this.b); this.b = b;
    const r = new Int32Array(cap); r.set(this.row); this.row = r;
  }
}

/** Adds up signed lanes left to right: the naive tree of one ternary row. Returns -1 for an empty row. */
export function buildRowChain(b: AddTreeBuilder, plus: readonly number[], minus: readonly number[]): number {
  let acc = -1;
  for (const l of plus) acc = acc < 0 ? b.lane(l) : b.add(acc, b.lane(l));
  for (const l of minus) acc = acc < 0 ? b.neg(b.lane(l)) : b.sub(acc, b.lane(l));
  return acc;
}

/** Depth of every node (lanes at depth 0). */
export function treeDepths(t: AddTree): Uint16Array {
  const d = new Uint16Array(t.size);
  for (let i = 0; i < t.size; i++) {
    const op = t.op[i]!;
    if (op === TreeOp.In) d[i] = 0;
    else if (op === TreeOp.Neg) d[i] = d[t.a[i]!]! + 1;
    else d[i] = Math.max(d[t.a[i]!]!, d[t.b[i]!]!) + 1;
  }
  return d;
}

/** Number of add/sub/neg nodes reachable from the outputs (the adders hardware needs). */
export function countAdders(t: AddTree): number {
  return countAddersByGroup(t, 1);
}

/**
 * Adders one window evaluates when the rows are computed in `groups` equal blocks, each
 * on its own window (a grouped conv): per block, the nodes live for its rows, summed.
 */
export function countAddersByGroup(t: AddTree, groups: number): number {
  const per = t.outputs.length / groups;
  let n = 0;
  for (let g = 0; g < groups; g++) {
    const live = liveNodes(t, g * per, (g + 1) * per);
    for (let i = 0; i < t.size; i++) if (live[i] && t.op[i] !== TreeOp.In) n++;
  }
  return n;
}

/** Marks nodes reachable from some output (of rows rowFrom..rowTo-1 when given). */
export function liveNodes(t: AddTree, rowFrom = 0, rowTo = t.outputs.length): Uint8Array {
  const live = new Uint8Array(t.size);
  for (let r = rowFrom; r < rowTo; r++) {
    const o = t.outputs[r]!;
    if (o >= 0) live[o] = 1;
  }
  for (let i = t.size - 1; i >= 0; i--) {
    if (!live[i]) continue;
    const op = t.op[i]!;
    if (op === TreeOp.In) continue;
    live[t.a[i]!] = 1;
    if (op !== TreeOp.Neg) live[t.b[i]!] = 1;
  }
  return live;
}
