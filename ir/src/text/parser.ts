/**
 * The grammar of the IR text form (chevrotain, embedded actions). Every semantic
 * step is delegated to the Loader inside ACTION, so the grammar reads as a grammar:
 *
 *   module    := 'module' STRING 'stage' NAME ('source' STRING)? (const | tree)* func
 *   const     := 'const' @NAME ':' ('dense' ('f32'|'f64') | 'int' | 'ternary') shape '=' payload
 *   payload   := 'base64' STRING | 'tern2' STRING | '[' numbers ']'
 *   tree      := 'tree' @NAME 'lanes' INT 'outputs' INT ('frac' INT)? loc? TREE_BODY
 *   func      := 'func' '(' (%NAME ':' type),* ')' '->' '(' %NAME,* ')' '{' stmt* '}'
 *   stmt      := %NAME ':' type                                   (a value nothing defines)
 *              | (%NAME,+ '=')? OP '(' %NAME,* ')' ('{' (KEY '=' attr),* '}')?
 *                (':' type,+)? ('name' STRING)? loc?
 *   type      := 'untyped' | ('f32' | 'f64' | 'fx' '<' INT ',' INT '>') '[' (INT | '?'),* ']'
 *   loc       := 'loc' '(' (FIELD '=' (STRING | number)),* ')'
 */
import { EmbeddedActionsParser, type IParserErrorMessageProvider, type IToken, type TokenType, tokenLabel } from 'chevrotain';
import type { Origin } from '../origin.js';
import type { ElemType, TensorType } from '../tensor.js';
import { TEXT_CODES } from './codes.js';
import type { ConstTypeSpec, ConstValueSpec } from './const-form.js';
import {
  ALL_TOKENS, Arrow, Colon, Comma, Equals, GlobalName, Gt, Ident, Kw, LBracket, LCurly, LParen, Lt, NegInf, NumberTok,
  Question, RBracket, RCurly, RParen, StringTok, TreeBody, ValueName,
} from './lexer.js';
import type { AttrSyntax, Loader, ParsedNode } from './load.js';

function describeToken(t: IToken): string {
  if (t.tokenType.name === 'EOF') return 'end of input';
  const firstLine = t.image.split(/\r?\n/, 1)[0]!;
  return `'${firstLine.length > 24 ? `${firstLine.slice(0, 24)}...` : firstLine}'`;
}

function alternatives(paths: TokenType[][]): string {
  const labels = [...new Set(paths.filter((p) => p.length > 0).map((p) => tokenLabel(p[0]!)))];
  return labels.length <= 1 ? (labels[0] ?? 'something else') : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${tokenLabel(expected)}, found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `expected end of input, found ${describeToken(firstRedundant)}`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual }) => `expected ${alternatives(expectedPathsPerAlt.flat())}, found ${describeToken(actual[0]!)}`,
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) => `expected ${alternatives(expectedIterationPaths)}, found ${describeToken(actual[0]!)}`,
};

type Num = { value: number; at: number };

export class TirParser extends EmbeddedActionsParser {
  /** Set by parseModule before each parse. */
  loader!: Loader;

