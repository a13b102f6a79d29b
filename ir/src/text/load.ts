/**
 * The semantic side of parsing: turns what the grammar recognized into a Module,
 * resolving names as it goes (values must be defined before use, @references must
 * name an existing constant or tree of the kind the attribute wants) and reporting
 * each problem with the position of the token that caused it.
 */
import type { IToken } from 'chevrotain';
import type { AddTree } from '../addtree.js';
import { TsvdcError } from '../diagnostics.js';
import type { AttrValue, Module, Node, Stage } from '../module.js';
import { STAGES } from '../module.js';
import type { AttrSpec } from '../ops.js';
import { opFacts } from '../ops.js';
import type { Origin } from '../origin.js';
import type { Const, TensorType } from '../tensor.js';
import { TEXT_CODES, type TextCode } from './codes.js';
import { decodeConst, type ConstTypeSpec, type ConstValueSpec } from './const-form.js';
import type { DefinitionOffsets } from './positions.js';
import { lineColAt } from './scan-error.js';
import type { TreeBodyData } from './tree-body.js';

/** An attribute value as written, before its op's schema gives it a meaning. */
export type AttrSyntax =
  | { readonly form: 'number'; readonly value: number; readonly at: number }
  | { readonly form: 'bool'; readonly value: boolean; readonly at: number }
  | { readonly form: 'string'; readonly value: string; readonly at: number }
  | { readonly form: 'list'; readonly items: readonly number[]; readonly at: number }
  | { readonly form: 'ref'; readonly name: string; readonly at: number }
  | { readonly form: 'fixed'; readonly width: number; readonly frac: number; readonly at: number };

export interface ParsedNode {
  readonly outputs: readonly IToken[];
  readonly op: IToken;
  readonly inputs: readonly IToken[];
  readonly attrs: ReadonlyArray<{ readonly key: IToken; readonly value: AttrSyntax }>;
  readonly types?: { readonly list: ReadonlyArray<TensorType | undefined>; readonly at: number };
  readonly name?: string;
  readonly origin?: Origin;
}

export interface TreeHeader {
  readonly name: IToken;
  readonly lanes: number;
  readonly outputs: number;
  readonly frac?: number;
  readonly origin?: Origin;
  readonly body: IToken;
}

const FORM_TEXT: Record<AttrSyntax['form'], string> = {
  number: 'a number', bool: 'true or false', string: 'a string', list: 'a list', ref: 'a reference @name', fixed: 'a fixed type fx<w,f>',
};
const KIND_TEXT: Record<AttrSpec['kind'], string> = {
  int: 'an integer', float: 'a number', bool: 'true or false', string: 'a string', ints: 'a list of integers',
  floats: 'a list of numbers', const: 'a constant reference @name', tree: 'a tree reference @name', fixed: 'a fixed type fx<w,f>',
};

export class Loader {
  private name = '';
  private stage: Stage = 'graph';
  private source: string | undefined;
  private readonly consts = new Map<string, Const>();
  private readonly trees = new Map<string, AddTree>();
  private readonly values = new Map<string, TensorType>();
  private readonly defined = new Set<string>();
  private readonly inputs: string[] = [];
  private readonly nodes: Node[] = [];
  /** Where each node, constant and tree is defined (see positions.ts). */
  readonly offsets: DefinitionOffsets = { nodes: [], consts: new Map(), trees: new Map() };

  constructor(readonly text: string, readonly file: string) {}

  fail(offset: number, code: TextCode, message: string): never {
    const { line, col } = lineColAt(this.text, offset);
    throw new TsvdcError(code, message, { file: this.file, line, col });
  }

