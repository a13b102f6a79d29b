/**
 * bit-widths: interval analysis from every quantize / requant range gives each tree node
 * (AddTree.types) and each non-saturating fixed result the smallest signed width that never
 * overflows. Expects stage integer (or scheduled); produces the same stage.
 */
import {
  MAX_WIDTH, TsvdcError, fixedElem, shrRound, withModule, widthFor, maxOf, minOf,
  type AddTree, type ElemType, type FixedType, type IntConst, type Module, type Node, type TensorType, type TernaryTensor,
} from '@tsvdc/ir';
import { PASS_CODES } from './codes.js';
import { expectStage } from './stage-check.js';
import { at, denseRows, featureLanes, laneUnion, mapMonotone, ranges, scaleBy, spread, ternaryRows, treeRows, union, windowLanes, type Ranges } from './widths/ranges.js';
import { typeTree, type LaneIntervals } from './widths/tree-types.js';

/** Ops whose fixed-point result width is free (their frac is their input's). */
const FREE = new Set(['tmatvec', 'tconv', 'linear', 'conv2d', 'bias', 'add']);

export function bitWidths(m: Module): Module {
  expectStage('bit-widths', m, ['integer', 'scheduled']);
  // concat needs equal operand widths: widen its operands and run again (at most once per concat)
  let forced = new Map<string, number>();
  for (let round = 0; ; round++) {
    const a = new WidthAnalysis(m, forced);
    for (const n of m.nodes) a.node(n);
    const next = a.concatWidths();
    if (next.size === 0 || round > m.nodes.length) return a.result();
    forced = new Map([...forced, ...next]);
  }
}

class WidthAnalysis {
  private readonly env = new Map<string, Ranges>();
  private readonly values: Map<string, TensorType>;
  private readonly trees: Map<string, AddTree>;
  private readonly nodes: Node[] = [];
  private readonly treeLanes = new Map<string, LaneIntervals>();

  constructor(private readonly m: Module, private readonly forced: ReadonlyMap<string, number>) {
    this.values = new Map(m.values);
    this.trees = new Map(m.trees);
    for (const v of m.inputs) {
      const t = m.values.get(v)!;
      if (t.elem.kind === 'fixed') this.env.set(v, ranges(1, minOf(t.elem.width), maxOf(t.elem.width)));
    }
  }

  result(): Module {
    return withModule(this.m, { nodes: this.nodes, values: this.values, trees: this.trees });
  }

  node(n: Node): void {
    const x = this.values.get(n.inputs[0] ?? '');
    const ins = n.inputs.map((v) => this.env.get(v));
    const fixedOut = n.op === 'quantize' || (x?.elem.kind === 'fixed' && n.op !== 'dequantize');
    if (!fixedOut || (n.op !== 'quantize' && ins.some((r) => r === undefined))) {
      this.nodes.push(n);
      return;
    }
    const r = this.transfer(n, ins as Ranges[]);
    const [node, elem] = this.typed(n, r, x?.elem);
    const out = n.outputs[0]!;
    this.values.set(out, { shape: this.values.get(out)!.shape, elem });
    this.env.set(out, r);
    this.nodes.push(node);
  }

