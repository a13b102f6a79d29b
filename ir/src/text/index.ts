/**
 * The IR text form: `printModule` and `parseModule`, exact inverses
 * (`parseModule(printModule(m))` equals `m`, see equality.ts). Grammar and rationale
 * in README.md next to this file.
 */
import type { Module } from '../module.js';
import { TEXT_CODES } from './codes.js';
import { tirLexer } from './lexer.js';
import { Loader } from './load.js';
import { TirParser } from './parser.js';
import { TextPositions } from './positions.js';
import { ScanError } from './scan-error.js';

export { printModule } from './printer.js';
export { locateDiagnostic, TextPositions, type TextPos } from './positions.js';
export { TEXT_CODES } from './codes.js';

let parser: TirParser | undefined;

function showChar(text: string, offset: number): string {
  const ch = String.fromCodePoint(text.codePointAt(offset)!);
  return /[\u0000-\u001f\u007f]/.test(ch) ? JSON.stringify(ch) : `'${ch}'`;
}

/**
 * Parses IR text into a Module. Throws a TsvdcError (code TSVDC001-099) whose message
 * reads `file:line:col: TSVDCnnn: expected X, found Y` on the first problem.
 * @param file the name used in diagnostics (default `<input>`).
 */
export function parseModule(text: string, file = '<input>'): Module {
  return parseModuleWithPositions(text, file).module;
}

/** parseModule that also says where each node, constant and tree is defined (for tools such as `tsvdc ir check`). */
export function parseModuleWithPositions(text: string, file = '<input>'): { module: Module; positions: TextPositions } {
  const loader = new Loader(text, file);
  let lexed;
  try {
    lexed = tirLexer.tokenize(text);
  } catch (e) {
    if (e instanceof ScanError) loader.fail(e.offset, e.code, e.message);
    throw e;
  }
  const lexErr = lexed.errors[0];
  if (lexErr) loader.fail(lexErr.offset, TEXT_CODES.unexpectedChar, `unexpected character ${showChar(text, lexErr.offset)}`);
  parser ??= new TirParser();
  parser.loader = loader;
  parser.input = lexed.tokens;
  const m = parser.module();
  const err = parser.errors[0];
  if (err) {
    const t = err.token;
    const offset = Number.isFinite(t.startOffset) ? t.startOffset : text.length;
    loader.fail(offset, TEXT_CODES.unexpectedToken, err.message);
  }
  return { module: m, positions: new TextPositions(text, loader.offsets) };
}
