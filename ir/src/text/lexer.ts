/**
 * Tokens of the IR text form (chevrotain lexer). Keywords are their own token types
 * in the Ident category, so a keyword still works as an attribute name or loc field.
 *
 * Strings, `%`/`@` names and tree bodies use custom (hand-written) patterns:
 * - strings: a payload string is megabytes of base64, which a regex with a
 *   per-character alternation would backtrack over (and can overflow irregexp's stack);
 * - tree bodies: a real layer has 10^5..10^6 node lines of ~10 tokens each. Lexing
 *   them into token objects costs ~1 GB and most of the time, so the whole body
 *   `{ ... }` is one token whose payload is the tree already decoded into typed
 *   arrays by tree-body.ts. The body's syntax is line-based and tiny, so a
 *   hand-written scanner gives the same diagnostics a grammar would.
 */
import { createToken, Lexer, type CustomPatternMatcherReturn, type IToken, type TokenType } from 'chevrotain';
import { TEXT_CODES } from './codes.js';
import { ScanError } from './scan-error.js';
import { scanTreeBody } from './tree-body.js';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true });
export const Comment = createToken({ name: 'Comment', pattern: /\/\/[^\n\r]*/, group: Lexer.SKIPPED });
export const Ident = createToken({ name: 'Ident', pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: 'a name' });

function keyword(word: string): TokenType {
  return createToken({ name: `Kw_${word}`, pattern: word, longer_alt: Ident, categories: [Ident], label: `'${word}'` });
}

export const Kw = {
  module: keyword('module'), stage: keyword('stage'), source: keyword('source'), const: keyword('const'),
  dense: keyword('dense'), int: keyword('int'), ternary: keyword('ternary'), f32: keyword('f32'), f64: keyword('f64'),
  fx: keyword('fx'), base64: keyword('base64'), tern2: keyword('tern2'), tree: keyword('tree'), lanes: keyword('lanes'),
  outputs: keyword('outputs'), frac: keyword('frac'), func: keyword('func'), untyped: keyword('untyped'),
  name: keyword('name'), loc: keyword('loc'), true: keyword('true'), false: keyword('false'), nan: keyword('nan'),
  inf: keyword('inf'),
} as const;

export const NegInf = createToken({ name: 'NegInf', pattern: /-inf(?![A-Za-z0-9_])/, label: "'-inf'" });
export const NumberTok = createToken({ name: 'Number', pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, label: 'a number' });
export const Arrow = createToken({ name: 'Arrow', pattern: '->', label: "'->'" });

const punct = (name: string, ch: string): TokenType => createToken({ name, pattern: ch, label: `'${ch}'` });
export const LCurly = punct('LCurly', '{');
export const RCurly = punct('RCurly', '}');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const Lt = punct('Lt', '<');
export const Gt = punct('Gt', '>');
export const Comma = punct('Comma', ',');
export const Equals = punct('Equals', '=');
export const Colon = punct('Colon', ':');
export const Question = punct('Question', '?');

/** End offset (exclusive) of the string literal starting at `start` (a '"'); throws on a bad one. */
export function scanString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (Number.isNaN(c) || c < 32) {
      throw new ScanError(start, TEXT_CODES.badString, 'unterminated string literal (strings end on the same line)');
    }
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      if (e === 117) {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          throw new ScanError(i, TEXT_CODES.badString, 'bad \\u escape in string literal (expected 4 hex digits)');
        }
        i += 6;
        continue;
      }
      if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) {
        throw new ScanError(i, TEXT_CODES.badString, `bad escape '${text.slice(i, i + 2)}' in string literal`);
      }
      i += 2;
      continue;
    }
    i++;
  }
}

function matched(image: string, payload?: unknown): CustomPatternMatcherReturn {
  const m = [image] as CustomPatternMatcherReturn;
  if (payload !== undefined) m.payload = payload;
  return m;
}

export const StringTok = createToken({
  name: 'String', label: 'a string',
  pattern: { exec: (text: string, offset: number) => (text.charCodeAt(offset) === 34 ? matched(text.slice(offset, scanString(text, offset))) : null) },
  start_chars_hint: ['"'], line_breaks: false,
});

function isBareNameChar(c: number): boolean {
  // A-Z a-z 0-9 _ . $ / -   (literals.ts BARE_NAME)
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 36 || c === 47 || c === 45;
}

/** `%name`, `%"any name"`, and the same with `@`. The payload is the decoded name. */
function namePattern(sigil: number) {
  return {
    exec: (text: string, offset: number): CustomPatternMatcherReturn | null => {
      if (text.charCodeAt(offset) !== sigil) return null;
      if (text.charCodeAt(offset + 1) === 34) {
        const end = scanString(text, offset + 1);
        return matched(text.slice(offset, end), JSON.parse(text.slice(offset + 1, end)) as string);
      }
      let i = offset + 1;
      while (isBareNameChar(text.charCodeAt(i))) i++;
      if (i === offset + 1) return null;
      return matched(text.slice(offset, i), text.slice(offset + 1, i));
    },
  };
}

export const ValueName = createToken({ name: 'ValueName', pattern: namePattern(37), start_chars_hint: ['%'], line_breaks: false, label: 'a value name (%name)' });
export const GlobalName = createToken({ name: 'GlobalName', pattern: namePattern(64), start_chars_hint: ['@'], line_breaks: false, label: 'a constant or tree name (@name)' });

/**
 * Whether the `{` about to be lexed opens a tree body: the tokens before it are
 * `outputs N [frac N] [loc(...)]`. Node attribute dicts and the func body never end
 * that way, so this needs no lexer modes.
 */
function opensTreeBody(tokens: readonly IToken[]): boolean {
  let i = tokens.length - 1;
  if (tokens[i]?.tokenType === RParen) {
    while (i >= 0 && tokens[i]!.tokenType !== LParen) i--;
    if (tokens[i - 1]?.tokenType !== Kw.loc) return false;
    i -= 2;
  }
  if (tokens[i]?.tokenType === NumberTok && tokens[i - 1]?.tokenType === Kw.frac) i -= 2;
  return tokens[i]?.tokenType === NumberTok && tokens[i - 1]?.tokenType === Kw.outputs;
}

export const TreeBody = createToken({
  name: 'TreeBody', label: "a tree body '{ ... }'",
  pattern: {
    exec: (text: string, offset: number, tokens: IToken[]): CustomPatternMatcherReturn | null => {
      if (text.charCodeAt(offset) !== 123 || !opensTreeBody(tokens)) return null;
      const { end, body } = scanTreeBody(text, offset);
      return matched(text.slice(offset, end), body);
    },
  },
  start_chars_hint: ['{'], line_breaks: true,
});

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, Comment, StringTok, ValueName, GlobalName, TreeBody, Arrow, NegInf, NumberTok,
  ...Object.values(Kw), Ident,
  LCurly, RCurly, LParen, RParen, LBracket, RBracket, Lt, Gt, Comma, Equals, Colon, Question,
];

/** One lexer for all parses (building it analyses the token set, ~ms). It stops at the first bad character: that is the error to report. */
export const tirLexer = new Lexer(ALL_TOKENS, { ensureOptimizations: true, positionTracking: 'full', recoveryEnabled: false });
