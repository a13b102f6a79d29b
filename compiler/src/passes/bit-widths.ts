/**
 * bit-widths: ir's interval analysis (from every quantize / requant range) gives each tree
 * node (AddTree.types) and each non-saturating fixed result the smallest signed width that
 * never overflows. Expects stage integer (or scheduled); produces the same stage.
 */
import {
  MAX_WIDTH, TsvdcError, analyzeIntervals, fixedElem, hull, joinLanes, withModule, widthFor,
  type AddTree, type ElemType, type FixedType, type IntervalAnalysis, type Module, type Node, type OpIntervals, type Ranges, type TensorType,
} from '@tsvdc/ir';
import { PASS_CODES } from './codes.js';
import { expectStage } from './stage-check.js';
import { typeTree } from './widths/tree-types.js';

/** Ops whose fixed-point result width is free (their frac is their input's). */
const FREE = new Set(['tmatvec', 'tconv', 'linear', 'conv2d', 'bias', 'add', 'concat']);

export function bitWidths(m: Module): Module {
  expectStage('bit-widths', m, ['integer', 'scheduled']);
  const found = analyzeIntervals(m);
  const trees = new TreeTyping(m);
  // concat needs equal operand widths: widen its operands and size again (at most once per concat)
  let forced = new Map<string, number>();
  for (let round = 0; ; round++) {
    const a = new WidthSizing(m, found, trees, forced);
    m.nodes.forEach((n, i) => a.node(n, i));
    const next = a.concatWidths();
    if (next.size === 0 || round > m.nodes.length) return withModule(m, { nodes: a.nodes, values: a.values, trees: trees.trees });
    forced = new Map([...forced, ...next]);
  }
}

/**
 * Types every tree from the lanes of all its uses so far (a tree shared by several ops or
 * groups holds the values of each), once per using node, in node order.
 */
class TreeTyping {
  readonly trees: Map<string, AddTree>;
  private readonly lanes = new Map<string, Ranges>();
  private readonly done = new Set<number>();

  constructor(private readonly m: Module) {
    this.trees = new Map(m.trees);
  }

  use(n: Node, index: number, found: OpIntervals): void {
    if (this.done.has(index) || found.uses.length === 0) return;
    this.done.add(index);
    const name = found.uses[0]!.tree;
    const prev = this.lanes.get(name);
    const all = joinLanes([...(prev ? [prev] : []), ...found.uses.map((u) => u.lanes)]);
    this.lanes.set(name, all);
    const frac = (this.m.values.get(n.inputs[0]!)!.elem as FixedType).frac;
    this.trees.set(name, typeTree(this.m.trees.get(name)!, all, frac));
  }
}

/** One sizing of every fixed value from the analysis (`forced`: concat operands widened). */
class WidthSizing {
  readonly values: Map<string, TensorType>;
  readonly nodes: Node[] = [];

  constructor(private readonly m: Module, private readonly found: IntervalAnalysis, private readonly trees: TreeTyping,
    private readonly forced: ReadonlyMap<string, number>) {
    this.values = new Map(m.values);
  }

  node(n: Node, index: number): void {
    const found = this.found.ops[index];
    if (!found) {
      this.nodes.push(n);
      return;
    }
    this.trees.use(n, index, found);
    const [node, elem] = this.typed(n, found.result);
    const out = n.outputs[0]!;
    this.values.set(out, { shape: this.values.get(out)!.shape, elem });
    this.nodes.push(node);
  }

  /** Output elem of n (and n with narrowed type attributes). */
  private typed(n: Node, r: Ranges): [Node, ElemType] {
    const u = hull(r);
    const [lo, hi] = r.lo.length ? [u.lo[0]!, u.hi[0]!] : [0, 0];
    const need = Math.max(this.width(n, lo, hi), this.forced.get(n.outputs[0]!) ?? 1);
    const inElem = this.values.get(n.inputs[0] ?? '')?.elem;
    if (n.op === 'quantize' || n.op === 'requant') return [n, this.values.get(n.outputs[0]!)!.elem];
    if (n.op === 'mulconst' || n.op === 'shrround') {
      const t = n.attrs['type'] as FixedType;
      return [{ ...n, attrs: { ...n.attrs, type: { width: need, frac: t.frac } } }, fixedElem(need, t.frac)];
    }
    if (FREE.has(n.op)) return [n, fixedElem(need, (inElem as FixedType | undefined)?.frac ?? 0)];
    return [n, inElem!];
  }

  private width(n: Node, lo: number, hi: number): number {
    const w = Math.abs(lo) < 2 ** MAX_WIDTH && Math.abs(hi) < 2 ** MAX_WIDTH ? widthFor(lo, hi) : MAX_WIDTH + 1;
    if (w > MAX_WIDTH) {
      throw new TsvdcError(PASS_CODES.tooWide, `%${n.outputs[0]} can reach [${lo}, ${hi}], more than ${MAX_WIDTH} bits`, { ...(this.m.source ? { file: this.m.source } : {}), ...(n.origin ?? {}) });
    }
    return w;
  }

  /** Operands of each concat that must grow to its widest operand (empty when none). */
  concatWidths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const n of this.nodes) {
      if (n.op !== 'concat') continue;
      const ws = n.inputs.map((v) => { const e = this.values.get(v)!.elem; return e.kind === 'fixed' ? e.width : 0; });
      const max = Math.max(...ws);
      n.inputs.forEach((v, i) => { if (ws[i]! > 0 && ws[i]! < max && (this.forced.get(v) ?? 0) < max) out.set(v, max); });
    }
    return out;
  }
}
