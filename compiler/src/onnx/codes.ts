/**
 * ONNX reading, import, export, compress and report diagnostics (TSVDC200-299).
 * Codes are stable: tests assert them, users search for them.
 */
export const ONNX_CODES = {
  /** The bytes do not decode as protobuf (truncated, corrupt, garbage). */
  corrupt: 'TSVDC200',
  /** The bytes decode but are not an ONNX ModelProto (another format, no graph). */
  notOnnx: 'TSVDC201',
  /** IR version or opset outside what tsvdc reads (default domain 9..21). */
  badVersion: 'TSVDC202',
  /** External tensor data: refused, missing, escaping the model's folder, out of range. */
  externalData: 'TSVDC203',
  /** A tensor's data type is unknown or not usable where it appears. */
  badDtype: 'TSVDC204',
  /** A tensor's data length disagrees with its dims. */
  tensorSize: 'TSVDC205',
  /** NaN or Inf in a weight. */
  nonFinite: 'TSVDC206',
  /** The graph has a cycle. */
  cycle: 'TSVDC207',
  /** A node reads a value nobody defines (missing initializer, undefined input). */
  undefinedValue: 'TSVDC208',
  /** Ops tsvdc cannot import (one error lists every such node). */
  unsupported: 'TSVDC209',
  /** Operand shapes do not fit the op. */
  shapeMismatch: 'TSVDC210',
  /** An attribute is missing, of the wrong type or has a bad value. */
  badAttribute: 'TSVDC211',
  /** An operand that must be constant (weights, a Reshape shape) is computed at run time. */
  notConstant: 'TSVDC212',
  /** Two nodes (or a node and an input/initializer) define the same value name. */
  duplicateValue: 'TSVDC213',
  /** A graph input or output has no usable tensor type. */
  badGraphIo: 'TSVDC214',
  /** The tsvdc compression metadata does not match the graph. */
  badCompressedLayer: 'TSVDC215',
  /** The model is too large to serialize as one protobuf (2 GiB). */
  tooLarge: 'TSVDC216',
  /** compress: a layer selected for compression cannot be compressed (reason in the message). */
  cannotCompress: 'TSVDC220',
  /** report --original: the original model does not match the compressed one. */
  originalMismatch: 'TSVDC221',
  /** A dataset file (IDX) is unreadable or malformed. */
  badDataset: 'TSVDC222',
} as const;

export type OnnxCode = (typeof ONNX_CODES)[keyof typeof ONNX_CODES];
