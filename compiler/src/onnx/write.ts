/**
 * Writing an ONNX model: the plain ModelProto view -> protobuf bytes -> an atomic file
 * (temporary file + rename, so a failure never leaves a partial model behind).
 */
import { TsvdcError } from '@tsvdc/ir';
import { CLI_CODES } from '../cli/codes.js';
import { writeFileAtomic } from '../io/atomic.js';
import { ONNX_CODES } from './codes.js';
import { encodeModelProto, type ModelProto } from './proto.js';

/** protobuf's hard limit for one message. */
const MAX_BYTES = 2 ** 31 - 1;

/** Serializes a model. `file` names the output in diagnostics. */
export function writeModel(model: ModelProto, file = '<memory>'): Uint8Array {
  const bytes = encodeModelProto(model);
  if (bytes.length > MAX_BYTES) {
    throw new TsvdcError(ONNX_CODES.tooLarge, `the model is ${bytes.length} bytes, over protobuf's 2 GiB limit`, { file });
  }
  return bytes;
}

/** Serializes and writes atomically; an unwritable path is TSVDC502 and leaves no file. */
export function writeModelFile(path: string, model: ModelProto): void {
  const bytes = writeModel(model, path);
  writeOutputFile(path, bytes);
}

/**
 * Atomic write of any output (model, JSON report) with the CLI's unwritable-file
 * diagnostic: "cannot write <what> (<code>)", then `; <note>` when given.
 */
export function writeOutputFile(path: string, data: string | Uint8Array, say: { what?: string; note?: string } = {}): void {
  try {
    writeFileAtomic(path, data);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    const note = say.note !== undefined ? `; ${say.note}` : '';
    throw new TsvdcError(CLI_CODES.fileUnwritable, `cannot write ${say.what ?? 'the output'} (${code})${note}`, { file: path });
  }
}
