/**
 * NumPy .npy format (versions 1.0, 2.0, 3.0): a magic string, a header length, a
 * Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)} padded
 * to a multiple of 64 bytes, then the raw data. We read float32/float64 of either
 * byte order and C or Fortran order; we write float64, float32 and int8, C order,
 * version 1.0 (what numpy itself writes for small headers).
 */
import { TsvdcError } from '@tsvdc/ir';
import { TSVD_CODES } from '../tsvd/codes.js';

export type NpyDtype = 'f8' | 'f4' | 'i1';

/** An n-D array, C order, converted to float64 (reading) or in its own type (writing). */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float64Array | Float32Array | Int8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses a .npy file of float32, float64 or int8 (`accept` narrows that). `name`
 * names the file in error messages. Data becomes float64 in C order.
 */
export function parseNpy(bytes: Uint8Array, name: string, accept: readonly NpyDtype[] = ['f4', 'f8', 'i1']): { shape: number[]; data: Float64Array; dtype: NpyDtype } {
  const fail = (code: `TSVDC${number}`, why: string): never => {
    throw new TsvdcError(code, `${why}`, { file: name });
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail(TSVD_CODES.npyBadMagic, 'not a .npy file (bad magic; expected \\x93NUMPY)');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(TSVD_CODES.npyTruncated, 'truncated header');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    return fail(TSVD_CODES.npyBadHeader, `unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (start + headerLen > bytes.length) fail(TSVD_CODES.npyTruncated, `truncated header (${bytes.length} bytes, header needs ${start + headerLen})`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const header = parseHeader(text, (why) => fail(TSVD_CODES.npyBadHeader, why));
  const { little, size, dtype } = dtypeOf(header.descr, accept, (why) => fail(TSVD_CODES.npyUnsupportedDtype, why));
  const count = header.shape.reduce((a, d) => a * d, 1);
  const dataStart = start + headerLen;
  const available = bytes.length - dataStart;
  if (available !== count * size) {
    fail(TSVD_CODES.npyTruncated,
      `${available < count * size ? 'truncated' : 'wrong size of'} data: shape (${header.shape.join(', ')}) of ${header.descr} needs ${count * size} bytes, found ${available}`);
  }
  const data = new Float64Array(count);
  for (let p = 0; p < count; p++) {
    const off = dataStart + p * size;
    data[p] = size === 8 ? view.getFloat64(off, little) : size === 4 ? view.getFloat32(off, little) : view.getInt8(off);
  }
  const out = header.fortranOrder && header.shape.length > 1 ? fortranToC(data, header.shape) : data;
  return { shape: header.shape, data: out, dtype };
}

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** The header is a Python literal; we accept exactly the three keys numpy writes. */
function parseHeader(text: string, fail: (why: string) => never): Header {
  const body = text.trim();
  if (!body.startsWith('{') || !body.endsWith('}')) fail(`header is not a dict: ${JSON.stringify(body.slice(0, 80))}`);
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(body);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(body);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(body);
  if (!descr) fail("header has no 'descr' string (a structured dtype is not supported)");
  if (!fortran) fail("header has no 'fortran_order'");
  if (!shape) fail("header has no 'shape' tuple");
  const dims = shape![1]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const parsed = dims.map((d) => (/^\d+L?$/.test(d) ? parseInt(d, 10) : NaN));
  if (parsed.some((d) => !Number.isSafeInteger(d))) fail(`bad shape (${shape![1]})`);
  return { descr: descr![1]!, fortranOrder: fortran![1] === 'True', shape: parsed };
}

const DTYPE_NAMES: Record<NpyDtype, string> = { f4: 'float32', f8: 'float64', i1: 'int8' };

function dtypeOf(descr: string, accept: readonly NpyDtype[], fail: (why: string) => never): { little: boolean; size: number; dtype: NpyDtype } {
  const m = /^([<>=|]?)([fi])([148])$/.exec(descr);
  const dtype = m ? (`${m[2]}${m[3]}` as NpyDtype) : undefined;
  if (!m || !dtype || !accept.includes(dtype)) {
    fail(`unsupported dtype '${descr}' (need ${accept.map((d) => DTYPE_NAMES[d]).join(' or ')})`);
  }
  return { little: m![1] !== '>', size: Number(m![3]), dtype: dtype! };
}

/** Reorders a Fortran-order array of the given shape into C order. */
function fortranToC(src: Float64Array, shape: number[]): Float64Array {
  const out = new Float64Array(src.length);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  // walk C order, compute the Fortran offset incrementally
  const fStride = new Array<number>(nd);
  let acc = 1;
  for (let d = 0; d < nd; d++) {
    fStride[d] = acc;
    acc *= shape[d]!;
  }
  let f = 0;
  for (let p = 0; p < out.length; p++) {
    out[p] = src[f]!;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      f += fStride[d]!;
      if (idx[d]! < shape[d]!) break;
      f -= fStride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Serializes an array as .npy version 1.0, C order, little endian. */
export function formatNpy(arr: NpyArray): Uint8Array {
  const descr = arr.dtype === 'f8' ? '<f8' : arr.dtype === 'f4' ? '<f4' : '|i1';
  const shape = arr.shape.length === 1 ? `(${arr.shape[0]},)` : `(${arr.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const size = arr.dtype === 'f8' ? 8 : arr.dtype === 'f4' ? 4 : 1;
  const count = arr.shape.reduce((a, d) => a * d, 1);
  if (arr.data.length !== count) throw new Error(`formatNpy: ${arr.data.length} values for shape (${arr.shape})`);
  const out = new Uint8Array(10 + header.length + count * size);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const base = 10 + header.length;
  for (let p = 0; p < count; p++) {
    const x = arr.data[p]!;
    if (size === 8) view.setFloat64(base + 8 * p, x, true);
    else if (size === 4) view.setFloat32(base + 4 * p, x, true);
    else view.setInt8(base + p, x);
  }
  return out;
}
