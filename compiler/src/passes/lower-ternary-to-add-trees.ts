/**
 * lower-ternary-to-add-trees: each tlinear / tconv2d becomes V stage (tmatvec / tconv, one
 * naive tree per layer; convs pad once, on V), scale, U stage and bias; all-negative V rows
 * are negated with their scale. Expects stage ternary; produces stage addtree.
 */
import {
  TsvdcError, dense, opFacts, ternaryGet, ternaryRowTerms, ternarySet, ternaryZeros, withModule,
  type AddTree, type Attrs, type Const, type DenseConst, type Module, type Node, type TensorType, type TernaryTensor,
} from '@tsvdc/ir';
import { buildNaive, type NaiveShape } from './addtree/naive.js';
import { rowsFromTernary } from './addtree/linear-forms.js';
import { PASS_CODES } from './codes.js';
import { expectStage } from './stage-check.js';

export interface LowerOptions {
  /** Shape of the naive trees (default 'balanced'). */
  readonly tree?: NaiveShape;
}

export function lowerTernaryToAddTrees(m: Module, options: LowerOptions = {}): Module {
  expectStage('lower-ternary-to-add-trees', m, ['ternary']);
  const out = new Lowering(m, options.tree ?? 'balanced');
  for (const n of m.nodes) {
    if (n.op === 'tlinear') out.tlinear(n);
    else if (n.op === 'tconv2d') out.tconv2d(n);
    else out.nodes.push(n);
  }
  return withModule(m, { stage: 'addtree', nodes: out.nodes, values: out.values, trees: out.trees, consts: out.consts });
}

class Lowering {
  readonly nodes: Node[] = [];
  readonly values: Map<string, TensorType>;
  readonly trees: Map<string, AddTree>;
  readonly consts: Map<string, Const>;

  constructor(private readonly m: Module, private readonly shape: NaiveShape) {
    this.values = new Map(m.values);
    this.trees = new Map(m.trees);
    this.consts = new Map(m.consts);
  }

  /**
   * V and s with every all-negative V row negated, and its scale with it: s * (V x) is
   * unchanged and the row's sum needs no negation. The originals when no row is.
   */
  private positiveRows(n: Node): { V: string; s: string } {
    const [vName, sName] = [this.str(n, 'V'), this.str(n, 's')];
    const v = this.constOf(n, 'V');
    const s = this.constOf(n, 's');
    if (v.kind !== 'ternary' || s.kind !== 'dense') return { V: vName, s: sName };
    const flip: number[] = [];
    for (let r = 0; r < v.rows; r++) {
      const { plus, minus } = ternaryRowTerms(v, r);
      if (plus.length === 0 && minus.length > 0) flip.push(r);
    }
    if (flip.length === 0 || s.data.length !== v.rows) return { V: vName, s: sName };
    const v2 = ternaryZeros(v.shape);
    v2.data.set(v.data);
    const s2 = new Float64Array(s.data);
    for (const r of flip) {
      for (let c = 0; c < v.cols; c++) if (ternaryGet(v, r, c) !== 0) ternarySet(v2, r, c, -ternaryGet(v, r, c));
      s2[r] = -s2[r]!;
    }
    const sOut: DenseConst = dense(s.shape, s.data instanceof Float32Array ? Float32Array.from(s2) : s2);
    return { V: this.freshConst(`${vName}.pos`, v2), s: this.freshConst(`${sName}.pos`, sOut) };
  }

  private freshConst(base: string, c: Const): string {
    let name = base;
    for (let k = 1; this.consts.has(name); k++) name = `${base}.${k}`;
    this.consts.set(name, c);
    return name;
  }

  /**
   * tlinear on [.., C]: scale and bias act on axis 1, so an input of rank > 2 works on
   * rows (reshape [-1, C], the stages, reshape back to [-1, T.., M]); reshapes move no
   * value, so every sum is the one tlinear computes.
   */
  tlinear(n: Node): void {
    const [x0, y0] = [n.inputs[0]!, n.outputs[0]!];
    const [xs, ys] = [this.values.get(x0)!.shape, this.values.get(y0)!.shape];
    const rows = xs.length > 2;
    if (rows && ys.slice(1).some((d) => d < 0)) {
      throw this.error(n, `tlinear on [${xs}]: only the first dimension may be dynamic (the rows are reshaped back to [-1, ${ys.slice(1).join(', ')}])`);
    }
    const x = rows ? this.emit(n, 'reshape', x0, this.fresh(`${x0}.rows`), { shape: [-1, xs[xs.length - 1]!] }, 'rows') : x0;
    const y = rows ? this.fresh(`${y0}.rows`) : y0;
    const hasBias = typeof n.attrs['bias'] === 'string';
    const vs = this.positiveRows(n);
    const t = this.emit(n, 'tmatvec', x, this.fresh(`${y0}.V`), { weights: vs.V, tree: this.tree(n, 'V', vs.V) }, 'V');
    const ts = this.emit(n, 'scale', t, this.fresh(`${y0}.s`), { s: vs.s }, 'scale');
    const u = this.emit(n, 'tmatvec', ts, hasBias ? this.fresh(`${y0}.U`) : y, { weights: this.str(n, 'U'), tree: this.tree(n, 'U') }, 'U');
    if (hasBias) this.emit(n, 'bias', u, y, { b: this.str(n, 'bias') }, 'bias');
    if (rows) this.emit(n, 'reshape', y, y0, { shape: [-1, ...ys.slice(1)] }, 'unrows');
  }

