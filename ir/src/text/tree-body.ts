/**
 * The hand-written scanner for tree bodies (see lexer.ts for why they bypass the
 * token stream). Grammar, one item per line, blank lines and // comments allowed:
 *
 *   %ID = in LANE            [: iW [LO, HI]] [row R]
 *   %ID = add %A, %B         (also sub)
 *   %ID = neg %A
 *   out ROW = %ID | zero
 *   }
 *
 * Ids count up from 0 and operands refer to earlier ids; output rows count up from 0.
 * Everything else (header agreement, lanes) is checked by the loader or the verifier.
 */
import { TreeOp } from '../addtree.js';
import { TEXT_CODES, type TextCode } from './codes.js';
import { parseNumberImage } from './literals.js';
import { ScanError, describeAt } from './scan-error.js';

/** A decoded tree body; arrays are exactly `size` (or output count) long. */
export interface TreeBodyData {
  readonly size: number;
  readonly op: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly row: Int32Array;
  readonly width: Uint8Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly outputs: Int32Array;
  /** Offset of the first node line with / without a type (-1 if none): the loader checks them against `frac`. */
  readonly typedAt: number;
  readonly untypedAt: number;
  /** Offset of the closing `}`. */
  readonly closeAt: number;
}

const OPS: ReadonlyMap<string, number> = new Map([['in', TreeOp.In], ['add', TreeOp.Add], ['sub', TreeOp.Sub], ['neg', TreeOp.Neg]]);
const MAX_ID = 2 ** 31 - 1;

class Growable {
  op = new Uint8Array(1024);
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  row = new Int32Array(1024);
  width = new Uint8Array(1024);
  lo = new Float64Array(1024);
  hi = new Float64Array(1024);
  outs = new Int32Array(64);
  size = 0;
  nOuts = 0;

  ensureNode(): void {
    if (this.size < this.op.length) return;
    const cap = this.op.length * 2;
    const grow = <T extends Uint8Array | Int32Array | Float64Array>(x: T, make: (n: number) => T): T => { const y = make(cap); y.set(x); return y; };
    this.op = grow(this.op, (n) => new Uint8Array(n));
    this.a = grow(this.a, (n) => new Int32Array(n));
    this.b = grow(this.b, (n) => new Int32Array(n));
    this.row = grow(this.row, (n) => new Int32Array(n));
    this.width = grow(this.width, (n) => new Uint8Array(n));
    this.lo = grow(this.lo, (n) => new Float64Array(n));
    this.hi = grow(this.hi, (n) => new Float64Array(n));
  }

  pushOut(id: number): void {
    if (this.nOuts === this.outs.length) {
      const o = new Int32Array(this.outs.length * 2);
      o.set(this.outs);
      this.outs = o;
    }
    this.outs[this.nOuts++] = id;
  }
}

class TreeScanner {
  pos: number;
  readonly g = new Growable();
  typedAt = -1;
  untypedAt = -1;

  constructor(readonly text: string, start: number) {
    this.pos = start + 1; // past '{'
  }

  fail(code: TextCode, expected: string, at = this.pos): never {
    throw new ScanError(at, code, `expected ${expected}, found ${describeAt(this.text, at)}`);
  }

  spaces(): void {
    let c = this.text.charCodeAt(this.pos);
    while (c === 32 || c === 9) c = this.text.charCodeAt(++this.pos);
  }

  expectChar(code: number, what: string): void {
    this.spaces();
    if (this.text.charCodeAt(this.pos) !== code) this.fail(TEXT_CODES.unexpectedToken, what);
    this.pos++;
  }

