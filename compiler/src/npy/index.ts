/**
 * Reading and writing NumPy files from disk: a 2-D matrix from .npy, named arrays
 * from .npz, and .npz output written atomically. Errors name the file.
 */
import { readFileSync } from 'node:fs';
import { TsvdcError } from '@tsvdc/ir';
import { CLI_CODES } from '../cli/codes.js';
import { writeFileAtomic } from '../io/atomic.js';
import { TSVD_CODES } from '../tsvd/codes.js';
import type { Matrix } from '../tsvd/types.js';
import { formatNpy, parseNpy, type NpyArray, type NpyDtype } from './npy.js';
import { formatZip, parseZip } from './npz.js';

export { crc32, formatZip, parseZip } from './npz.js';
export { formatNpy, parseNpy, type NpyArray, type NpyDtype } from './npy.js';

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TsvdcError(CLI_CODES.fileUnreadable, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path });
  }
}

/** A finite 2-D float32/float64 matrix from the bytes of a .npy file. */
export function parseMatrixNpy(bytes: Uint8Array, name: string): Matrix {
  const { shape, data } = parseNpy(bytes, name, ['f4', 'f8']);
  if (shape.length !== 2) {
    throw new TsvdcError(TSVD_CODES.npyWrongRank, `expected a 2-D matrix, got shape (${shape.join(', ')})`, { file: name });
  }
  const [rows, cols] = shape as [number, number];
  for (let p = 0; p < data.length; p++) {
    if (!Number.isFinite(data[p]!)) {
      throw new TsvdcError(TSVD_CODES.nonFinite, `entry (${Math.floor(p / cols)}, ${p % cols}) is ${data[p]}`, { file: name });
    }
  }
  return { rows, cols, data };
}

/** Reads a 2-D matrix from a .npy file. */
export function readMatrixNpy(path: string): Matrix {
  return parseMatrixNpy(readBytes(path), path);
}

/** Reads every array of a .npz file (member names without the .npy suffix). */
export function readNpz(path: string): Map<string, { shape: number[]; data: Float64Array; dtype: NpyDtype }> {
  const out = new Map<string, { shape: number[]; data: Float64Array; dtype: NpyDtype }>();
  for (const [member, bytes] of parseZip(readBytes(path), path)) {
    const key = member.endsWith('.npy') ? member.slice(0, -4) : member;
    out.set(key, parseNpy(bytes, `${path}:${member}`));
  }
  return out;
}

/** Writes named arrays as a .npz (stored members `<name>.npy`), atomically. */
export function writeNpz(path: string, arrays: ReadonlyArray<readonly [string, NpyArray]>): void {
  const bytes = formatZip(arrays.map(([name, arr]) => [`${name}.npy`, formatNpy(arr)] as const));
  try {
    writeFileAtomic(path, bytes);
  } catch (e) {
    throw new TsvdcError(CLI_CODES.fileUnwritable, `cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path });
  }
}
