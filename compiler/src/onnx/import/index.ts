/**
 * ONNX -> graph IR. Walks the nodes in topological order and hands each to the handler
 * of its op family; compressed layers (tsvd-meta.ts) become ternary ops, giving a
 * `ternary`-stage module. Every unsupported node is collected and reported in ONE
 * error (TSVDC209), so a user sees the whole list at once. The lenient variant, used
 * by compress and report, returns what it could import instead of failing.
 */
import { F32, F64, TsvdcError, type Diagnostic, type Module, type TensorType } from '@tsvdc/ir';
import { basename } from 'node:path';
import { ONNX_CODES } from '../codes.js';
import { indexGraph, type GraphIndex } from '../graph.js';
import type { ValueInfoProto } from '../proto.js';
import { modelOpset, type OnnxModel } from '../read.js';
import { dtypeName } from '../tensor.js';
import { readTsvdMeta, type CompressedLayer } from '../tsvd-meta.js';
import { ImportState, NodeCtx, Unsupported, type UnsupportedNode } from './context.js';
import { importConv, importConvTranspose } from './conv.js';
import { foldable, foldConcat, foldGather, foldIdentity, foldSqueeze, importCast, importShape } from './constfold.js';
import { importBinary, importClip, importIdentity, importLeakyRelu, importSoftmax, importUnary } from './elementwise.js';
import { importGemm, importMatMul } from './linear.js';
import { importBatchNorm, importLayerNormalization, importReduceMean } from './norm.js';
import { importAveragePool, importGlobalAveragePool, importMaxPool } from './pool.js';
import { importConcat, importFlatten, importReshape, importSqueeze, importTranspose } from './shape.js';
import { importCompressedLayer } from './ternary.js';

export type { UnsupportedNode } from './context.js';

export interface ImportOptions {
  /** Size to give dynamic batch dimensions (default: keep them dynamic, -1). */
  readonly batch?: number;
}

export interface LenientImport {
  /** The imported part; values downstream of an unsupported node are missing. */
  readonly module: Module;
  readonly unsupported: readonly UnsupportedNode[];
  readonly graph: GraphIndex;
  /** Shape of an ONNX value, where import computed it. */
  readonly shapeOf: (value: string) => readonly number[] | undefined;
}

type Handler = (c: NodeCtx) => void;

/** A handler that folds the node when its inputs are constants (constfold.ts). */
const orFold = (fold: Handler, handler: Handler): Handler => (c) => (foldable(c) ? fold(c) : handler(c));

const HANDLERS: Readonly<Record<string, Handler>> = {
  Gemm: importGemm, MatMul: importMatMul, Conv: importConv, ConvTranspose: importConvTranspose,
  BatchNormalization: importBatchNorm, LayerNormalization: importLayerNormalization, ReduceMean: importReduceMean,
  Relu: importUnary('relu'), Sigmoid: importUnary('sigmoid'), Tanh: importUnary('tanh'), Clip: importClip,
  Add: importBinary('Add'), Sub: importBinary('Sub'), Mul: importBinary('Mul'), Div: importBinary('Div'),
  LeakyRelu: importLeakyRelu, Softmax: importSoftmax,
  Identity: orFold(foldIdentity, importIdentity), Dropout: orFold(foldIdentity, importIdentity),
  Flatten: importFlatten, Reshape: importReshape, Transpose: importTranspose,
  Concat: orFold(foldConcat, importConcat),
  Squeeze: orFold(foldSqueeze, importSqueeze), Unsqueeze: orFold(foldSqueeze, importSqueeze),
  Cast: importCast, Shape: importShape,
  Gather: orFold(foldGather, (c) => c.unsupported('Gather of a computed tensor (tsvdc folds Gather of constants and shapes)')),
  MaxPool: importMaxPool, AveragePool: importAveragePool, GlobalAveragePool: importGlobalAveragePool,
  // Constant outputs are read as constants by the nodes that use them
  Constant: () => undefined,
};

/** The ONNX op types import handles (for docs and `tsvdc report`). */
export const IMPORTED_OPS: readonly string[] = Object.keys(HANDLERS).sort();

/** Imports a model; throws on the first error, or once listing every unsupported node. */
export function importOnnx(model: OnnxModel, opts: ImportOptions = {}): Module {
  const r = run(model, opts, false);
  if (r.unsupported.length > 0) throw unsupportedError(model.file, r.unsupported);
  return r.module;
}

/**
 * Imports what it can: nodes tsvdc cannot import (and layers whose weights are computed at
 * run time) are listed, and what depends on them is missing. Errors in the model itself
 * (bad weights, shapes, attributes) still throw.
 */
export function importOnnxLenient(model: OnnxModel, opts: ImportOptions = {}): LenientImport {
  return run(model, opts, true);
}

function unsupportedError(file: string, list: readonly UnsupportedNode[]): TsvdcError {
  const item = (u: UnsupportedNode): string => `${JSON.stringify(u.node)} (${u.opType}${u.reason ? `: ${u.reason}` : ''})`;
  const related: Diagnostic[] = list.map((u) => ({
    code: ONNX_CODES.unsupported, message: u.reason ? `${u.opType}: ${u.reason}` : `op ${u.opType} is not supported`, origin: { file, node: u.node },
  }));
  const n = list.length;
  return new TsvdcError(ONNX_CODES.unsupported, `${n} node${n === 1 ? '' : 's'} cannot be imported: ${list.map(item).join(', ')}`, { file }, related);
}