  /** A non-negative decimal integer below 2^31. */
  uint(what: string): number {
    this.spaces();
    const start = this.pos;
    let v = 0;
    let c = this.text.charCodeAt(this.pos);
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = this.text.charCodeAt(++this.pos);
    }
    if (this.pos === start) this.fail(TEXT_CODES.unexpectedToken, what);
    if (v > MAX_ID || isWordChar(c)) this.fail(TEXT_CODES.badNumber, what, start);
    return v;
  }

  word(): string {
    this.spaces();
    const start = this.pos;
    while (isWordChar(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Any number of the text form (interval bounds); plain integers take a fast path. */
  number(what: string): number {
    this.spaces();
    const start = this.pos;
    const text = this.text;
    let c = text.charCodeAt(this.pos);
    const neg = c === 45;
    if (neg) c = text.charCodeAt(++this.pos);
    let v = 0;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = text.charCodeAt(++this.pos);
    }
    const digits = this.pos - start - (neg ? 1 : 0);
    // exact while below 2^53: at most 15 digits; anything else goes the general way
    if (digits > 0 && digits <= 15 && c !== 46 && c !== 101 && c !== 69 && !isWordChar(c)) return neg ? -v : v;
    while (c === 45 || c === 43 || c === 46 || isWordChar(c)) c = text.charCodeAt(++this.pos);
    const x = parseNumberImage(text.slice(start, this.pos));
    if (x === undefined) this.fail(this.pos === start ? TEXT_CODES.unexpectedToken : TEXT_CODES.badNumber, what, start);
    return x;
  }

  /** `%ID` of an existing node. */
  operand(limit: number): number {
    this.expectChar(37, 'an operand %ID');
    const at = this.pos;
    const id = this.uint('an operand %ID');
    if (id >= limit) throw new ScanError(at - 1, TEXT_CODES.treeForwardRef, `operand %${id} is not defined before node %${limit}`);
    return id;
  }

  /** End of an item: spaces, an optional comment, then a line break or the end of the body. */
  endOfLine(what: string): void {
    this.spaces();
    const c = this.text.charCodeAt(this.pos);
    if (c === 47 && this.text.charCodeAt(this.pos + 1) === 47) {
      while (this.pos < this.text.length && !isLineBreak(this.text.charCodeAt(this.pos))) this.pos++;
      return;
    }
    if (!isLineBreak(c)) this.fail(TEXT_CODES.unexpectedToken, what);
  }

  node(): void {
    const g = this.g;
    const lineStart = this.pos;
    this.pos++; // '%'
    const id = this.uint('a node id');
    if (id !== g.size) throw new ScanError(lineStart, TEXT_CODES.treeIdOutOfOrder, `expected node %${g.size}, found %${id} (ids count up from 0)`);
    this.expectChar(61, "'='");
    this.spaces();
    const opAt = this.pos;
    const op = OPS.get(this.word());
    if (op === undefined) this.fail(TEXT_CODES.unknownTreeOp, 'a tree op (in, add, sub, neg)', opAt);
    g.ensureNode();
    g.op[id] = op;
    if (op === TreeOp.In) {
      g.a[id] = this.uint('a lane number');
      g.b[id] = -1;
    } else {
      g.a[id] = this.operand(id);
      if (op === TreeOp.Neg) g.b[id] = -1;
      else {
        this.expectChar(44, "','");
        g.b[id] = this.operand(id);
      }
    }
    this.nodeTail(id, lineStart);
  }

  /** `[: iW [LO, HI]] [row R]` and the end of the line. */
  nodeTail(id: number, lineStart: number): void {
    const g = this.g;
    this.spaces();
    const typed = this.text.charCodeAt(this.pos) === 58;
    if (typed) {
      this.pos++;
      this.expectChar(105, "a width 'iW'");
      const wAt = this.pos;
      const w = this.uint('a width iW');
      if (w > 255) this.fail(TEXT_CODES.badNumber, 'a width of at most 255 bits', wAt);
      g.width[id] = w;
      this.expectChar(91, "'[' (the interval)");
      g.lo[id] = this.number('the interval lower bound');
      this.expectChar(44, "','");
      g.hi[id] = this.number('the interval upper bound');
      this.expectChar(93, "']'");
      if (this.typedAt < 0) this.typedAt = lineStart;
    } else if (this.untypedAt < 0) this.untypedAt = lineStart;
    this.spaces();
    g.row[id] = -1;
    let expected = typed ? "'row' or the end of the line" : "':', 'row' or the end of the line";
    if (this.text.startsWith('row', this.pos) && !isWordChar(this.text.charCodeAt(this.pos + 3))) {
      this.pos += 3;
      g.row[id] = this.uint('a row number');
      expected = 'the end of the line';
    }
    g.size++;
    this.endOfLine(expected);
  }

  out(): void {
    const g = this.g;
    this.pos += 3; // 'out'
    this.spaces();
    const rowAt = this.pos;
    const row = this.uint('an output row');
    if (row !== g.nOuts) throw new ScanError(rowAt, TEXT_CODES.treeOutputs, `expected out ${g.nOuts}, found out ${row} (rows count up from 0)`);
    this.expectChar(61, "'='");
    this.spaces();
    const at = this.pos;
    if (this.text.charCodeAt(this.pos) === 37) g.pushOut(this.operand(g.size));
    else if (this.word() === 'zero') g.pushOut(-1);
    else this.fail(TEXT_CODES.unexpectedToken, "a node %ID or 'zero'", at);
    this.endOfLine('the end of the line');
  }

  /** Scans items up to and including the closing `}`; returns the offset after it. */
  run(): number {
    const text = this.text;
    for (;;) {
      this.spaces();
      const c = text.charCodeAt(this.pos);
      if (c === 10 || c === 13) this.pos++;
      else if (c === 37) this.node();
      else if (c === 125) return this.pos + 1;
      else if (c === 47 && text.charCodeAt(this.pos + 1) === 47) this.endOfLine('');
      else if (text.startsWith('out', this.pos) && !isWordChar(text.charCodeAt(this.pos + 3))) this.out();
      else this.fail(TEXT_CODES.unexpectedToken, "a tree node '%ID = ...', an output 'out ROW = ...' or '}'");
    }
  }

  result(closeAt: number): TreeBodyData {
    const g = this.g;
    const n = g.size;
    return {
      size: n, op: g.op.slice(0, n), a: g.a.slice(0, n), b: g.b.slice(0, n), row: g.row.slice(0, n),
      width: g.width.slice(0, n), lo: g.lo.slice(0, n), hi: g.hi.slice(0, n), outputs: g.outs.slice(0, g.nOuts),
      typedAt: this.typedAt, untypedAt: this.untypedAt, closeAt,
    };
  }
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || Number.isNaN(c);
}

/** Scans the tree body whose `{` is at `start`. Throws ScanError on malformed input. */
export function scanTreeBody(text: string, start: number): { end: number; body: TreeBodyData } {
  const s = new TreeScanner(text, start);
  const end = s.run();
  return { end, body: s.result(end - 1) };
}