  tconv2d(n: Node): void {
    const a = n.attrs;
    const x = n.inputs[0]!;
    const y = n.outputs[0]!;
    const hasBias = typeof a['bias'] === 'string';
    const common = (prefix: 'v' | 'u'): Attrs => ({
      ...(a[`${prefix}Strides`] !== undefined ? { strides: a[`${prefix}Strides`]! } : {}),
      ...(a[`${prefix}Dilations`] !== undefined ? { dilations: a[`${prefix}Dilations`]! } : {}),
      ...(a['groups'] !== undefined ? { groups: a['groups'] } : {}),
    });
    const pads: Attrs = (a['pads'] as readonly number[] | undefined)?.some((p) => p !== 0) ? { pads: a['pads']! } : {};
    const vs = this.positiveRows(n);
    const t = this.emit(n, 'tconv', x, this.fresh(`${y}.V`), { weights: vs.V, tree: this.tree(n, 'V', vs.V), ...common('v'), ...pads }, 'V');
    const ts = this.emit(n, 'scale', t, this.fresh(`${y}.s`), { s: vs.s }, 'scale');
    const u = this.emit(n, 'tconv', ts, hasBias ? this.fresh(`${y}.U`) : y, { weights: this.str(n, 'U'), tree: this.tree(n, 'U'), ...common('u') }, 'U');
    if (hasBias) this.emit(n, 'bias', u, y, { b: this.str(n, 'bias') }, 'bias');
  }

  /** Appends one node; its output type comes from the op's own inference (elem: the input's). */
  private emit(src: Node, op: string, input: string, output: string, attrs: Attrs, part: string): string {
    const inType = this.values.get(input)!;
    const inferred = opFacts(op)!.infer([inType], attrs, {
      getConst: (k) => this.consts.get(k),
      getTree: (k) => this.trees.get(k),
    });
    if (typeof inferred === 'string') throw this.error(src, `${op} (${part}): ${inferred}`);
    const elem = inferred[0]!.elem === 'free' ? inType.elem : inferred[0]!.elem;
    this.values.set(output, { shape: inferred[0]!.shape, elem });
    this.nodes.push({
      op, inputs: [input], outputs: [output], attrs,
      ...(src.name !== undefined ? { name: output === src.outputs[0] ? src.name : `${src.name}.${part}` } : {}),
      origin: { ...(src.origin ?? {}), ...(src.name !== undefined && src.origin?.node === undefined ? { node: src.name } : {}), part },
    });
    return output;
  }

  /** The naive tree of ternary factor `key` ('U' or 'V'), named after the node. */
  private tree(n: Node, key: 'U' | 'V', weights = this.str(n, key)): string {
    const w = this.consts.get(weights)!;
    if (!w || w.kind !== 'ternary') throw this.error(n, `${key} must be a ternary constant, @${String(n.attrs[key])} is ${w?.kind ?? 'missing'}`);
    const name = this.freshTree(`${n.name ?? n.outputs[0]!}.${key}`);
    const origin = { ...(this.m.source !== undefined ? { file: this.m.source } : {}), ...(n.origin ?? {}), ...(n.name !== undefined && n.origin?.node === undefined ? { node: n.name } : {}), part: key };
    this.trees.set(name, buildNaive(rowsFromTernary(w as TernaryTensor), this.shape, origin));
    return name;
  }

  private constOf(n: Node, key: string): Const {
    const c = this.consts.get(this.str(n, key));
    if (!c) throw this.error(n, `constant ${key} = @${String(n.attrs[key])} does not exist`);
    return c;
  }

  private str(n: Node, key: string): string {
    const v = n.attrs[key];
    if (typeof v !== 'string') throw this.error(n, `attribute ${key} must name a constant`);
    return v;
  }

  private fresh(base: string): string {
    let name = base;
    for (let k = 1; this.values.has(name); k++) name = `${base}.${k}`;
    return name;
  }

  private freshTree(base: string): string {
    let name = base;
    for (let k = 1; this.trees.has(name); k++) name = `${base}.${k}`;
    return name;
  }

  private error(n: Node, reason: string): TsvdcError {
    return new TsvdcError(PASS_CODES.notLowerable, `cannot lower ${n.op}: ${reason}`, {
      ...(this.m.source !== undefined ? { file: this.m.source } : {}),
      ...(n.origin ?? {}),
      node: n.origin?.node ?? n.name ?? n.outputs[0]!,
    });
  }
}