  /** A token's number as a safe integer within [min, max]. */
  int(tok: IToken, what: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = Number(tok.image);
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? (min === 0 ? 'a non-negative integer' : 'an integer') : `an integer in ${min}..${max}`;
      this.fail(tok.startOffset, TEXT_CODES.badNumber, `expected ${range} for ${what}, found '${tok.image}'`);
    }
    return v;
  }

  header(name: string, stage: IToken, source: string | undefined): void {
    if (!(STAGES as readonly string[]).includes(stage.image)) {
      this.fail(stage.startOffset, TEXT_CODES.unknownStage, `unknown stage '${stage.image}' (expected one of ${STAGES.join(', ')})`);
    }
    this.name = name;
    this.stage = stage.image as Stage;
    this.source = source;
  }

  addConst(nameTok: IToken, type: ConstTypeSpec, value: ConstValueSpec): void {
    const name = nameTok.payload as string;
    if (this.consts.has(name)) this.fail(nameTok.startOffset, TEXT_CODES.duplicateConst, `constant @${name} is already defined`);
    this.consts.set(name, decodeConst(name, type, value, (at, code, msg) => this.fail(at, code, msg)));
    this.offsets.consts.set(name, nameTok.startOffset);
  }

  addTree(h: TreeHeader): void {
    const name = h.name.payload as string;
    if (this.trees.has(name)) this.fail(h.name.startOffset, TEXT_CODES.duplicateTree, `tree @${name} is already defined`);
    const body = h.body.payload as TreeBodyData;
    if (body.outputs.length !== h.outputs) {
      this.fail(body.closeAt, TEXT_CODES.treeOutputs, `tree @${name} declares ${h.outputs} outputs, its body has ${body.outputs.length}`);
    }
    if (h.frac !== undefined && body.untypedAt >= 0) {
      this.fail(body.untypedAt, TEXT_CODES.treeTypes, `node has no type ': iW [lo, hi]', but tree @${name} is typed (it has frac)`);
    }
    if (h.frac === undefined && body.typedAt >= 0) {
      this.fail(body.typedAt, TEXT_CODES.treeTypes, `node has a type, but tree @${name} has no 'frac' in its header`);
    }
    const tree: AddTree = {
      lanes: h.lanes, size: body.size, op: body.op, a: body.a, b: body.b, outputs: body.outputs, row: body.row,
      ...(h.origin ? { origin: h.origin } : {}),
      ...(h.frac !== undefined ? { types: { frac: h.frac, width: body.width, lo: body.lo, hi: body.hi } } : {}),
    };
    this.trees.set(name, tree);
    this.offsets.trees.set(name, h.name.startOffset);
  }

  /** Defines a value (module input, declaration or node output). */
  define(tok: IToken, type: TensorType | undefined): string {
    const name = tok.payload as string;
    if (this.defined.has(name)) this.fail(tok.startOffset, TEXT_CODES.duplicateValue, `value %${name} is already defined`);
    this.defined.add(name);
    if (type) this.values.set(name, type);
    return name;
  }

  input(tok: IToken, type: TensorType | undefined): void {
    this.inputs.push(this.define(tok, type));
  }

  use(tok: IToken): string {
    const name = tok.payload as string;
    if (!this.defined.has(name)) this.fail(tok.startOffset, TEXT_CODES.undefinedValue, `value %${name} is not defined before this use`);
    return name;
  }

  node(p: ParsedNode): void {
    const facts = opFacts(p.op.image);
    if (!facts) this.fail(p.op.startOffset, TEXT_CODES.unknownOp, `unknown op '${p.op.image}'`);
    const inputs = p.inputs.map((t) => this.use(t));
    const attrs: Record<string, AttrValue> = {};
    for (const { key, value } of p.attrs) {
      const spec = facts.attrs[key.image];
      if (!spec || !Object.prototype.hasOwnProperty.call(facts.attrs, key.image)) {
        const known = Object.keys(facts.attrs);
        this.fail(key.startOffset, TEXT_CODES.unknownAttr, `op ${facts.name} has no attribute '${key.image}'${known.length ? ` (it has ${known.join(', ')})` : ' (it has none)'}`);
      }
      if (Object.prototype.hasOwnProperty.call(attrs, key.image)) this.fail(key.startOffset, TEXT_CODES.duplicateAttr, `attribute '${key.image}' is given twice`);
      attrs[key.image] = this.attr(facts.name, key.image, spec, value);
    }
    const types = p.types?.list ?? p.outputs.map(() => undefined);
    if (types.length !== p.outputs.length) {
      this.fail(p.types!.at, TEXT_CODES.typeCount, `${p.outputs.length} output(s) but ${types.length} type(s)`);
    }
    const outputs = p.outputs.map((t, i) => this.define(t, types[i]));
    this.offsets.nodes.push((p.outputs[0] ?? p.op).startOffset);
    this.nodes.push({
      op: facts.name, inputs, outputs, attrs,
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.origin ? { origin: p.origin } : {}),
    });
  }

  private attr(op: string, key: string, spec: AttrSpec, v: AttrSyntax): AttrValue {
    const bad = (): never => this.fail(v.at, TEXT_CODES.badAttrValue, `attribute ${key} of ${op} expects ${KIND_TEXT[spec.kind]}, found ${FORM_TEXT[v.form]}`);
    switch (spec.kind) {
      case 'int': return v.form === 'number' && Number.isInteger(v.value) ? v.value : bad();
      case 'float': return v.form === 'number' ? v.value : bad();
      case 'bool': return v.form === 'bool' ? v.value : bad();
      case 'string': return v.form === 'string' ? v.value : bad();
      case 'ints': return v.form === 'list' && v.items.every(Number.isInteger) ? v.items : bad();
      case 'floats': return v.form === 'list' ? v.items : bad();
      case 'fixed': return v.form === 'fixed' ? { width: v.width, frac: v.frac } : bad();
      case 'const':
      case 'tree': {
        if (v.form !== 'ref') return bad();
        const exists = spec.kind === 'const' ? this.consts.has(v.name) : this.trees.has(v.name);
        if (!exists) this.fail(v.at, TEXT_CODES.undefinedRef, `${spec.kind === 'const' ? 'constant' : 'tree'} @${v.name} (attribute ${key} of ${op}) does not exist`);
        return v.name;
      }
    }
  }

  finish(outputs: readonly IToken[]): Module {
    return {
      name: this.name, stage: this.stage, ...(this.source !== undefined ? { source: this.source } : {}),
      inputs: this.inputs, outputs: outputs.map((t) => this.use(t)), values: this.values,
      nodes: this.nodes, consts: this.consts, trees: this.trees,
    };
  }
}
