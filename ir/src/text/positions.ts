/**
 * Where things are defined in an IR text file, so that diagnostics about a parsed
 * module (the verifier's) can point at `file:line:col` instead of at the model the
 * module came from. Offsets are recorded while parsing; lines are computed only when
 * a position is asked for (a large file has 10^6 lines and usually no error).
 */
import type { Diagnostic } from '../diagnostics.js';
import type { Module } from '../module.js';
import type { Origin } from '../origin.js';

export interface TextPos {
  readonly line: number;
  readonly col: number;
}

/** Definition offsets of nodes (by index), constants and trees (by name). */
export interface DefinitionOffsets {
  readonly nodes: number[];
  readonly consts: Map<string, number>;
  readonly trees: Map<string, number>;
}

export class TextPositions {
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string, readonly offsets: DefinitionOffsets) {}

  /** 1-based line and column of a text offset. */
  at(offset: number): TextPos {
    const starts = (this.lineStarts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }

  node(index: number): TextPos | undefined {
    const o = this.offsets.nodes[index];
    return o === undefined ? undefined : this.at(o);
  }

  const(name: string): TextPos | undefined {
    const o = this.offsets.consts.get(name);
    return o === undefined ? undefined : this.at(o);
  }

  tree(name: string): TextPos | undefined {
    const o = this.offsets.trees.get(name);
    return o === undefined ? undefined : this.at(o);
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** The definition a diagnostic's origin names: `@name` (tree or constant), else a node by origin or name. */
function definitionOf(o: Origin, m: Module, pos: TextPositions): TextPos | undefined {
  const label = o.node;
  if (label === undefined) return undefined;
  if (label.startsWith('@')) return pos.tree(label.slice(1)) ?? pos.const(label.slice(1));
  if (o.row !== undefined) {
    for (const [name, t] of m.trees) if (t.origin?.node === label && t.origin.part === o.part) return pos.tree(name);
  }
  const i = m.nodes.findIndex((n, k) =>
    (n.origin?.node ?? n.name ?? n.outputs[0] ?? `#${k}`) === label && (o.part === undefined || n.origin?.part === o.part));
  return i >= 0 ? pos.node(i) : undefined;
}

/**
 * Re-anchors a diagnostic about a module parsed from `file` at the text position of the
 * definition its origin names (best effort: origins name nodes, trees and constants as the
 * verifier's report.ts does). Node, part and row stay in the message's parenthesis.
 */
export function locateDiagnostic(d: Diagnostic, m: Module, pos: TextPositions, file: string): Diagnostic {
  const o = d.origin ?? {};
  const at = definitionOf(o, m, pos);
  const { line: _l, col: _c, file: _f, ...rest } = o;
  const origin: Origin = at ? { file, line: at.line, col: at.col, ...rest } : { file, ...rest };
  return { code: d.code, message: d.message, origin };
}
