/**
 * Building small ONNX models in tests (the same plain ModelProto view the reader
 * produces), and a seeded generator of weights and inputs. Test support only.
 */
import { numel } from '@tsvdc/ir';
import { ATTR, DTYPE, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../proto.js';
import { floatTensor, floatTensorOf, int64Tensor } from '../tensor.js';
import { writeModel } from '../write.js';

/** A float attribute (plain numbers become INT attributes). */
export interface FloatAttr { readonly float: number }
export const float = (v: number): FloatAttr => ({ float: v });

export type AttrInput = number | readonly number[] | string | FloatAttr | { readonly floats: readonly number[] } | TensorProto;

function attribute(name: string, v: AttrInput): AttributeProto {
  const base: AttributeProto = { name, floats: [], ints: [], strings: [], tensors: [], graphs: [] };
  if (typeof v === 'number') return { ...base, type: ATTR.INT, i: v };
  if (typeof v === 'string') return { ...base, type: ATTR.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { ...base, type: ATTR.INTS, ints: [...(v as number[])] };
  if ('float' in v) return { ...base, type: ATTR.FLOAT, f: v.float };
  if ('floats' in v) return { ...base, type: ATTR.FLOATS, floats: [...v.floats] };
  return { ...base, type: ATTR.TENSOR, t: v as TensorProto };
}

export function node(opType: string, input: readonly string[], output: readonly string[], attrs: Readonly<Record<string, AttrInput>> = {}, name?: string): NodeProto {
  return {
    opType, input: [...input], output: [...output], name: name ?? `${opType}_${output[0]}`,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

export function valueInfo(name: string, shape: ReadonlyArray<number | string>, elemType = 1): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export interface ModelSpec {
  readonly opset?: number;
  readonly irVersion?: number;
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly initializers?: readonly TensorProto[];
  readonly nodes: readonly NodeProto[];
}

export function buildModel(spec: ModelSpec): ModelProto {
  const opset = spec.opset ?? 13;
  return {
    irVersion: spec.irVersion ?? (opset >= 21 ? 10 : opset >= 19 ? 9 : opset >= 15 ? 8 : 7),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'tsvdc-test',
    graph: {
      name: 'test', node: [...spec.nodes], initializer: [...(spec.initializers ?? [])], input: [...spec.inputs],
      output: [...spec.outputs], valueInfo: [], sparseInitializer: [], quantizationAnnotation: [],
    },
    metadataProps: [], trainingInfo: [], functions: [],
  };
}

export const modelBytes = (spec: ModelSpec): Uint8Array => writeModel(buildModel(spec));

/** Deterministic uniform numbers in [-1, 1) (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
}

export function randomArray(n: number, r: () => number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => r() * scale);
}

/** Random weights uniform in [-scale, scale), stored as `dtype` (FLOAT, FLOAT16, BFLOAT16 or DOUBLE). */
export function weight(name: string, dims: readonly number[], r: () => number, scale = 0.5, dtype: number = DTYPE.FLOAT): TensorProto {
  return floatTensorOf(name, dims, randomArray(numel(dims), r, scale), dtype);
}

export { floatTensor, int64Tensor };
