/**
 * Diagnostic code tables: every `TSVDCnnn` literal declared in a `codes.ts` file,
 * with the range its file is allowed (ir/src/diagnostics.ts lists the ranges).
 */
import type { SourceFile } from './sources.js';

export const CODE_RANGES: ReadonlyArray<{ prefix: string; lo: number; hi: number }> = [
  { prefix: 'ir/src/text/', lo: 1, hi: 99 },
  { prefix: 'ir/src/verify/', lo: 100, hi: 199 },
  { prefix: 'compiler/src/onnx/', lo: 200, hi: 299 },
  { prefix: 'compiler/src/tsvd/', lo: 300, hi: 399 },
  { prefix: 'compiler/src/npy/', lo: 300, hi: 399 },
  { prefix: 'compiler/src/train/', lo: 390, hi: 399 },
  { prefix: 'compiler/src/passes/', lo: 400, hi: 499 },
  { prefix: 'compiler/src/cli/', lo: 500, hi: 599 },
  { prefix: 'ir/src/interp/', lo: 600, hi: 699 },
  { prefix: 'backends/src/', lo: 700, hi: 799 },
  { prefix: 'sim/src/', lo: 800, hi: 899 },
];

export interface CodeDecl {
  readonly code: string;
  readonly file: string;
}

/** All code declarations in `codes.ts` files. */
export function codeDeclarations(files: readonly SourceFile[]): CodeDecl[] {
  const out: CodeDecl[] = [];
  for (const f of files) {
    if (!/(^|\/)codes\.ts$/.test(f.path)) continue;
    for (const m of f.text.matchAll(/['"](TSVDC\d{3})['"]/g)) out.push({ code: m[1]!, file: f.path });
  }
  return out;
}

/** Declarations outside their file's range, and codes declared more than once. */
export function codeProblems(decls: readonly CodeDecl[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const d of decls) {
    const n = Number(d.code.slice(5));
    const range = CODE_RANGES.find((r) => d.file.startsWith(r.prefix));
    if (!range) problems.push(`${d.file}: ${d.code} declared in a file with no code range`);
    else if (n < range.lo || n > range.hi) problems.push(`${d.file}: ${d.code} outside ${range.lo}-${range.hi}`);
    const prev = seen.get(d.code);
    if (prev) problems.push(`${d.code} declared twice: ${prev} and ${d.file}`);
    seen.set(d.code, d.file);
  }
  return problems;
}
