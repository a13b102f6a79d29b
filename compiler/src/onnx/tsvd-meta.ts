/**
 * How a compressed model records its TSVD layers (README.md, "The compressed-model
 * convention"): one metadata_props entry `tsvdc.layers` holding JSON, one record per
 * replaced layer, naming the nodes and initializers that implement it. The nodes'
 * names follow `<layer>/tsvd/<part>` and the initializers' `<layer>.tsvd.<part>` so a
 * person reading the graph sees the same thing; the metadata is what tsvdc trusts.
 */
import { TsvdcError } from '@tsvdc/ir';
import { ONNX_CODES } from './codes.js';
import type { ModelProto } from './proto.js';

export const TSVD_META_KEY = 'tsvdc.layers';
export const TSVD_META_VERSION = 1;

export type CompressedOp = 'Gemm' | 'MatMul' | 'Conv' | 'ConvTranspose';

/** One compressed layer. Linear layers store V^T [n, r] and U^T [r, m]; convs store conv weights. */
export interface CompressedLayer {
  /** The original ONNX node's name (the layer's name in reports). */
  readonly node: string;
  readonly op: CompressedOp;
  /** The ONNX value the layer reads and the one it writes (unchanged by compress). */
  readonly input: string;
  readonly output: string;
  /** The replacement nodes, in data-flow order. */
  readonly nodes: readonly string[];
  /** Initializer names: int8 ternary factors, float scales and bias. */
  readonly U: string;
  readonly s: string;
  readonly V: string;
  readonly bias?: string;
  /** The original weight's shape and parameter count. */
  readonly weightShape: readonly number[];
  readonly rank: number;
  /** Conv layers: TSVD.md form (0..3) and groups. */
  readonly form?: number;
  readonly groups?: number;
  /** Relative operator-norm error of the factors against the original weight, at compress time. */
  readonly error: number;
  readonly frobeniusError: number;
  readonly tol: number;
  readonly cosThresh: number;
  readonly nnzU: number;
  readonly nnzV: number;
  readonly sparsity: number;
  readonly reachedMaxRank: boolean;
}

export interface TsvdMeta {
  readonly version: number;
  readonly layers: readonly CompressedLayer[];
}

/** The compressed layers a model declares ([] for a model tsvdc did not compress). */
export function readTsvdMeta(model: ModelProto, file: string): CompressedLayer[] {
  const entry = model.metadataProps.find((p) => p.key === TSVD_META_KEY);
  if (!entry) return [];
  const fail = (why: string): never => {
    throw new TsvdcError(ONNX_CODES.badCompressedLayer, `metadata ${TSVD_META_KEY} is invalid: ${why}`, { file });
  };
  let meta: TsvdMeta;
  try {
    meta = JSON.parse(entry.value ?? '') as TsvdMeta;
  } catch (e) {
    return fail(`not JSON (${(e as Error).message})`);
  }
  if (typeof meta !== 'object' || meta === null || meta.version !== TSVD_META_VERSION || !Array.isArray(meta.layers)) {
    return fail(`expected {"version": ${TSVD_META_VERSION}, "layers": [...]}`);
  }
  for (const l of meta.layers) {
    const strings = [l?.node, l?.op, l?.input, l?.output, l?.U, l?.s, l?.V];
    if (strings.some((s) => typeof s !== 'string') || !Array.isArray(l.nodes) || !['Gemm', 'MatMul', 'Conv', 'ConvTranspose'].includes(l.op)) {
      fail(`layer record ${JSON.stringify(l)?.slice(0, 80)} lacks node, op, input, output, nodes, U, s or V`);
    }
  }
  return meta.layers as CompressedLayer[];
}

/** Sets (replaces) the metadata entry on a model. */
export function writeTsvdMeta(model: ModelProto, layers: readonly CompressedLayer[]): void {
  const value = JSON.stringify({ version: TSVD_META_VERSION, layers } satisfies TsvdMeta);
  model.metadataProps = [...model.metadataProps.filter((p) => p.key !== TSVD_META_KEY), { key: TSVD_META_KEY, value }];
}

/** Node and initializer names of a layer's parts. */
export function tsvdNodeName(layer: string, part: string): string {
  return `${layer}/tsvd/${part}`;
}
export function tsvdInitName(layer: string, part: string): string {
  return `${layer}.tsvd.${part}`;
}
