/**
 * IDX files (the MNIST / Fashion-MNIST container), optionally gzip-compressed:
 * two zero bytes, a type byte, a rank byte, `rank` big-endian u32 dimensions,
 * then the data in big-endian order.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { TsvdcError } from '@tsvdc/ir';
import { TRAIN_CODES } from './codes.js';

export interface IdxArray {
  readonly shape: readonly number[];
  /** Values in row-major order (unsigned bytes stay in a Uint8Array). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Readonly<Record<number, { name: string; bytes: number }>> = {
  0x08: { name: 'u8', bytes: 1 },
  0x09: { name: 'i8', bytes: 1 },
  0x0b: { name: 'i16', bytes: 2 },
  0x0c: { name: 'i32', bytes: 4 },
  0x0d: { name: 'f32', bytes: 4 },
  0x0e: { name: 'f64', bytes: 8 },
};

const fail = (file: string, reason: string): never => {
  throw new TsvdcError(TRAIN_CODES.badIdx, `not an IDX file: ${reason}`, { file });
};

/** Decodes IDX bytes (already decompressed). `file` names the source in errors. */
export function decodeIdx(bytes: Uint8Array, file = '<bytes>'): IdxArray {
  if (bytes.length < 4) fail(file, `${bytes.length} bytes, the header needs 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(file, `magic starts with ${bytes[0]}, ${bytes[1]} instead of 0, 0`);
  const type = TYPES[bytes[2]!] ?? fail(file, `unknown element type 0x${bytes[2]!.toString(16).padStart(2, '0')}`);
  const rank = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = 4 + 4 * rank;
  if (bytes.length < head) fail(file, `truncated header (${rank} dimensions need ${head} bytes, got ${bytes.length})`);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = head + count * type.bytes;
  if (bytes.length !== need) fail(file, `shape [${shape}] of ${type.name} needs ${need} bytes, got ${bytes.length}`);
  return { shape, data: readData(view, head, count, type.name) };
}

function readData(view: DataView, at: number, n: number, type: string): IdxArray['data'] {
  switch (type) {
    case 'u8': return new Uint8Array(view.buffer, view.byteOffset + at, n).slice();
    case 'i8': return new Int8Array(view.buffer, view.byteOffset + at, n).slice();
    case 'i16': return Int16Array.from({ length: n }, (_, i) => view.getInt16(at + 2 * i));
    case 'i32': return Int32Array.from({ length: n }, (_, i) => view.getInt32(at + 4 * i));
    case 'f32': return Float32Array.from({ length: n }, (_, i) => view.getFloat32(at + 4 * i));
    default: return Float64Array.from({ length: n }, (_, i) => view.getFloat64(at + 8 * i));
  }
}

/** Reads an IDX file; names ending in `.gz` are gunzipped first. */
export function readIdxFile(path: string): IdxArray {
  let bytes: Uint8Array = readFileSync(path);
  if (path.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      fail(path, `gzip: ${(e as Error).message}`);
    }
  }
  return decodeIdx(bytes, path);
}
