/**
 * An AddTreeBuilder that knows every node's depth, and builds signed sums of
 * existing nodes in minimum depth (Huffman on depths: always combine the two
 * shallowest terms). Signs ride along so that a sum needs a `neg` only when all of
 * its terms are negative.
 */
import { AddTreeBuilder, type AddTree, type Origin } from '@tsvdc/ir';

/** A node with the sign it enters a sum with. */
export interface SignedNode {
  readonly node: number;
  readonly neg: boolean;
}

export class SumBuilder {
  readonly b: AddTreeBuilder;
  private depth = new Uint16Array(1024);

  constructor(lanes: number, outputs: number, capacity = 1024) {
    this.b = new AddTreeBuilder(lanes, outputs, capacity);
  }

  depthOf(id: number): number {
    return this.depth[id]!;
  }

  lane(l: number): number {
    return this.record(this.b.lane(l), 0);
  }

  add(x: number, y: number): number {
    return this.record(this.b.add(x, y), Math.max(this.depth[x]!, this.depth[y]!) + 1);
  }

  sub(x: number, y: number): number {
    return this.record(this.b.sub(x, y), Math.max(this.depth[x]!, this.depth[y]!) + 1);
  }

  neg(x: number): number {
    return this.record(this.b.neg(x), this.depth[x]! + 1);
  }

  /** m * x for an integer m >= 1, by doubling and adding (most significant bit first). */
  multiple(x: number, m: number): number {
    let acc = x;
    const bits = Math.floor(Math.log2(m));
    for (let k = bits - 1; k >= 0; k--) {
      acc = this.add(acc, acc);
      if (Math.floor(m / 2 ** k) % 2 === 1) acc = this.add(acc, x);
    }
    return acc;
  }

  /** Combines two signed terms with one adder; the result is negative only if both were. */
  combine(x: SignedNode, y: SignedNode): SignedNode {
    if (x.neg === y.neg) return { node: this.add(x.node, y.node), neg: x.neg };
    return x.neg ? { node: this.sub(y.node, x.node), neg: false } : { node: this.sub(x.node, y.node), neg: false };
  }

  /**
   * The signed sum of `terms` in minimum depth for their depths, or undefined when
   * empty. The result may be negative (all terms negative): see `value`.
   */
  sum(terms: readonly SignedNode[]): SignedNode | undefined {
    if (terms.length === 0) return undefined;
    const sorted = [...terms].sort((p, q) => this.depth[p.node]! - this.depth[q.node]! || p.node - q.node);
    // Two-queue Huffman: combined results come out in non-decreasing depth.
    const merged: SignedNode[] = [];
    let i = 0;
    let j = 0;
    const take = (): SignedNode => {
      if (j < merged.length && (i >= sorted.length || this.depth[merged[j]!.node]! < this.depth[sorted[i]!.node]!)) return merged[j++]!;
      return sorted[i++]!;
    };
    for (let left = sorted.length; left > 1; left--) {
      const x = take();
      const y = take();
      merged.push(this.combine(x, y));
    }
    return take();
  }

  /**
   * The node computing the signed sum exactly, or -1 for an empty sum. When every
   * term is negative one of them must be negated: the shallowest, which costs the
   * least depth (never more than negating the whole sum at the end).
   */
  value(terms: readonly SignedNode[]): number {
    if (terms.length === 0) return -1;
    if (terms.every((t) => t.neg)) {
      let k = 0;
      for (let i = 1; i < terms.length; i++) if (this.depth[terms[i]!.node]! < this.depth[terms[k]!.node]!) k = i;
      const rest = terms.filter((_, i) => i !== k);
      return this.sum([{ node: this.neg(terms[k]!.node), neg: false }, ...rest])!.node;
    }
    return this.sum(terms)!.node;
  }

  setOutput(row: number, node: number): void {
    this.b.setOutput(row, node);
  }

  finish(origin?: Origin): AddTree {
    return this.b.finish(origin);
  }

  private record(id: number, d: number): number {
    if (id >= this.depth.length) {
      const next = new Uint16Array(Math.max(this.depth.length * 2, id + 1));
      next.set(this.depth);
      this.depth = next;
    }
    this.depth[id] = d;
    return id;
  }
}

/**
 * Depth of the shallowest binary tree over items whose depths are counted in `count`
 * (count[d] items at depth d), which is what `sum` builds: carrying up level by level,
 * ceil(n / 2) nodes reach the next level. Exact in integers (no 2^d sums).
 */
export function huffmanDepth(count: ArrayLike<number>): number {
  let n = 0;
  for (let d = 0; d < count.length; d++) n = Math.ceil(n / 2) + count[d]!;
  let level = count.length - 1;
  for (; n > 1; level++) n = Math.ceil(n / 2);
  return Math.max(level, 0);
}
