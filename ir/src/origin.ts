/**
 * Where an IR object came from. Every node carries one; passes copy it to what
 * they produce, so an emitted adder can be traced back to an ONNX node and a
 * matrix row/column. All fields optional: a text-form parse error has only
 * file/line/col, a tree node may have only a row.
 */
export interface Origin {
  /** Model or IR file. */
  readonly file?: string;
  /** ONNX node name (or IR node name when the IR is the source). */
  readonly node?: string;
  /** Sub-part of a layer, e.g. 'V', 'U', 'scale', 'bias'. */
  readonly part?: string;
  /** Matrix row / column (output / input index) within the part. */
  readonly row?: number;
  readonly col?: number;
  /** Position in a text file (1-based). */
  readonly line?: number;
}

// Note: text positions use `line` plus `col` (1-based column) when `file` is an IR text
// file; for matrices `col` is the matrix column. The two never occur together.

export function formatOrigin(o: Origin): string {
  const parts: string[] = [];
  if (o.node !== undefined) parts.push(`node ${JSON.stringify(o.node)}`);
  if (o.part !== undefined) parts.push(`part ${o.part}`);
  if (o.row !== undefined) parts.push(`row ${o.row}`);
  if (o.col !== undefined && o.line === undefined) parts.push(`col ${o.col}`);
  return parts.join(', ');
}

export function originEquals(a: Origin | undefined, b: Origin | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return (
    a.file === b.file && a.node === b.node && a.part === b.part &&
    a.row === b.row && a.col === b.col && a.line === b.line
  );
}