function inputType(v: ValueInfoProto, file: string, batch: number | undefined): TensorType {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  const fail = (why: string): never => {
    throw new TsvdcError(ONNX_CODES.badGraphIo, `graph input ${JSON.stringify(name)} ${why}`, { file });
  };
  if (!tt) fail('is not a tensor');
  const et = tt!.elemType ?? 0;
  if (![1, 10, 11, 16].includes(et)) fail(`has element type ${dtypeName(et)}; tsvdc imports float networks`);
  if (!tt!.shape) fail('has no shape');
  const shape = tt!.shape!.dim.map((d, axis) => {
    if (d.dimValue !== undefined && d.dimValue > 0) return d.dimValue;
    if (axis !== 0) fail(`has an unknown dimension at axis ${axis} (only the batch dimension may be unknown)`);
    return batch ?? -1;
  });
  return { shape, elem: et === 11 ? F64 : F32 };
}

/** Compressed-layer entry nodes and the member nodes to skip. */
function compressedLayers(g: GraphIndex, layers: readonly CompressedLayer[], st: ImportState): Map<number, { layer: CompressedLayer; members: Map<string, number> }> {
  const byName = new Map(g.names.map((n, i) => [n, i]));
  const entries = new Map<number, { layer: CompressedLayer; members: Map<string, number> }>();
  for (const layer of layers) {
    const members = new Map<string, number>();
    for (const n of layer.nodes) {
      const i = byName.get(n);
      if (i === undefined) throw new TsvdcError(ONNX_CODES.badCompressedLayer, `compressed layer ${JSON.stringify(layer.node)}: node ${JSON.stringify(n)} is missing`, { file: g.file, node: layer.node });
      members.set(n, i);
    }
    const entry = [...members.values()].find((i) => g.nodes[i]!.input.includes(layer.input) && g.nodes[i]!.opType !== 'Cast');
    if (entry === undefined) throw new TsvdcError(ONNX_CODES.badCompressedLayer, `compressed layer ${JSON.stringify(layer.node)}: no node reads its input ${JSON.stringify(layer.input)}`, { file: g.file, node: layer.node });
    for (const i of members.values()) if (i !== entry) st.skip.add(i);
    entries.set(entry, { layer, members });
  }
  return entries;
}

function run(model: OnnxModel, opts: ImportOptions, lenient: boolean): LenientImport {
  const g = indexGraph(model);
  const st = new ImportState(g, modelOpset(model));
  for (const v of g.inputs) st.values.set(v.name ?? '', inputType(v, model.file, opts.batch));
  const entries = compressedLayers(g, readTsvdMeta(model.proto, model.file), st);
  for (let i = 0; i < g.nodes.length; i++) {
    if (st.skip.has(i)) continue;
    const n = g.nodes[i]!;
    const c = new NodeCtx(st, i);
    const domain = n.domain ?? '';
    const handler = domain === '' || domain === 'ai.onnx' ? HANDLERS[n.opType ?? ''] : undefined;
    const entry = entries.get(i);
    const record = (reason?: string): void => {
      st.unsupported.push({ node: c.name, opType: domain && domain !== 'ai.onnx' ? `${domain}:${n.opType}` : n.opType ?? '', ...(reason ? { reason } : {}) });
    };
    if (!handler && !entry) record();
    if ((!handler && !entry) || n.input.some((v) => v !== '' && st.missing.has(v))) {
      // a compressed layer's members are skipped: its output, not only its entry node's, is missing
      for (const o of entry ? [...n.output, entry.layer.output] : n.output) st.missing.add(o);
      continue;
    }
    try {
      if (entry) importCompressedLayer(c, entry.layer, entry.members);
      else handler!(c);
    } catch (e) {
      // lenient: ops tsvdc cannot import, and weights computed at run time, pass; errors in the model do not
      if (!(e instanceof Unsupported) && !(lenient && e instanceof TsvdcError && e.code === ONNX_CODES.notConstant)) throw e;
      record(e instanceof Unsupported ? e.reason : e.message);
      for (const o of entry ? [entry.layer.output] : n.output) st.missing.add(o);
    }
  }
  for (const o of g.outputs) {
    if (!lenient && !st.values.has(st.resolve(o)) && !st.missing.has(o)) {
      throw new TsvdcError(ONNX_CODES.badGraphIo, `graph output ${JSON.stringify(o)} is a constant, not a computed tensor`, { file: model.file });
    }
  }
  return { module: finish(model, st), unsupported: st.unsupported, graph: g, shapeOf: (v) => st.values.get(st.resolve(v))?.shape };
}

function finish(model: OnnxModel, st: ImportState): Module {
  const g = st.g;
  const nodes = st.nodes.filter((n): n is NonNullable<typeof n> => n !== undefined);
  return {
    name: model.proto.graph?.name || basename(model.file).replace(/\.onnx$/, ''),
    stage: st.ternary ? 'ternary' : 'graph',
    source: model.file,
    inputs: g.inputs.map((i) => i.name ?? ''),
    outputs: g.outputs.map((o) => st.resolve(o)),
    values: st.values,
    nodes,
    consts: st.consts,
    trees: new Map(),
  };
}
