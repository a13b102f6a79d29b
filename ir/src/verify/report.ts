/**
 * Collecting diagnostics while verifying. Origins always name what broke: a node (its
 * ONNX/IR name, else its first output), a tree `@name` with a row, or a constant `@name`.
 */
import type { Diagnostic, DiagnosticCode } from '../diagnostics.js';
import type { Node } from '../module.js';
import type { Origin } from '../origin.js';

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly file?: string) {}

  add(code: DiagnosticCode, message: string, origin: Origin): void {
    const o = this.file !== undefined && origin.file === undefined ? { file: this.file, ...origin } : origin;
    this.diagnostics.push({ code, message, origin: o });
  }
}

/** The name a node goes by in messages. */
export function nodeLabel(n: Node, index: number): string {
  return n.name ?? n.outputs[0] ?? `#${index}`;
}

export function nodeOrigin(n: Node, index: number): Origin {
  return { ...(n.origin ?? {}), node: n.origin?.node ?? nodeLabel(n, index) };
}

/** Origin of a tree (or one of its rows): the tree's own origin, else its name. */
export function treeOrigin(name: string, origin: Origin | undefined, row?: number): Origin {
  const base: Origin = { ...(origin ?? {}), node: origin?.node ?? `@${name}` };
  return row !== undefined && row >= 0 ? { ...base, row } : base;
}

export function constOrigin(name: string): Origin {
  return { node: `@${name}` };
}

/**
 * Counts the violations of one rule inside one object (a tree, a constant) so that a
 * single diagnostic reports the first one and how many there are in all, instead of
 * thousands of lines for one broken layer.
 */
export class FirstOf {
  private count = 0;
  private first: { message: string; origin: Origin } | undefined;
  constructor(private readonly code: DiagnosticCode) {}

  get fired(): boolean {
    return this.count > 0;
  }

  hit(message: string, origin: Origin): void {
    if (this.count++ === 0) this.first = { message, origin };
  }

  flush(r: Reporter): void {
    if (!this.first) return;
    const more = this.count > 1 ? ` (${this.count} in all)` : '';
    r.add(this.code, `${this.first.message}${more}`, this.first.origin);
  }
}

/** `fx<w,f>` as the text form writes it. */
export function fxText(t: { width: number; frac: number }): string {
  return `fx<${t.width},${t.frac}>`;
}
