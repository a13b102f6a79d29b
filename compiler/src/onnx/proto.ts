/**
 * The ONNX protobuf schema and the plain-object view tsvdc works on.
 *
 * The schema is the official onnx.proto (vendored in schema/, see schema/NOTICE), parsed
 * by protobufjs at first use. Messages are converted to plain objects (camelCase fields,
 * int64 as number, enums as number, repeated fields always present, absent optional
 * fields absent) so that the rest of tsvdc reads typed data and never sees protobufjs;
 * `encodeModel` converts back. Fields the schema does not know (newer than IR version 10,
 * ONNX 1.16/1.17) are dropped on decode: see schema/NOTICE.md.
 * The IR 10 fields tsvdc never reads (metadata_props on nodes, values, graphs and tensors,
 * `overload`) are typed optional: decoded models have them, models tsvdc builds may not,
 * and both encode the same.
 */
import protobuf from 'protobufjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface OperatorSetId { domain?: string; version?: number }
export interface StringStringEntry { key?: string; value?: string }

export interface TensorProto {
  dims: number[];
  dataType?: number;
  name?: string;
  docString?: string;
  rawData?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: number[];
  doubleData: number[];
  uint64Data: number[];
  stringData: Uint8Array[];
  externalData: StringStringEntry[];
  dataLocation?: number;
  segment?: { begin?: number; end?: number };
  metadataProps?: StringStringEntry[];
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  sparseTensor?: unknown;
  refAttrName?: string;
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute: AttributeProto[];
  docString?: string;
  overload?: string;
  metadataProps?: StringStringEntry[];
}

export interface Dimension { dimValue?: number; dimParam?: string; denotation?: string }
export interface TypeProto {
  tensorType?: { elemType?: number; shape?: { dim: Dimension[] } };
  sequenceType?: unknown;
  mapType?: unknown;
  optionalType?: unknown;
  sparseTensorType?: unknown;
}
export interface ValueInfoProto { name?: string; type?: TypeProto; docString?: string; metadataProps?: StringStringEntry[] }

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  sparseInitializer: unknown[];
  docString?: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  quantizationAnnotation: unknown[];
  metadataProps?: StringStringEntry[];
}

export interface ModelProto {
  irVersion?: number;
  opsetImport: OperatorSetId[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: GraphProto;
  metadataProps: StringStringEntry[];
  trainingInfo: unknown[];
  functions: unknown[];
}

/** TensorProto.DataType values tsvdc names in messages. */
export const DTYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64',
  8: 'STRING', 9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64',
  15: 'COMPLEX128', 16: 'BFLOAT16', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2',
  20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1',
};
export const DTYPE = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

/** AttributeProto.AttributeType values. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const CONVERSION: protobuf.IConversionOptions = { longs: Number, enums: Number, arrays: true, defaults: false, oneofs: false };

let modelType: protobuf.Type | undefined;

/**
 * The vendored schema lives next to the TypeScript source; the compiled module (dist/)
 * reads the same file from src/, so there is one copy of the schema.
 */
function schemaPath(): string {
  return fileURLToPath(new URL('../../src/onnx/schema/onnx.proto', import.meta.url));
}

function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.parse(readFileSync(schemaPath(), 'utf8')).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes protobuf bytes as a ModelProto. Throws protobufjs' errors (the reader wraps them). */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  const t = modelProtoType();
  return t.toObject(t.decode(bytes), CONVERSION) as ModelProto;
}

/** Encodes a model (the plain-object view) as protobuf bytes. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  const t = modelProtoType();
  return t.encode(t.fromObject(model as unknown as Record<string, unknown>)).finish();
}
