/**
 * A small imperative builder of modules for tests and generators: values are named
 * v0, v1, ...; output types come from the op's inference (a 'free' element type, from
 * fixed-point inputs, must be given). Builds only; whether the result is valid is the
 * verifier's business.
 */
import type { AddTree } from '../../addtree.js';
import { InternalError } from '../../diagnostics.js';
import type { Attrs, Module, Node, Stage } from '../../module.js';
import { opFacts } from '../../ops.js';
import type { Origin } from '../../origin.js';
import type { Const, ElemType, TensorType } from '../../tensor.js';
import { F32 } from '../../tensor.js';

export class ModuleBuilder {
  private readonly values = new Map<string, TensorType>();
  private readonly nodes: Node[] = [];
  private readonly consts = new Map<string, Const>();
  private readonly trees = new Map<string, AddTree>();
  private readonly ins: string[] = [];
  private outs: string[] = [];
  private next = 0;

  constructor(readonly name: string, readonly stage: Stage) {}

  input(shape: readonly number[], elem: ElemType = F32, name = `in${this.ins.length}`): string {
    this.values.set(name, { shape: [...shape], elem });
    this.ins.push(name);
    return name;
  }

  /** Adds a constant under a fresh name with the given prefix; returns the name. */
  constant(prefix: string, c: Const): string {
    const name = this.fresh(prefix, this.consts);
    this.consts.set(name, c);
    return name;
  }

  tree(prefix: string, t: AddTree): string {
    const name = this.fresh(prefix, this.trees);
    this.trees.set(name, t);
    return name;
  }

  constOf(name: string): Const {
    const c = this.consts.get(name);
    if (!c) throw new InternalError(`builder: no constant ${name}`);
    return c;
  }

  typeOf(v: string): TensorType {
    const t = this.values.get(v);
    if (!t) throw new InternalError(`builder: no value ${v}`);
    return t;
  }

  /** Appends a node; returns its output value. `elem` overrides (and resolves 'free'). */
  op(op: string, inputs: readonly string[], attrs: Attrs = {}, elem?: ElemType, origin?: Origin): string {
    const facts = opFacts(op);
    if (!facts) throw new InternalError(`builder: unknown op ${op}`);
    const res = facts.infer(inputs.map((v) => this.typeOf(v)), attrs, {
      getConst: (k) => this.consts.get(k), getTree: (k) => this.trees.get(k),
    });
    if (typeof res === 'string') throw new InternalError(`builder: ${op}: ${res}`);
    const e = elem ?? res[0]!.elem;
    if (e === 'free') throw new InternalError(`builder: ${op} on fixed-point data needs an element type`);
    const out = `v${this.next++}`;
    this.values.set(out, { shape: res[0]!.shape, elem: e });
    const name = `n${this.nodes.length}`;
    this.nodes.push({ op, name, inputs: [...inputs], outputs: [out], attrs, origin: origin ?? { node: name } });
    return out;
  }

  output(...vs: string[]): this {
    this.outs = [...this.outs, ...vs];
    return this;
  }

  build(): Module {
    return {
      name: this.name, stage: this.stage, inputs: [...this.ins], outputs: [...this.outs],
      values: new Map(this.values), nodes: [...this.nodes], consts: new Map(this.consts), trees: new Map(this.trees),
    };
  }

  private fresh<T>(prefix: string, m: Map<string, T>): string {
    let i = 0;
    while (m.has(`${prefix}${i}`)) i++;
    return `${prefix}${i}`;
  }
}
