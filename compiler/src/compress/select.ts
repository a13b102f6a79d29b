/**
 * Which ONNX nodes `compress` replaces: Gemm and MatMul with a constant weight, Conv
 * and ConvTranspose (2-D) with a constant weight, filtered by --include/--exclude
 * (regular expressions over node names) and --min-params. Each selected node becomes
 * a site (what the rewrite needs) and a job (what a worker decomposes); every other
 * weight layer is listed as skipped with the reason.
 */
import { TsvdcError } from '@tsvdc/ir';
import { attrFloat, attrInt, attrInts, attrString } from '../onnx/attrs.js';
import { ONNX_CODES } from '../onnx/codes.js';
import { constantOf, type GraphIndex } from '../onnx/graph.js';
import { convTransposePads, samePads } from '../onnx/import/conv.js';
import type { NodeProto } from '../onnx/proto.js';
import { weightValues } from '../onnx/tensor.js';
import type { CompressedOp } from '../onnx/tsvd-meta.js';
import { outputPaddingFits, type ConvSpec } from '../tsvd/conv.js';

export interface SelectOptions {
  readonly include?: RegExp;
  readonly exclude?: RegExp;
  /** Layers with fewer weights stay dense (default 0). */
  readonly minParams?: number;
  /**
   * Nodes of layers an earlier run compressed (tsvd-meta.ts): not weight layers any
   * more (their factors are read through a Cast), so neither selected nor listed as skipped.
   */
  readonly compressedNodes?: ReadonlySet<string>;
}

/** What a worker decomposes. `matrix` for Gemm/MatMul (W [out, in]); `conv` for convs. */
export type JobBody =
  | { readonly kind: 'matrix'; readonly rows: number; readonly cols: number; readonly data: Float64Array }
  | { readonly kind: 'conv'; readonly shape: readonly number[]; readonly data: Float64Array; readonly spec: ConvSpec };
export type LayerJob = JobBody & { readonly id: number };

/** What the rewrite needs to know about a selected node. */
export interface LayerSite {
  readonly id: number;
  /** Index in the graph index's (topological) node list and the node's display name. */
  readonly index: number;
  readonly name: string;
  readonly op: CompressedOp;
  readonly input: string;
  readonly output: string;
  readonly transA: boolean;
  /** Bias per output channel (Gemm: beta * C), if any. */
  readonly bias?: Float64Array;
  /** Weight shape as stored in ONNX, and its parameter count. */
  readonly weightShape: readonly number[];
  /** The weight's element type (FLOAT, FLOAT16, BFLOAT16, DOUBLE): the layer's, since ONNX ops bind one T. */
  readonly dtype: number;
  readonly params: number;
  /** The values the node reads as constants (weight, bias), to drop when nobody else reads them. */
  readonly constInputs: readonly string[];
}

export interface SkippedLayer {
  readonly node: string;
  readonly op: string;
  readonly reason: string;
}

export interface Selection {
  readonly sites: LayerSite[];
  readonly jobs: LayerJob[];
  readonly skipped: SkippedLayer[];
}

const LAYER_OPS = new Set(['Gemm', 'MatMul', 'Conv', 'ConvTranspose']);

type Picked = { site: Omit<LayerSite, 'id'>; job: JobBody };

/** Selects the layers to compress; `shapeOf` gives known value shapes (for SAME pads and costs). */
export function selectLayers(g: GraphIndex, shapeOf: (v: string) => readonly number[] | undefined, opts: SelectOptions = {}): Selection {
  const sel: Selection = { sites: [], jobs: [], skipped: [] };
  g.nodes.forEach((n, index) => {
    const op = n.opType ?? '';
    if (!LAYER_OPS.has(op) || (n.domain ?? '') !== '') return;
    const name = g.names[index]!;
    if (opts.compressedNodes?.has(name)) return;
    const skip = (reason: string): void => void sel.skipped.push({ node: name, op, reason });
    if (opts.include && !opts.include.test(name)) return skip('not matched by --include');
    if (opts.exclude?.test(name)) return skip('matched by --exclude');
    const picked = op === 'Gemm' || op === 'MatMul' ? pickMatrix(g, n, index, name) : pickConv(g, n, index, name, shapeOf);
    if (typeof picked === 'string') return skip(picked);
    if (picked.site.params < (opts.minParams ?? 0)) return skip(`${picked.site.params} weights, below --min-params ${opts.minParams}`);
    const id = sel.sites.length;
    sel.sites.push({ ...picked.site, id });
    sel.jobs.push({ ...picked.job, id });
  });
  return sel;
}

function weight(g: GraphIndex, n: NodeProto, i: number, name: string): { dims: number[]; data: Float64Array; dtype: number } | undefined {
  const t = n.input[i] ? constantOf(g, n.input[i]!) : undefined;
  return t ? { dims: [...t.dims], data: weightValues(t, { file: g.file, node: name }), dtype: t.dataType ?? 0 } : undefined;
}