  constructor() {
    super(ALL_TOKENS, { recoveryEnabled: false, errorMessageProvider: messages, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  private str(tok: IToken): string {
    return JSON.parse(tok.image) as string;
  }

  module = this.RULE('module', () => {
    this.CONSUME(Kw.module);
    const name = this.CONSUME1(StringTok);
    this.CONSUME(Kw.stage);
    const stage = this.CONSUME(Ident);
    let source: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(Kw.source);
      source = this.CONSUME2(StringTok);
    });
    this.ACTION(() => this.loader.header(this.str(name), stage, source && this.str(source)));
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.constDecl) }, { ALT: () => this.SUBRULE(this.treeDecl) }]));
    return this.SUBRULE(this.func);
  });

  constDecl = this.RULE('constDecl', () => {
    this.CONSUME(Kw.const);
    const name = this.CONSUME(GlobalName);
    this.CONSUME(Colon);
    const type = this.SUBRULE(this.constType);
    this.CONSUME(Equals);
    const value = this.SUBRULE(this.constValue);
    this.ACTION(() => this.loader.addConst(name, type, value));
  });

  constType = this.RULE('constType', (): ConstTypeSpec => {
    let kind: 'dense' | 'int' | 'ternary' = 'dense';
    let bits: 32 | 64 = 32;
    this.OR([
      { ALT: () => { this.CONSUME(Kw.dense); this.OR1([{ ALT: () => this.CONSUME(Kw.f32) }, { ALT: () => { this.CONSUME(Kw.f64); bits = 64; } }]); } },
      { ALT: () => { this.CONSUME(Kw.int); kind = 'int'; } },
      { ALT: () => { this.CONSUME(Kw.ternary); kind = 'ternary'; } },
    ]);
    const shape = this.SUBRULE(this.shape, { ARGS: [false] });
    return kind === 'dense' ? { kind, bits, shape } : { kind, shape };
  });

  constValue = this.RULE('constValue', (): ConstValueSpec => this.OR([
    { ALT: () => { this.CONSUME(Kw.base64); const s = this.CONSUME1(StringTok); return this.ACTION(() => ({ form: 'base64' as const, text: this.str(s), at: s.startOffset })); } },
    { ALT: () => { this.CONSUME(Kw.tern2); const s = this.CONSUME2(StringTok); return this.ACTION(() => ({ form: 'tern2' as const, text: this.str(s), at: s.startOffset })); } },
    { ALT: () => { const l = this.SUBRULE(this.numberList); return this.ACTION(() => ({ form: 'list' as const, items: l.items, itemsAt: l.itemsAt, at: l.at })); } },
  ]));

  numberList = this.RULE('numberList', () => {
    const open = this.CONSUME(LBracket);
    const items: number[] = [];
    const itemsAt: number[] = [];
    this.MANY_SEP({ SEP: Comma, DEF: () => { const n = this.SUBRULE(this.num); this.ACTION(() => { items.push(n.value); itemsAt.push(n.at); }); } });
    this.CONSUME(RBracket);
    return { items, itemsAt, at: open.startOffset };
  });

  num = this.RULE('num', (): Num => {
    const t = this.OR([
      { ALT: () => this.CONSUME(NumberTok) }, { ALT: () => this.CONSUME(Kw.nan) },
      { ALT: () => this.CONSUME(Kw.inf) }, { ALT: () => this.CONSUME(NegInf) },
    ]);
    return this.ACTION(() => {
      const image = t.image;
      const value = image === 'nan' ? NaN : image === 'inf' ? Infinity : image === '-inf' ? -Infinity : Number(image);
      return { value, at: t.startOffset };
    });
  });

  /** `[d, ...]`; `?` (a dynamic dimension, -1) only where `dynamic` allows it. */
  shape = this.RULE('shape', (dynamic: boolean) => {
    const dims: number[] = [];
    this.CONSUME(LBracket);
    this.MANY_SEP({
      SEP: Comma,
      DEF: () => this.OR([
        { ALT: () => { const t = this.CONSUME(NumberTok); this.ACTION(() => dims.push(this.loader.int(t, 'a dimension'))); } },
        { ALT: () => {
          const q = this.CONSUME(Question);
          this.ACTION(() => {
            if (!dynamic) this.loader.fail(q.startOffset, TEXT_CODES.badShape, 'a constant cannot have a dynamic dimension');
            dims.push(-1);
          });
        } },
      ]),
    });
    this.CONSUME(RBracket);
    return dims;
  });

  treeDecl = this.RULE('treeDecl', () => {
    this.CONSUME(Kw.tree);
    const name = this.CONSUME(GlobalName);
    this.CONSUME(Kw.lanes);
    const lanes = this.CONSUME1(NumberTok);
    this.CONSUME(Kw.outputs);
    const outputs = this.CONSUME2(NumberTok);
    let frac: IToken | undefined;
    this.OPTION(() => { this.CONSUME(Kw.frac); frac = this.CONSUME3(NumberTok); });
    const origin = this.OPTION1(() => this.SUBRULE(this.loc));
    const body = this.CONSUME(TreeBody);
    this.ACTION(() => {
      const l = this.loader;
      l.addTree({
        name, lanes: l.int(lanes, 'lanes', 0, 2 ** 31 - 1), outputs: l.int(outputs, 'outputs', 0, 2 ** 31 - 1), body,
        ...(frac ? { frac: l.int(frac, 'frac', -1024, 1024) } : {}), ...(origin ? { origin } : {}),
      });
    });
  });

  loc = this.RULE('loc', (): Origin => {
    this.CONSUME(Kw.loc);
    this.CONSUME(LParen);
    const fields: Record<string, string | number> = {};
    this.MANY_SEP({
      SEP: Comma,
      DEF: () => {
        const key = this.CONSUME(Ident);
        this.CONSUME(Equals);
        const v = this.OR([
          { ALT: () => { const s = this.CONSUME(StringTok); return this.ACTION(() => ({ value: this.str(s) as string | number, at: s.startOffset })); } },
          { ALT: () => this.SUBRULE(this.num) },
        ]);
        this.ACTION(() => this.locField(fields, key, v));
      },
    });
    this.CONSUME(RParen);
    return fields as Origin;
  });

  private locField(fields: Record<string, string | number>, key: IToken, v: { value: string | number; at: number }): void {
    const strings = ['file', 'node', 'part'];
    const numbers = ['row', 'col', 'line'];
    const k = key.image;
    if (!strings.includes(k) && !numbers.includes(k)) {
      this.loader.fail(key.startOffset, TEXT_CODES.badLoc, `loc has no field '${k}' (fields: ${[...strings, ...numbers].join(', ')})`);
    }
    if (k in fields) this.loader.fail(key.startOffset, TEXT_CODES.badLoc, `loc field '${k}' is given twice`);
    if (strings.includes(k) !== (typeof v.value === 'string')) {
      this.loader.fail(v.at, TEXT_CODES.badLoc, `loc field '${k}' expects ${strings.includes(k) ? 'a string' : 'a number'}`);
    }
    fields[k] = v.value;
  }

  func = this.RULE('func', () => {
    this.CONSUME(Kw.func);
    this.CONSUME1(LParen);
    this.MANY_SEP({
      SEP: Comma,
      DEF: () => {
        const name = this.CONSUME1(ValueName);
        this.CONSUME(Colon);
        const type = this.SUBRULE(this.valueType);
        this.ACTION(() => this.loader.input(name, type));
      },
    });
    this.CONSUME1(RParen);
    this.CONSUME(Arrow);
    this.CONSUME2(LParen);
    const outputs: IToken[] = [];
    this.MANY_SEP1({ SEP: Comma, DEF: () => { outputs.push(this.CONSUME2(ValueName)); } });
    this.CONSUME2(RParen);
    this.CONSUME(LCurly);
    this.MANY(() => this.SUBRULE(this.stmt));
    this.CONSUME(RCurly);
    return this.ACTION(() => this.loader.finish(outputs));
  });

  valueType = this.RULE('valueType', (): TensorType | undefined => this.OR([
    { ALT: () => { this.CONSUME(Kw.untyped); return undefined; } },
    { ALT: () => {
      const elem = this.SUBRULE(this.elemType);
      const shape = this.SUBRULE(this.shape, { ARGS: [true] });
      return { elem, shape };
    } },
  ]));

  elemType = this.RULE('elemType', (): ElemType => this.OR([
    { ALT: () => { this.CONSUME(Kw.f32); return { kind: 'float' as const, bits: 32 as const }; } },
    { ALT: () => { this.CONSUME(Kw.f64); return { kind: 'float' as const, bits: 64 as const }; } },
    { ALT: () => { const f = this.SUBRULE(this.fixedType); return this.ACTION(() => ({ kind: 'fixed' as const, width: f.width, frac: f.frac })); } },
  ]));

  fixedType = this.RULE('fixedType', () => {
    const start = this.CONSUME(Kw.fx);
    this.CONSUME(Lt);
    const w = this.CONSUME1(NumberTok);
    this.CONSUME(Comma);
    const f = this.CONSUME2(NumberTok);
    this.CONSUME(Gt);
    return this.ACTION(() => ({
      width: this.loader.int(w, 'a fixed-point width', 0, 1024), frac: this.loader.int(f, 'fractional bits', -1024, 1024), at: start.startOffset,
    }));
  });

  stmt = this.RULE('stmt', () => this.OR([
    { ALT: () => {
      const name = this.CONSUME(ValueName);
      this.CONSUME(Colon);
      const type = this.SUBRULE(this.valueType);
      this.ACTION(() => this.loader.define(name, type));
    } },
    { ALT: () => this.SUBRULE(this.nodeStmt) },
  ]));

  nodeStmt = this.RULE('nodeStmt', () => {
    const outputs: IToken[] = [];
    this.OPTION(() => {
      this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => { outputs.push(this.CONSUME1(ValueName)); } });
      this.CONSUME(Equals);
    });
    const op = this.CONSUME(Ident);
    this.CONSUME(LParen);
    const inputs: IToken[] = [];
    this.MANY_SEP({ SEP: Comma, DEF: () => { inputs.push(this.CONSUME2(ValueName)); } });
    this.CONSUME(RParen);
    const attrs = this.OPTION1(() => this.SUBRULE(this.attrDict)) ?? [];
    let types: ParsedNode['types'];
    this.OPTION2(() => {
      const colon = this.CONSUME(Colon);
      const list: Array<TensorType | undefined> = [];
      this.AT_LEAST_ONE_SEP1({ SEP: Comma, DEF: () => { list.push(this.SUBRULE(this.valueType)); } });
      types = { list, at: colon.startOffset };
    });
    let name: string | undefined;
    this.OPTION3(() => { this.CONSUME(Kw.name); const s = this.CONSUME(StringTok); this.ACTION(() => { name = this.str(s); }); });
    const origin = this.OPTION4(() => this.SUBRULE(this.loc));
    this.ACTION(() => this.loader.node({
      outputs, op, inputs, attrs, ...(types ? { types } : {}), ...(name !== undefined ? { name } : {}), ...(origin ? { origin } : {}),
    }));
  });

  attrDict = this.RULE('attrDict', () => {
    const attrs: Array<{ key: IToken; value: AttrSyntax }> = [];
    this.CONSUME(LCurly);
    this.MANY_SEP({
      SEP: Comma,
      DEF: () => {
        const key = this.CONSUME(Ident);
        this.CONSUME(Equals);
        const value = this.SUBRULE(this.attrValue);
        attrs.push({ key, value });
      },
    });
    this.CONSUME(RCurly);
    return attrs;
  });

  attrValue = this.RULE('attrValue', (): AttrSyntax => this.OR([
    { ALT: () => { const t = this.CONSUME(GlobalName); return this.ACTION(() => ({ form: 'ref' as const, name: t.payload as string, at: t.startOffset })); } },
    { ALT: () => { const n = this.SUBRULE(this.num); return this.ACTION(() => ({ form: 'number' as const, value: n.value, at: n.at })); } },
    { ALT: () => { const t = this.CONSUME(Kw.true); return { form: 'bool' as const, value: true, at: t.startOffset }; } },
    { ALT: () => { const t = this.CONSUME(Kw.false); return { form: 'bool' as const, value: false, at: t.startOffset }; } },
    { ALT: () => { const t = this.CONSUME(StringTok); return this.ACTION(() => ({ form: 'string' as const, value: this.str(t), at: t.startOffset })); } },
    { ALT: () => { const l = this.SUBRULE(this.numberList); return this.ACTION(() => ({ form: 'list' as const, items: l.items, at: l.at })); } },
    { ALT: () => { const f = this.SUBRULE(this.fixedType); return this.ACTION(() => ({ form: 'fixed' as const, ...f })); } },
  ]));
}
