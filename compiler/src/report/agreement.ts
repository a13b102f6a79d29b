/**
 * How closely a compressed model's outputs follow the original's, on the same inputs:
 * max absolute difference, relative error ||b - a|| / ||a||, cosine similarity, and
 * top-1 agreement per row (argmax for rows of several classes; for a single output
 * the decision at threshold 0.5, as for a sigmoid detector).
 */
import { InternalError } from '@tsvdc/ir';

export interface Agreement {
  readonly rows: number;
  readonly maxAbs: number;
  readonly relErr: number;
  readonly cosine: number;
  /** Fraction of rows on which both outputs pick the same class / decision. */
  readonly top1: number;
}

export function argmax(a: ArrayLike<number>, from: number, len: number): number {
  let best = 0;
  for (let j = 1; j < len; j++) if (a[from + j]! > a[from + best]!) best = j;
  return best;
}

/** Compares two outputs of equal length, `rowLength` values per row. */
export function compareOutputs(a: ArrayLike<number>, b: ArrayLike<number>, rowLength: number): Agreement {
  if (a.length !== b.length || rowLength < 1 || a.length % rowLength !== 0) {
    throw new InternalError(`compareOutputs: lengths ${a.length} and ${b.length}, row length ${rowLength}`);
  }
  let maxAbs = 0;
  let diff2 = 0;
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > maxAbs) maxAbs = d;
    diff2 += d * d;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
    ab += a[i]! * b[i]!;
  }
  const rows = a.length / rowLength;
  let same = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * rowLength;
    const hit = rowLength === 1 ? (a[o]! >= 0.5) === (b[o]! >= 0.5) : argmax(a, o, rowLength) === argmax(b, o, rowLength);
    if (hit) same++;
  }
  return {
    rows, maxAbs,
    relErr: aa === 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / aa),
    cosine: aa === 0 || bb === 0 ? (aa === bb ? 1 : 0) : ab / Math.sqrt(aa * bb),
    top1: rows === 0 ? 1 : same / rows,
  };
}

/** Fraction of rows whose argmax equals the label. */
export function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let hit = 0;
  for (let r = 0; r < labels.length; r++) if (argmax(logits, r * classes, classes) === labels[r]) hit++;
  return labels.length === 0 ? 0 : hit / labels.length;
}