function pickMatrix(g: GraphIndex, n: NodeProto, index: number, name: string): Picked | string {
  const op = n.opType as 'Gemm' | 'MatMul';
  if (op === 'MatMul' && constantOf(g, n.input[0] ?? '')) return 'the constant operand is on the left';
  const b = weight(g, n, 1, name);
  if (!b) return 'the weight is computed, not a constant';
  if (b.dims.length !== 2) return `the weight has rank ${b.dims.length}`;
  const transB = op === 'Gemm' && attrInt(n, 'transB', 0) !== 0;
  const alpha = op === 'Gemm' ? attrFloat(n, 'alpha', 1) : 1;
  const [rows, cols] = transB ? [b.dims[0]!, b.dims[1]!] : [b.dims[1]!, b.dims[0]!];
  const data = new Float64Array(rows * cols);
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < cols; i++) data[o * cols + i] = alpha * (transB ? b.data[o * cols + i]! : b.data[i * rows + o]!);
  }
  let bias: Float64Array | undefined;
  const constInputs = [n.input[1]!];
  if (op === 'Gemm' && n.input[2]) {
    const c = weight(g, n, 2, name);
    if (!c) return 'the bias C is computed, not a constant';
    const beta = attrFloat(n, 'beta', 1);
    const perFeature = c.data.length === 1 || (c.data.length === rows && c.dims[c.dims.length - 1] === rows);
    if (!perFeature) return `the bias C of shape [${c.dims}] is not one value per output feature`;
    bias = Float64Array.from({ length: rows }, (_, o) => beta * c.data[c.data.length === 1 ? 0 : o]!);
    constInputs.push(n.input[2]!);
  }
  const site = {
    index, name, op, input: n.input[0]!, output: n.output[0]!, transA: op === 'Gemm' && attrInt(n, 'transA', 0) !== 0,
    ...(bias ? { bias } : {}), weightShape: b.dims, dtype: b.dtype, params: b.data.length, constInputs,
  };
  return { site, job: { kind: 'matrix', rows, cols, data } };
}

function pickConv(g: GraphIndex, n: NodeProto, index: number, name: string, shapeOf: (v: string) => readonly number[] | undefined): Picked | string {
  const op = n.opType as 'Conv' | 'ConvTranspose';
  const w = weight(g, n, 1, name);
  if (!w) return 'the weight is computed, not a constant';
  if (w.dims.length !== 4) return `only 2-D convolutions are compressed (the weight is [${w.dims}])`;
  const x = shapeOf(n.input[0]!);
  const spatial = x && x.length === 4 && x[2]! > 0 && x[3]! > 0 ? [x[2]!, x[3]!] : undefined;
  const strides = attrInts(n, 'strides', [1, 1]);
  const dilations = attrInts(n, 'dilations', [1, 1]);
  const groups = attrInt(n, 'group', 1);
  const kernel = w.dims.slice(2);
  const autoPad = attrString(n, 'auto_pad', 'NOTSET');
  const outputPadding = op === 'ConvTranspose' ? attrInts(n, 'output_padding', [0, 0]) : [0, 0];
  const outShape = op === 'ConvTranspose' ? attrInts(n, 'output_shape', []) : [];
  // ONNX's rule; a layer breaking it has no writable form (tsvd/conv.ts), so say so here
  if (!outputPaddingFits(outputPadding, strides, dilations)) {
    return `output_padding [${outputPadding}] is not below max(stride, dilation) on every axis`;
  }
  let pads = autoPad === 'VALID' ? [0, 0, 0, 0] : attrInts(n, 'pads', [0, 0, 0, 0]);
  if (autoPad.startsWith('SAME') || outShape.length > 0) {
    if (!spatial) return `${autoPad !== 'NOTSET' ? `auto_pad ${autoPad}` : 'output_shape'} needs the input size, which is unknown here`;
    const p = op === 'Conv' ? samePads(spatial, kernel, strides, dilations, autoPad === 'SAME_UPPER') : convTransposePads(spatial, kernel, strides, dilations, outputPadding, autoPad, outShape);
    if (typeof p === 'string') return p;
    pads = p;
  }
  let bias: Float64Array | undefined;
  const constInputs = [n.input[1]!];
  if (n.input[2]) {
    const b = weight(g, n, 2, name);
    if (!b) return 'the bias is computed, not a constant';
    bias = b.data;
    constInputs.push(n.input[2]!);
  }
  const spec: ConvSpec = {
    groups, strides, dilations, pads, transposed: op === 'ConvTranspose', outputPadding,
    ...(spatial ? { inputSize: spatial as [number, number] } : {}),
  };
  const site = { index, name, op, input: n.input[0]!, output: n.output[0]!, transA: false, ...(bias ? { bias } : {}), weightShape: w.dims, dtype: w.dtype, params: w.data.length, constInputs };
  return { site, job: { kind: 'conv', shape: w.dims, data: w.data, spec } };
}

/** Fails with TSVDC220 naming the layer (used when a job's result cannot be written back). */
export function cannotCompress(file: string, node: string, why: string): TsvdcError {
  return new TsvdcError(ONNX_CODES.cannotCompress, `layer cannot be compressed: ${why}`, { file, node });
}
