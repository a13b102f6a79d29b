/**
 * lower-ternary-to-add-trees: every tlinear / tconv2d becomes its V stage (tmatvec /
 * tconv with an add tree built once per layer; convolutions pad once, on the V stage),
 * the per-component scale, the U stage, and the bias. Trees start naive: one balanced
 * sum (or chain) per row. Expects stage ternary; produces stage addtree.
 */
import { TsvdcError, opFacts, withModule, type AddTree, type Attrs, type Const, type Module, type Node, type TensorType, type TernaryTensor } from '@tsvdc/ir';
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
  return withModule(m, { stage: 'addtree', nodes: out.nodes, values: out.values, trees: out.trees });
}

class Lowering {
  readonly nodes: Node[] = [];
  readonly values: Map<string, TensorType>;
  readonly trees: Map<string, AddTree>;

  constructor(private readonly m: Module, private readonly shape: NaiveShape) {
    this.values = new Map(m.values);
    this.trees = new Map(m.trees);
  }

  tlinear(n: Node): void {
    const x = n.inputs[0]!;
    const y = n.outputs[0]!;
    if (this.m.values.get(x)?.shape.length !== 2) {
      throw this.error(n, `tlinear on a rank-${this.m.values.get(x)?.shape.length} input: only [batch, features] inputs lower to tmatvec`);
    }
    const hasBias = typeof n.attrs['bias'] === 'string';
    const t = this.emit(n, 'tmatvec', x, this.fresh(`${y}.V`), { weights: this.str(n, 'V'), tree: this.tree(n, 'V') }, 'V');
    const ts = this.emit(n, 'scale', t, this.fresh(`${y}.s`), { s: this.str(n, 's') }, 'scale');
    const u = this.emit(n, 'tmatvec', ts, hasBias ? this.fresh(`${y}.U`) : y, { weights: this.str(n, 'U'), tree: this.tree(n, 'U') }, 'U');
    if (hasBias) this.emit(n, 'bias', u, y, { b: this.str(n, 'bias') }, 'bias');
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
    const t = this.emit(n, 'tconv', x, this.fresh(`${y}.V`), { weights: this.str(n, 'V'), tree: this.tree(n, 'V'), ...common('v'), ...pads }, 'V');
    const ts = this.emit(n, 'scale', t, this.fresh(`${y}.s`), { s: this.str(n, 's') }, 'scale');
    const u = this.emit(n, 'tconv', ts, hasBias ? this.fresh(`${y}.U`) : y, { weights: this.str(n, 'U'), tree: this.tree(n, 'U'), ...common('u') }, 'U');
    if (hasBias) this.emit(n, 'bias', u, y, { b: this.str(n, 'bias') }, 'bias');
  }

  /** Appends one node; its output type comes from the op's own inference (elem: the input's). */
  private emit(src: Node, op: string, input: string, output: string, attrs: Attrs, part: string): string {
    const inType = this.values.get(input)!;
    const inferred = opFacts(op)!.infer([inType], attrs, {
      getConst: (k) => this.m.consts.get(k),
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
  private tree(n: Node, key: 'U' | 'V'): string {
    const w = this.constOf(n, key);
    if (w.kind !== 'ternary') throw this.error(n, `${key} must be a ternary constant, @${String(n.attrs[key])} is ${w.kind}`);
    const name = this.freshTree(`${n.name ?? n.outputs[0]!}.${key}`);
    const origin = { ...(this.m.source !== undefined ? { file: this.m.source } : {}), ...(n.origin ?? {}), ...(n.name !== undefined && n.origin?.node === undefined ? { node: n.name } : {}), part: key };
    this.trees.set(name, buildNaive(rowsFromTernary(w as TernaryTensor), this.shape, origin));
    return name;
  }

  private constOf(n: Node, key: string): Const {
    const c = this.m.consts.get(this.str(n, key));
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
