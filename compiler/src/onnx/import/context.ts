/**
 * The state of one ONNX -> IR import and the view a per-op handler gets of its node.
 * Handlers read operands (dynamic values or constants), attributes, and emit IR nodes
 * whose output types come from the op table's inference (ops.ts), so a shape error
 * is found at the ONNX node that causes it.
 */
import {
  F32, TsvdcError, opFacts, type Attrs, type Const, type Node, type Origin, type TensorType,
} from '@tsvdc/ir';
import { ONNX_CODES, type OnnxCode } from '../codes.js';
import { constantOf, type GraphIndex } from '../graph.js';
import { ATTR, type AttributeProto, type NodeProto, type TensorProto } from '../proto.js';
import { intValues, tensorValues, weightValues } from '../tensor.js';

/** Thrown by a handler that cannot translate its node; the import records the reason. */
export class Unsupported extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A folded shape entry that is a dynamic (batch) dimension: dimension `axis` of ONNX value `value`. */
export interface DynamicDim {
  readonly value: string;
  readonly axis: number;
}

export interface UnsupportedNode {
  readonly node: string;
  readonly opType: string;
  readonly reason?: string;
}

export class ImportState {
  readonly values = new Map<string, TensorType>();
  readonly consts = new Map<string, Const>();
  /** IR nodes in order; a slot becomes undefined when a fold removes its node. */
  readonly nodes: Array<Node | undefined> = [];
  /** IR value -> index in `nodes`. */
  readonly producer = new Map<string, number>();
  /** ONNX value -> IR value, for ops import elides (Identity, Dropout). */
  readonly alias = new Map<string, string>();
  /** ONNX node indices already translated as part of another node's pattern. */
  readonly skip = new Set<number>();
  readonly unsupported: UnsupportedNode[] = [];
  /** Values that exist in ONNX but not in the IR (their producer was not imported). */
  readonly missing = new Set<string>();
  /** Constants import computed by folding nodes (constfold.ts), by ONNX value. */
  readonly folded = new Map<string, TensorProto>();
  /** Entries of folded shape tensors that are dynamic dimensions, by flat index (-1 in the tensor). */
  readonly dynamic = new Map<string, ReadonlyMap<number, DynamicDim>>();
  ternary = false;

  constructor(readonly g: GraphIndex, readonly opset: number) {}

  get file(): string {
    return this.g.file;
  }

  /** A constant name derived from `base`, unique in the module. */
  addConst(base: string, c: Const): string {
    let name = base;
    for (let i = 1; this.consts.has(name); i++) name = `${base}_${i}`;
    this.consts.set(name, c);
    return name;
  }

  /** The constant behind an ONNX value: initializer, Constant node, or folded by import. */
  constant(v: string): TensorProto | undefined {
    return constantOf(this.g, v) ?? this.folded.get(v);
  }

  /** IR value for an ONNX value. */
  resolve(v: string): string {
    return this.alias.get(v) ?? v;
  }

  /** Number of ONNX consumers of a value, plus one if it is a graph output. */
  uses(v: string): number {
    return (this.g.consumers.get(v)?.length ?? 0) + (this.g.outputs.includes(v) ? 1 : 0);
  }

  push(node: Node): void {
    const i = this.nodes.length;
    this.nodes.push(node);
    for (const o of node.outputs) this.producer.set(o, i);
  }
}

/** What a handler sees of its ONNX node. */
export class NodeCtx {
  constructor(readonly st: ImportState, readonly index: number) {}

  get node(): NodeProto {
    return this.st.g.nodes[this.index]!;
  }
  get name(): string {
    return this.st.g.names[this.index]!;
  }
  get opType(): string {
    return this.node.opType ?? '';
  }
  get origin(): Origin {
    return { file: this.st.file, node: this.name };
  }
  get opset(): number {
    return this.st.opset;
  }

  fail(code: OnnxCode, message: string): never {
    throw new TsvdcError(code, `${this.opType}: ${message}`, this.origin);
  }

  unsupported(reason: string): never {
    throw new Unsupported(reason);
  }

  /** Whether optional input i is given. */
  has(i: number): boolean {
    return (this.node.input[i] ?? '') !== '';
  }

  /** ONNX name of input i (checked present). */
  inputName(i: number): string {
    const v = this.node.input[i] ?? '';
    if (v === '') this.fail(ONNX_CODES.undefinedValue, `input ${i} is required`);
    return v;
  }

  /**
   * The constant behind input i, if any. A folded shape holding the dynamic batch size
   * is refused: only Reshape (and further folding) can use it, through `shapeInts`.
   */
  constant(i: number): TensorProto | undefined {
    if (!this.has(i)) return undefined;
    const v = this.node.input[i]!;
    if (this.st.dynamic.has(v)) this.unsupported(`input ${i} (${JSON.stringify(v)}) depends on the dynamic batch size`);
    return this.st.constant(v);
  }

  /** Whether input i is a constant (folded ones included, dynamic entries or not). */
  isConstant(i: number): boolean {
    return this.has(i) && this.st.constant(this.node.input[i]!) !== undefined;
  }

  /** An integer constant operand with its dynamic entries (-1 in `values`). */
  shapeInts(i: number, what: string): { values: number[]; dynamic: ReadonlyMap<number, DynamicDim> } {
    const v = this.inputName(i);
    const t = this.st.constant(v);
    if (!t) this.fail(ONNX_CODES.notConstant, `${what} (input ${i}, ${JSON.stringify(v)}) must be a constant (an initializer or a Constant node)`);
    return { values: intValues(t, this.origin), dynamic: this.st.dynamic.get(v) ?? new Map() };
  }

