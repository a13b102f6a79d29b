/**
 * `tsvdc report` as a library call: per-layer rows (layers.ts) and totals in the
 * form of the paper's tables (x, +, params, ternary params). Works on original
 * (dense) models and on compressed ones; with the original model at hand, each
 * compressed layer's error is recomputed instead of read from the metadata.
 */
import { numel } from '@tsvdc/ir';
import { planCompression } from '../compress/index.js';
import type { SkippedLayer } from '../compress/select.js';
import type { GraphIndex } from '../onnx/graph.js';
import type { OnnxModel } from '../onnx/read.js';
import { isFloatDtype } from '../onnx/tensor.js';
import { readTsvdMeta, TSVD_META_KEY } from '../onnx/tsvd-meta.js';
import { recomputeError, type OriginalLayers } from './error.js';
import { compressedRow, denseRows, type LayerRow } from './layers.js';

export type { LayerRow } from './layers.js';

export interface ReportTotals {
  readonly muls: number;
  readonly adds: number;
  /** The same layers, dense (the original model's counts). */
  readonly denseMuls: number;
  readonly denseAdds: number;
  /** Float parameters of the whole model (every float initializer and Constant) and ternary entries. */
  readonly params: number;
  readonly ternaryParams: number;
}

export interface ModelReport {
  readonly file: string;
  readonly layers: readonly LayerRow[];
  readonly totals: ReportTotals;
  /** Where compressed layers' errors come from ('mixed': some recomputed, the others stored). */
  readonly errorSource: 'stored' | 'recomputed' | 'mixed' | 'none';
  /** Ops whose shapes import could not follow (their layers count with unknown sizes as 1). */
  readonly unknownShapes: readonly string[];
  /** Layers not counted, and why (a weight computed at run time, tsvdc metadata removed). */
  readonly notes: readonly string[];
}

function floatParams(g: GraphIndex): number {
  let n = 0;
  for (const t of [...g.initializers.values(), ...g.constants.values()]) if (isFloatDtype(t.dataType)) n += numel(t.dims);
  return n;
}

/**
 * The report of `model`. With `original`, compressed layers' errors are recomputed
 * against it: all of them, or only those named in `recompute` (compress re-checks the
 * layers it compressed now; layers compressed by an earlier run are not in its input
 * model, their stored errors stay). `original` is the original model, or its layers
 * already selected (compress passes its plan); a model is only read when some layer
 * needs recomputing.
 */
export function reportModel(model: OnnxModel, original?: OnnxModel | OriginalLayers, recompute?: ReadonlySet<string>): ModelReport {
  const sel = planCompression(model);
  const g = sel.graph;
  const meta = readTsvdMeta(model.proto, model.file);
  const redo = (l: { node: string }): boolean => original !== undefined && (recompute?.has(l.node) ?? true);
  const orig = original === undefined || !meta.some(redo) ? undefined : 'sites' in original ? original : planCompression(original);
  const compressed = meta.map((l) => {
    const row = compressedRow(g, sel.shapeOf, l);
    return orig && redo(l) ? { ...row, error: recomputeError(g, orig, l), errorSource: 'recomputed' as const } : row;
  });
  const rows = [...denseRows(sel, sel.shapeOf), ...compressed];
  // graph order: by the position of each layer's (first) node
  const pos = new Map(g.names.map((n, i) => [n, i]));
  const at = (r: LayerRow): number => pos.get(r.name) ?? pos.get(meta.find((l) => l.node === r.name)?.nodes[0] ?? '') ?? 0;
  rows.sort((a, b) => at(a) - at(b));
  const sum = (f: (r: LayerRow) => number): number => rows.reduce((p, r) => p + f(r), 0);
  return {
    file: model.file,
    layers: rows,
    totals: {
      muls: sum((r) => r.muls), adds: sum((r) => r.adds), denseMuls: sum((r) => r.denseMuls), denseAdds: sum((r) => r.denseAdds),
      params: floatParams(g), ternaryParams: sum((r) => r.ternaryParams),
    },
    errorSource: errorSource(meta.length, meta.filter(redo).length),
    unknownShapes: sel.unsupported.map((u) => `${u.node} (${u.opType})`),
    notes: reportNotes(g, meta.length, sel.skipped),
  };
}

/** What a reader needs to know about layers the report does not count. */
function reportNotes(g: GraphIndex, compressed: number, skipped: readonly SkippedLayer[]): string[] {
  const notes: string[] = [];
  // tsvdc's node names without its metadata: a tool re-saved the model and dropped metadata_props
  const looksCompressed = g.names.filter((n) => /\/tsvd\/[UV]$/.test(n)).length;
  if (compressed === 0 && looksCompressed > 0) {
    notes.push(`${looksCompressed} nodes are named like tsvdc's compressed layers (<layer>/tsvd/U, /V), but the model has no ${TSVD_META_KEY} metadata (removed by a tool that re-saved it?): they are not counted as TSVD layers; compress the original model again`);
  }
  if (skipped.length > 0) notes.push(`not counted as weight layers: ${skipped.map((s) => `${s.node} (${s.op}: ${s.reason})`).join(', ')}`);
  return notes;
}

function errorSource(layers: number, recomputed: number): ModelReport['errorSource'] {
  if (layers === 0) return 'none';
  return recomputed === layers ? 'recomputed' : recomputed === 0 ? 'stored' : 'mixed';
}
