/**
 * Diagnostics: every user-facing failure is a `TsvdcError` with a stable code
 * (`TSVDC` + 3 digits), a message, and an origin. A broken invariant of our own
 * is an `InternalError`, visibly different (it is a bug, not bad input).
 *
 * Code ranges, one table per package, uniqueness checked by a test in verify/:
 *   001-099 IR text (lexer, parser)         ir/src/text/codes.ts
 *   100-199 IR verifier                     ir/src/verify/codes.ts
 *   200-299 ONNX reading, import, export    compiler/src/onnx/codes.ts
 *   300-399 TSVD transition, .npy/.npz      compiler/src/tsvd/codes.ts
 *           (390-399 training, datasets     compiler/src/train/codes.ts)
 *   400-499 passes and pipeline             compiler/src/passes/codes.ts
 *   500-599 CLI and file I/O                compiler/src/cli/codes.ts
 *   600-699 interpreter (runtime checks)    ir/src/interp/codes.ts
 *   700-799 backends                        backends/src/codes.ts
 *   800-899 simulator                       sim/src/codes.ts
 */
import type { Origin } from './origin.js';
import { formatOrigin } from './origin.js';

export type DiagnosticCode = `TSVDC${number}`;

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly origin?: Origin;
}

/** Formats `file:line:col: TSVDCnnn: message [node ..., row ...]`, the one form users see. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.origin ? formatOrigin(d.origin) : '';
  const head = d.origin?.file
    ? `${d.origin.file}${d.origin.line !== undefined ? `:${d.origin.line}:${d.origin.col ?? 1}` : ''}: `
    : '';
  return `${head}${d.code}: ${d.message}${where ? ` (${where})` : ''}`;
}

/** A user-facing error: bad input, unsupported model, failed check. */
export class TsvdcError extends Error implements Diagnostic {
  readonly code: DiagnosticCode;
  readonly origin?: Origin;
  /** Further diagnostics reported together with this one (e.g. every unsupported op). */
  readonly related: readonly Diagnostic[];
  constructor(code: DiagnosticCode, message: string, origin?: Origin, related: readonly Diagnostic[] = []) {
    super(formatDiagnostic({ code, message, origin }));
    this.name = 'TsvdcError';
    this.code = code;
    this.origin = origin;
    this.related = related;
    this.reason = message;
  }
  /** The bare message, without code and origin (`message` is the formatted diagnostic). */
  readonly reason: string;
}

/** Thrown when tsvdc's own invariants break. Never caused by user input. */
export class InternalError extends Error {
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'InternalError';
  }
}

/** Throws an InternalError unless `cond` holds. */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new InternalError(message);
}