  /** IR value of dynamic input i. */
  value(i: number): string {
    const v = this.inputName(i);
    if (this.st.constant(v)) this.unsupported(`input ${i} (${JSON.stringify(v)}) is a constant where tsvdc expects a computed tensor`);
    return this.st.resolve(v);
  }

  type(i: number): TensorType {
    const t = this.st.values.get(this.value(i));
    if (!t) throw new TsvdcError(ONNX_CODES.undefinedValue, `${this.opType}: no type for input ${i}`, this.origin);
    return t;
  }

  private constOrFail(i: number, what: string): TensorProto {
    const t = this.constant(i);
    if (!t) this.fail(ONNX_CODES.notConstant, `${what} (input ${i}, ${JSON.stringify(this.node.input[i] ?? '')}) must be a constant (an initializer or a Constant node)`);
    return t;
  }

  /** A float weight operand: constant, finite. */
  weights(i: number, what: string): { dims: number[]; data: Float64Array; dtype: number } {
    const t = this.constOrFail(i, what);
    return { dims: [...t.dims], data: weightValues(t, this.origin), dtype: t.dataType ?? 0 };
  }

  /** An integer constant operand (shapes, axes). */
  ints(i: number, what: string): number[] {
    return intValues(this.constOrFail(i, what), this.origin);
  }

  /**
   * The `axes` of an op that reads them from input 1 from opset `since` on and from an
   * attribute before (Squeeze, Unsqueeze, ReduceMean); undefined when not given.
   */
  axes(since: number): number[] | undefined {
    if (this.opset >= since) return this.has(1) ? this.ints(1, 'axes') : undefined;
    return this.attr('axes') ? this.intList('axes', []) : undefined;
  }

  /** A constant operand as float64 values, any numeric dtype (Clip bounds, ratios). */
  numbers(i: number, what: string): Float64Array {
    return tensorValues(this.constOrFail(i, what), this.origin);
  }

  attr(name: string): AttributeProto | undefined {
    return this.node.attribute.find((a) => a.name === name);
  }

  private typed(name: string, type: number, what: string): AttributeProto | undefined {
    const a = this.attr(name);
    if (a && a.type !== undefined && a.type !== type) this.fail(ONNX_CODES.badAttribute, `attribute ${name} must be ${what}`);
    return a;
  }

  int(name: string, dflt: number): number {
    return this.typed(name, ATTR.INT, 'an integer')?.i ?? dflt;
  }
  float(name: string, dflt: number): number {
    return this.typed(name, ATTR.FLOAT, 'a float')?.f ?? dflt;
  }
  intList(name: string, dflt: readonly number[]): number[] {
    const a = this.typed(name, ATTR.INTS, 'a list of integers');
    return a ? [...a.ints] : [...dflt];
  }
  string(name: string, dflt: string): string {
    const a = this.typed(name, ATTR.STRING, 'a string');
    return a?.s ? new TextDecoder().decode(a.s) : dflt;
  }

  /** Fails unless the node's outputs beyond the first `n` are absent or unused. */
  onlyOutputs(n: number): void {
    this.node.output.forEach((o, i) => {
      if (i >= n && o !== '' && this.st.uses(o) > 0) this.unsupported(`output ${i} (${JSON.stringify(o)}) is used, tsvdc computes only the first ${n}`);
    });
  }

  /**
   * Emits an IR node; its outputs' types come from the op table. `suffix` names helper
   * nodes of one ONNX node (e.g. '/transA'); outputs default to the ONNX node's first output;
   * `as` replaces the node name (and origin node).
   */
  emit(op: string, inputs: readonly string[], attrs: Attrs, opts: { outputs?: readonly string[]; suffix?: string; part?: string; as?: string } = {}): string[] {
    const facts = opFacts(op);
    if (!facts) throw new TsvdcError(ONNX_CODES.unsupported, `${this.opType}: IR op ${op} does not exist`, this.origin);
    const outputs = opts.outputs ?? [this.node.output[0]!];
    const ins = inputs.map((v) => this.st.values.get(v)!);
    const res = facts.infer(ins, attrs, { getConst: (n) => this.st.consts.get(n), getTree: () => undefined });
    if (typeof res === 'string') this.fail(ONNX_CODES.shapeMismatch, res);
    res.forEach((r, k) => this.st.values.set(outputs[k]!, { shape: r.shape, elem: r.elem === 'free' ? F32 : r.elem }));
    // `as` names a node after something other than the ONNX node it starts at (a compressed layer)
    const base: Origin = opts.as !== undefined ? { ...this.origin, node: opts.as } : this.origin;
    const origin: Origin = opts.part ? { ...base, part: opts.part } : base;
    this.st.push({ op, name: (opts.as ?? this.name) + (opts.suffix ?? ''), inputs: [...inputs], outputs: [...outputs], attrs, origin });
    return [...outputs];
  }

  /** A fresh IR value name for a helper node's output. */
  temp(suffix: string): string {
    let name = `${this.node.output[0]}${suffix}`;
    for (let i = 1; this.st.values.has(name) || this.st.g.producer.has(name); i++) name = `${this.node.output[0]}${suffix}_${i}`;
    return name;
  }
}