  /** Output elem of n (and n with narrowed type attributes). */
  private typed(n: Node, r: Ranges, inElem: ElemType | undefined): [Node, ElemType] {
    const [lo, hi] = r.lo.length ? union(r) : [0, 0];
    const need = Math.max(this.width(n, lo, hi), this.forced.get(n.outputs[0]!) ?? 1);
    const frac = (inElem as FixedType | undefined)?.frac ?? 0;
    if (n.op === 'quantize' || n.op === 'requant') return [n, this.values.get(n.outputs[0]!)!.elem];
    if (n.op === 'mulconst' || n.op === 'shrround') {
      const t = n.attrs['type'] as FixedType;
      return [{ ...n, attrs: { ...n.attrs, type: { width: need, frac: t.frac } } }, fixedElem(need, t.frac)];
    }
    if (FREE.has(n.op)) return [n, fixedElem(need, frac)];
    if (n.op === 'concat') return [n, fixedElem(need, frac)];
    return [n, this.values.get(n.inputs[0]!)!.elem];
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

  private transfer(n: Node, ins: readonly Ranges[]): Ranges {
    const x = ins[0]!;
    const a = n.attrs;
    const inType = this.values.get(n.inputs[0] ?? '');
    switch (n.op) {
      case 'quantize': { const t = a['type'] as FixedType; return ranges(1, minOf(t.width), maxOf(t.width)); }
      case 'requant': return this.requant(n, x);
      case 'mulconst': return this.times(n, x);
      case 'shrround': return mapMonotone(x, (v) => shrRound(v, a['shift'] as number));
      case 'clamp': return mapMonotone(x, (v) => Math.min(Math.max(v, a['lo'] as number), a['hi'] as number));
      case 'relu': return mapMonotone(x, (v) => Math.max(v, 0));
      case 'maxpool2d': case 'identity': return x;
      case 'pad': return padRanges(x, (a['value'] as number | undefined) ?? 0);
      case 'bias': { const b = this.intConst(n, 'b'); return mapMonotone(spread(x, b.data.length), (v, c) => v + b.data[c]!); }
      case 'add': return addRanges(x, ins[1]!, inType!, this.values.get(n.inputs[1]!)!);
      case 'tmatvec': return this.tmatvec(n, x, inType!);
      case 'tconv': return this.tconv(n, x);
      case 'linear': return this.linear(n, x, inType!);
      case 'conv2d': return this.conv2d(n, x);
      default: return shapeRanges(n, ins, n.inputs.map((v) => this.values.get(v)!), this.values.get(n.outputs[0]!)!);
    }
  }

  private intConst(n: Node, key: string): IntConst {
    return this.m.consts.get(n.attrs[key] as string) as IntConst;
  }

  private times(n: Node, x: Ranges): Ranges {
    const c = this.intConst(n, 'c');
    const xs = c.data.length === 1 ? x : spread(x, c.data.length);
    const out = ranges(xs.lo.length);
    for (let k = 0; k < xs.lo.length; k++) [out.lo[k], out.hi[k]] = scaleBy(xs.lo[k]!, xs.hi[k]!, c.data.length === 1 ? c.data[0]! : c.data[k]!);
    return out;
  }

  private requant(n: Node, x: Ranges): Ranges {
    const t = n.attrs['type'] as FixedType;
    const k = n.attrs['shift'] as number;
    return mapMonotone(this.times(n, x), (v) => Math.min(Math.max(shrRound(v, k), minOf(t.width)), maxOf(t.width)));
  }

  private tmatvec(n: Node, x: Ranges, inType: TensorType): Ranges {
    const w = this.m.consts.get(n.attrs['weights'] as string) as TernaryTensor;
    const lanes = featureLanes(x, inType.shape.length, w.cols);
    const t = this.typeTreeOf(n, lanes, inType);
    const rows = t ? treeRows(t, lanes) : ternaryRows(w, lanes);
    return inType.shape.length === 2 ? rows : ranges(1, ...union(rows));
  }

  private tconv(n: Node, x: Ranges): Ranges {
    const w = this.m.consts.get(n.attrs['weights'] as string) as TernaryTensor;
    const [cout, cinG, k1, k2] = w.shape as [number, number, number, number];
    const g = (n.attrs['groups'] as number | undefined) ?? 1;
    const padded = ((n.attrs['pads'] as number[] | undefined) ?? []).some((p) => p > 0);
    const perGroup = Array.from({ length: g }, (_, gi) => windowLanes(x, gi, cinG, k1 * k2, padded));
    const t = this.typeTreeOf(n, laneUnion(perGroup), this.values.get(n.inputs[0]!)!);
    const out = ranges(cout);
    const per = cout / g;
    perGroup.forEach((lanes, gi) => {
      const rows = t ? treeRows(t, lanes, gi * per, (gi + 1) * per) : ternaryRows(w, lanes, gi * per, (gi + 1) * per);
      out.lo.set(rows.lo, gi * per);
      out.hi.set(rows.hi, gi * per);
    });
    return out;
  }

  /** Types the node's tree from its lanes (widened to every use's lanes); undefined without a tree. */
  private typeTreeOf(n: Node, lanes: LaneIntervals, inType: TensorType): AddTree | undefined {
    const name = n.attrs['tree'];
    if (typeof name !== 'string') return undefined;
    const prev = this.treeLanes.get(name);
    const all = prev ? laneUnion([prev, lanes]) : lanes;
    this.treeLanes.set(name, all);
    const t = typeTree(this.m.trees.get(name)!, all, (inType.elem as FixedType).frac);
    this.trees.set(name, t);
    return t;
  }

  private linear(n: Node, x: Ranges, inType: TensorType): Ranges {
    const w = this.intConst(n, 'W');
    const [m, k] = [w.shape[0]!, w.shape[1]!];
    const lanes = featureLanes(x, inType.shape.length, k);
    const bias = typeof n.attrs['bias'] === 'string' ? this.intConst(n, 'bias').data : undefined;
    const rows = denseRows(w.data, m, k, () => lanes, bias);
    return inType.shape.length === 2 ? rows : ranges(1, ...union(rows));
  }

  private conv2d(n: Node, x: Ranges): Ranges {
    const w = this.intConst(n, 'W');
    const [cout, cinG, k1, k2] = w.shape as [number, number, number, number];
    const g = (n.attrs['groups'] as number | undefined) ?? 1;
    const padded = ((n.attrs['pads'] as number[] | undefined) ?? []).some((p) => p > 0);
    const bias = typeof n.attrs['bias'] === 'string' ? this.intConst(n, 'bias').data : undefined;
    return denseRows(w.data, cout, cinG * k1 * k2, (o) => windowLanes(x, Math.floor(o / (cout / g)), cinG, k1 * k2, padded), bias);
  }
}

function padRanges(x: Ranges, v: number): Ranges {
  const out = ranges(x.lo.length);
  for (let c = 0; c < x.lo.length; c++) { out.lo[c] = Math.min(x.lo[c]!, v); out.hi[c] = Math.max(x.hi[c]!, v); }
  return out;
}

function addRanges(p: Ranges, q: Ranges, tp: TensorType, tq: TensorType): Ranges {
  const aligned = tp.shape.length === tq.shape.length && tp.shape.length >= 2;
  const [A, B] = aligned ? [p, q] : [ranges(1, ...union(p)), ranges(1, ...union(q))];
  const ch = Math.max(A.lo.length, B.lo.length);
  const out = ranges(ch);
  for (let c = 0; c < ch; c++) {
    const [alo, ahi] = at(A, c);
    const [blo, bhi] = at(B, c);
    out.lo[c] = alo + blo;
    out.hi[c] = ahi + bhi;
  }
  return out;
}

/** Data movement: channels survive flatten(axis 1), concat(axis 1) and layouts keeping axes 0 and 1; else one union. */
function shapeRanges(n: Node, ins: readonly Ranges[], inTs: readonly TensorType[], outT: TensorType): Ranges {
  const x = ins[0]!;
  const inT = inTs[0]!;
  const axis = (n.attrs['axis'] as number | undefined) ?? 1;
  if (n.op === 'concat') {
    if (axis !== 1 || inTs.some((t) => t.shape.length < 2)) {
      return ranges(1, Math.min(...ins.map((r) => union(r)[0])), Math.max(...ins.map((r) => union(r)[1])));
    }
    const parts = ins.map((r, k) => spread(r, inTs[k]!.shape[1]!));
    const out = ranges(parts.reduce((s, r) => s + r.lo.length, 0));
    let off = 0;
    for (const r of parts) { out.lo.set(r.lo, off); out.hi.set(r.hi, off); off += r.lo.length; }
    return out;
  }
  if (n.op === 'flatten' && axis === 1 && inT.shape.length >= 2 && x.lo.length > 1) {
    const inner = inT.shape.slice(2).reduce((p, d) => p * d, 1);
    const out = ranges(x.lo.length * inner);
    for (let c = 0; c < x.lo.length; c++) { out.lo.fill(x.lo[c]!, c * inner, (c + 1) * inner); out.hi.fill(x.hi[c]!, c * inner, (c + 1) * inner); }
    return out;
  }
  const keeps = outT.shape.length >= 2 && inT.shape.length >= 2 && outT.shape[0] === inT.shape[0] && outT.shape[1] === inT.shape[1]
    && (n.op !== 'transpose' || ((n.attrs['perm'] as number[])[0] === 0 && (n.attrs['perm'] as number[])[1] === 1));
  return keeps ? x : ranges(1, ...union(x));
}
