/**
 * Reading an ONNX model: bytes -> the plain ModelProto view, with every failure a
 * TsvdcError naming the file. Recognizes the files people mistake for ONNX (PyTorch
 * checkpoints, Keras HDF5, TFLite, .npy, gzip, the ONNX text format) before decoding,
 * because protobuf decodes much garbage "successfully".
 */
import { TsvdcError } from '@tsvdc/ir';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CLI_CODES } from '../cli/codes.js';
import { ONNX_CODES } from './codes.js';
import { resolveExternalData, type ExternalDataPolicy } from './external.js';
import { decodeModelProto, type ModelProto } from './proto.js';

/** A decoded model and the file it came from (used in every diagnostic). */
export interface OnnxModel {
  readonly file: string;
  readonly proto: ModelProto;
}

export interface ReadOptions {
  /** Name used in diagnostics (default '<memory>'). */
  readonly file?: string;
  /** Folder external data paths are relative to; without one, external data is refused. */
  readonly baseDir?: string;
  /** 'follow' (default when baseDir is known) or 'refuse'. */
  readonly externalData?: ExternalDataPolicy;
}

export const MIN_OPSET = 9;
export const MAX_OPSET = 21;

const SIGNATURES: ReadonlyArray<{ test: (b: Uint8Array) => boolean; what: string }> = [
  { test: (b) => starts(b, [0x50, 0x4b, 0x03, 0x04]), what: 'a zip archive (a PyTorch .pt/.pth checkpoint, .npz or .keras file?)' },
  { test: (b) => starts(b, [0x1f, 0x8b]), what: 'gzip-compressed data (decompress it first)' },
  { test: (b) => starts(b, [0x89, 0x48, 0x44, 0x46]), what: 'an HDF5 file (a Keras .h5 model?)' },
  { test: (b) => starts(b, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]), what: 'a NumPy .npy array' },
  { test: (b) => b.length >= 8 && ascii(b, 4, 8) === 'TFL3', what: 'a TensorFlow Lite flatbuffer' },
  { test: (b) => b.length >= 2 && b[0] === 0x80 && b[1]! >= 2 && b[1]! <= 5, what: 'a Python pickle (a legacy PyTorch checkpoint?)' },
  { test: (b) => /^\s*(<\s*ir_version|ir_version\s*:)/.test(ascii(b, 0, 64)), what: 'the ONNX text format (convert it to binary protobuf)' },
  { test: (b) => /^\s*[{[]/.test(ascii(b, 0, 16)), what: 'a JSON document' },
];

function starts(b: Uint8Array, sig: readonly number[]): boolean {
  return b.length >= sig.length && sig.every((v, i) => b[i] === v);
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, Math.min(to, b.length)));
}

/** Decodes and checks a model; external data is resolved per `opts`. */
export function readModel(bytes: Uint8Array, opts: ReadOptions = {}): OnnxModel {
  const file = opts.file ?? '<memory>';
  const origin = { file };
  if (bytes.length === 0) throw new TsvdcError(ONNX_CODES.notOnnx, 'not an ONNX model: the file is empty', origin);
  const sig = SIGNATURES.find((s) => s.test(bytes));
  if (sig) throw new TsvdcError(ONNX_CODES.notOnnx, `not an ONNX model: the file is ${sig.what}`, origin);
  let proto: ModelProto;
  try {
    proto = decodeModelProto(bytes);
  } catch (e) {
    // protobufjs throws plain Errors/RangeErrors on bad wire data; deep nesting can overflow the stack
    const why = e instanceof Error ? e.message : String(e);
    throw new TsvdcError(ONNX_CODES.corrupt, `cannot decode the file as protobuf (truncated or corrupt): ${why}`, origin);
  }
  checkHeader(proto, file);
  const policy = opts.externalData ?? (opts.baseDir !== undefined ? 'follow' : 'refuse');
  resolveExternalData(proto, { file, baseDir: opts.baseDir, policy });
  return { file, proto };
}

/** Reads a model file; external data is followed relative to the model's folder unless refused. */
export function readModelFile(path: string, opts: { externalData?: ExternalDataPolicy } = {}): OnnxModel {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new TsvdcError(CLI_CODES.fileUnreadable, `cannot read the model (${code})`, { file: path });
  }
  return readModel(bytes, { file: path, baseDir: dirname(path), externalData: opts.externalData ?? 'follow' });
}

function checkHeader(proto: ModelProto, file: string): void {
  const origin = { file };
  if (!proto.graph) {
    throw new TsvdcError(ONNX_CODES.notOnnx, 'not an ONNX model: the protobuf has no graph (is it a ModelProto?)', origin);
  }
  if (proto.irVersion === undefined || proto.irVersion < 3) {
    const v = proto.irVersion === undefined ? 'missing' : String(proto.irVersion);
    throw new TsvdcError(ONNX_CODES.notOnnx, `not an ONNX model: ir_version is ${v} (3 or later expected)`, origin);
  }
  const main = proto.opsetImport.find((o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx');
  if (!main) throw new TsvdcError(ONNX_CODES.badVersion, 'the model imports no opset of the default ONNX domain', origin);
  const v = main.version ?? 0;
  if (v < MIN_OPSET || v > MAX_OPSET) {
    throw new TsvdcError(ONNX_CODES.badVersion, `opset ${v} is not supported (tsvdc reads opsets ${MIN_OPSET} to ${MAX_OPSET})`, origin);
  }
}

/** The default-domain opset a model imports (checked by readModel). */
export function modelOpset(model: OnnxModel): number {
  const main = model.proto.opsetImport.find((o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx');
  return main?.version ?? MIN_OPSET;
}
