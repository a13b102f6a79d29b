/**
 * One report row per weight layer of an ONNX model: dense Gemm/MatMul/Conv/
 * ConvTranspose layers with their dense counts, and TSVD layers (from the tsvdc
 * metadata) with rank, stored error, non-zeros and their counts (costs.ts).
 */
import { numel } from '@tsvdc/ir';
import type { Selection } from '../compress/select.js';
import { attrInts } from '../onnx/attrs.js';
import type { GraphIndex } from '../onnx/graph.js';
import { tensorValues } from '../onnx/tensor.js';
import type { CompressedLayer } from '../onnx/tsvd-meta.js';
import {
  denseConv, denseConvTranspose, denseLinear, middlePixels, pixels, rowsPerSample, treeAdds, type Counts,
} from './costs.js';

export interface LayerRow {
  readonly name: string;
  readonly op: string;
  /** The (original) weight's shape as stored in ONNX. */
  readonly shape: readonly number[];
  readonly compressed: boolean;
  readonly rank?: number;
  readonly form?: number;
  /** Relative operator-norm error and where it comes from. */
  readonly error?: number;
  readonly errorSource?: 'stored' | 'recomputed';
  readonly nnzU?: number;
  readonly nnzV?: number;
  readonly sparsity?: number;
  readonly muls: number;
  readonly adds: number;
  /** What the dense layer costs (equal to muls/adds for dense rows). */
  readonly denseMuls: number;
  readonly denseAdds: number;
  /** Float parameters of the layer (weights, scales, biases) and ternary entries (U and V). */
  readonly params: number;
  readonly ternaryParams: number;
}

type ShapeOf = (v: string) => readonly number[] | undefined;

/** Rows of the dense (uncompressed) layers compress would select (nodes of TSVD layers are not). */
export function denseRows(sel: Selection, shapeOf: ShapeOf): LayerRow[] {
  return sel.sites.map((site) => {
    const job = sel.jobs[site.id]!;
    const out = shapeOf(site.output);
    const bias = site.bias !== undefined;
    let c: Counts;
    if (job.kind === 'matrix') c = denseLinear(job.rows, job.cols, rowsPerSample(out), bias);
    else if (site.op === 'Conv') c = denseConv(job.shape, pixels(out), bias);
    else c = denseConvTranspose(job.shape, pixels(shapeOf(site.input)), pixels(out), out?.[1] ?? job.shape[1]!, bias);
    return {
      name: site.name, op: site.op, shape: site.weightShape, compressed: false, muls: c.muls, adds: c.adds,
      denseMuls: c.muls, denseAdds: c.adds, params: site.params + (site.bias?.length ?? 0), ternaryParams: 0,
    };
  });
}

/** Non-zeros per row of an int8 factor, rows along `axis` 0 (or per column when `columns`). */
function rowNnz(g: GraphIndex, name: string, columns: boolean): { nnz: Int32Array; dims: number[] } {
  const t = g.initializers.get(name)!;
  const v = tensorValues(t, { file: g.file });
  const dims = [...t.dims];
  const rows = columns ? dims[dims.length - 1]! : dims[0]!;
  const inner = v.length / Math.max(dims[0]!, 1);
  const nnz = new Int32Array(rows);
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz[columns ? i % rows : Math.floor(i / inner)]!++;
  return { nnz, dims };
}

/** The row of one compressed layer. */
export function compressedRow(g: GraphIndex, shapeOf: ShapeOf, l: CompressedLayer): LayerRow {
  const out = shapeOf(l.output);
  const input = shapeOf(l.input);
  const bias = l.bias !== undefined ? numel(g.initializers.get(l.bias)!.dims) : 0;
  const sLen = numel(g.initializers.get(l.s)!.dims);
  const linear = l.op === 'Gemm' || l.op === 'MatMul';
  const V = rowNnz(g, l.V, linear);
  const U = rowNnz(g, l.U, linear);
  let c: Counts;
  let dense: Counts;
  if (linear) {
    const rows = rowsPerSample(out);
    const [n, m] = [V.dims[0]!, U.dims[1]!];
    c = { muls: rows * sLen, adds: rows * (treeAdds(V.nnz) + treeAdds(U.nnz) + bias) };
    dense = denseLinear(m, n, rows, bias > 0);
  } else {
    const first = g.nodes[g.names.indexOf(l.nodes.find((n) => n.endsWith(l.op === 'ConvTranspose' ? '/tsvd/U' : '/tsvd/V'))!)]!;
    const k = l.op === 'ConvTranspose' ? U.dims.slice(2) : V.dims.slice(2);
    const mid = middlePixels(input, k, attrInts(first, 'strides', [1, 1]), attrInts(first, 'dilations', [1, 1]), attrInts(first, 'pads', [0, 0, 0, 0]), l.op === 'ConvTranspose');
    const pOut = pixels(out);
    const cout = out?.[1] ?? U.dims[0]!;
    if (l.op === 'Conv') {
      c = { muls: sLen * mid, adds: mid * treeAdds(V.nnz) + pOut * treeAdds(U.nnz) + pOut * bias };
      dense = denseConv(l.weightShape, pOut, bias > 0);
    } else {
      const pIn = pixels(input);
      c = { muls: sLen * mid, adds: pIn * (l.nnzU) + mid * l.nnzV + pOut * bias };
      dense = denseConvTranspose(l.weightShape, pIn, pOut, cout, bias > 0);
    }
  }
  return {
    name: l.node, op: l.op, shape: l.weightShape, compressed: true, rank: l.rank, ...(l.form !== undefined ? { form: l.form } : {}),
    error: l.error, errorSource: 'stored', nnzU: l.nnzU, nnzV: l.nnzV, sparsity: l.sparsity,
    muls: c.muls, adds: c.adds, denseMuls: dense.muls, denseAdds: dense.adds,
    params: sLen + bias, ternaryParams: numel(U.dims) + numel(V.dims),
  };
}
