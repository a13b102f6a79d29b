/**
 * Errors found by the hand-written scanners (strings, tree bodies) while the lexer
 * runs. They carry a text offset; parseModule turns them into a TsvdcError with
 * file:line:col (the scanners do not know the file, and line numbers are only
 * computed when there is an error).
 */
import type { TextCode } from './codes.js';

export class ScanError extends Error {
  constructor(readonly offset: number, readonly code: TextCode, message: string) {
    super(message);
    this.name = 'ScanError';
  }
}

/** What is at `pos`, for "expected X, found Y" messages. */
export function describeAt(text: string, pos: number): string {
  if (pos >= text.length) return 'end of input';
  const c = text.charCodeAt(pos);
  if (c === 10 || c === 13) return 'end of line';
  let end = pos;
  while (end < text.length && end - pos < 20 && !/[\s,\]\[]/.test(text[end]!)) end++;
  return `'${text.slice(pos, Math.max(end, pos + 1))}'`;
}

/** 1-based line and column of an offset. */
export function lineColAt(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}
