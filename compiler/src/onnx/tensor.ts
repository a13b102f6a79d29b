/**
 * TensorProto data <-> numbers. A tensor's values live either in raw_data
 * (little-endian bytes) or in the typed field its dtype selects (float_data,
 * int32_data for everything 16 bits or narrower including float16 bit patterns,
 * int64_data, double_data, uint64_data). Both are accepted for every dtype tsvdc reads.
 */
import { InternalError, TsvdcError, type Origin } from '@tsvdc/ir';
import { ONNX_CODES } from './codes.js';
import { DTYPE, DTYPE_NAMES, type TensorProto } from './proto.js';

/** Byte size per element for the dtypes tsvdc can decode. */
const ELEM_BYTES: Readonly<Record<number, number>> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2,
};
const FLOAT_TYPES = new Set<number>([DTYPE.FLOAT, DTYPE.FLOAT16, DTYPE.DOUBLE, DTYPE.BFLOAT16]);

/** Whether `t` is a float element type (FLOAT, FLOAT16, DOUBLE, BFLOAT16). */
export function isFloatDtype(t: number | undefined): boolean {
  return FLOAT_TYPES.has(t ?? 0);
}

/** Whether `t` is an integer element type tsvdc can read and write (BOOL included). */
export function isIntDtype(t: number | undefined): boolean {
  return ELEM_BYTES[t ?? 0] !== undefined && !isFloatDtype(t);
}

export function dtypeName(t: number | undefined): string {
  return t === undefined ? 'UNDEFINED' : DTYPE_NAMES[t] ?? `unknown data type ${t}`;
}

function where(t: TensorProto): string {
  return `tensor ${JSON.stringify(t.name ?? '')}`;
}

/** Number of elements; dims must be non-negative integers with a sane product. */
export function tensorNumel(t: TensorProto, origin: Origin): number {
  let n = 1;
  for (const d of t.dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new TsvdcError(ONNX_CODES.tensorSize, `${where(t)} has a bad dimension ${d}`, origin);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new TsvdcError(ONNX_CODES.tensorSize, `${where(t)} has too many elements ([${t.dims}])`, origin);
  return n;
}

/** IEEE binary16 bits -> number. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Round half to even (x >= 0), the rounding IEEE conversions use. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return x % 1 === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** number -> IEEE binary16 bits, rounded to nearest even straight from float64 (no double rounding). */
export function floatToHalf(v: number): number {
  if (Number.isNaN(v)) return 0x7e00;
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  // 65520 is halfway between the largest half (65504) and the next power of two
  if (a >= 65520) return sign | 0x7c00;
  // subnormals are multiples of 2^-24 (a result of 1024 is the smallest normal, encoded the same way)
  if (a < 2 ** -14) return sign | roundEven(a * 2 ** 24);
  let e = Math.floor(Math.log2(a));
  // log2 may be off by one next to a power of two
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  let f = roundEven((a / 2 ** e - 1) * 1024);
  if (f === 1024) {
    e++;
    f = 0;
  }
  return e + 15 > 30 ? sign | 0x7c00 : sign | ((e + 15) << 10) | f;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function bfloatToFloat(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0]!;
}

/** number -> bfloat16 bits: through float32 (round to nearest even twice, as frameworks do). */
function floatToBfloat(v: number): number {
  f32[0] = v;
  const u = u32[0]!;
  if (Number.isNaN(f32[0])) return 0x7fc0;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

function fromRaw(dtype: number, raw: Uint8Array, n: number): Float64Array {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float64Array(n);
  const read: (i: number) => number = {
    1: (i: number) => dv.getFloat32(4 * i, true), 2: (i: number) => dv.getUint8(i), 3: (i: number) => dv.getInt8(i),
    4: (i: number) => dv.getUint16(2 * i, true), 5: (i: number) => dv.getInt16(2 * i, true),
    6: (i: number) => dv.getInt32(4 * i, true), 7: (i: number) => Number(dv.getBigInt64(8 * i, true)),
    9: (i: number) => (dv.getUint8(i) ? 1 : 0), 10: (i: number) => halfToFloat(dv.getUint16(2 * i, true)),
    11: (i: number) => dv.getFloat64(8 * i, true), 12: (i: number) => dv.getUint32(4 * i, true),
    13: (i: number) => Number(dv.getBigUint64(8 * i, true)), 16: (i: number) => bfloatToFloat(dv.getUint16(2 * i, true)),
  }[dtype]!;
  for (let i = 0; i < n; i++) out[i] = read(i);
  return out;
}

type TypedField = 'floatData' | 'doubleData' | 'int64Data' | 'uint64Data' | 'int32Data';

/** The typed field ONNX keeps `dtype`'s values in when there is no raw_data. */
function typedField(dtype: number): TypedField {
  switch (dtype) {
    case 1: return 'floatData';
    case 11: return 'doubleData';
    case 7: return 'int64Data';
    case 12: case 13: return 'uint64Data';
    default: return 'int32Data';
  }
}

function fromTyped(dtype: number, vals: readonly number[]): Float64Array {
  if (dtype === 10) return Float64Array.from(vals, halfToFloat);
  if (dtype === 16) return Float64Array.from(vals, bfloatToFloat);
  return Float64Array.from(vals);
}

/**
 * The values of a numeric tensor as float64 (exact for every dtype but 64-bit ints
 * beyond 2^53). Throws TSVDC204 for dtypes tsvdc cannot read, TSVDC205 when the data
 * length disagrees with the dims.
 */
export function tensorValues(t: TensorProto, origin: Origin): Float64Array {
  const dtype = t.dataType ?? 0;
  const size = ELEM_BYTES[dtype];
  if (size === undefined) {
    throw new TsvdcError(ONNX_CODES.badDtype, `${where(t)} has data type ${dtypeName(dtype)}, which tsvdc cannot read`, origin);
  }
  const n = tensorNumel(t, origin);
  if (t.rawData !== undefined && t.rawData.length > 0) {
    if (t.rawData.length !== n * size) {
      throw new TsvdcError(ONNX_CODES.tensorSize, `${where(t)} has ${t.rawData.length} bytes of ${dtypeName(dtype)} data, its shape [${t.dims}] needs ${n * size}`, origin);
    }
    return fromRaw(dtype, t.rawData, n);
  }
  const vals = t[typedField(dtype)];
  if (vals.length !== n) {
    throw new TsvdcError(ONNX_CODES.tensorSize, `${where(t)} has ${vals.length} values, its shape [${t.dims}] needs ${n}`, origin);
  }
  return fromTyped(dtype, vals);
}

/** Values of a weight tensor: a float dtype, every value finite (TSVDC206 otherwise). */
export function weightValues(t: TensorProto, origin: Origin): Float64Array {
  const dtype = t.dataType ?? 0;
  if (!isFloatDtype(dtype)) {
    throw new TsvdcError(ONNX_CODES.badDtype, `weight ${where(t)} has data type ${dtypeName(dtype)}, expected FLOAT, FLOAT16, BFLOAT16 or DOUBLE`, origin);
  }
  const v = tensorValues(t, origin);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) {
      throw new TsvdcError(ONNX_CODES.nonFinite, `weight ${where(t)} has a non-finite value (${v[i]}) at flat index ${i}`, origin);
    }
  }
  return v;
}

/** Integer values (shapes, axes): an integer dtype, every value an integer. */
export function intValues(t: TensorProto, origin: Origin): number[] {
  const dtype = t.dataType ?? 0;
  if (isFloatDtype(dtype)) {
    throw new TsvdcError(ONNX_CODES.badDtype, `${where(t)} has data type ${dtypeName(dtype)}, expected an integer type`, origin);
  }
  return Array.from(tensorValues(t, origin));
}

/** A FLOAT tensor with raw data (what tsvdc writes for scales and biases). */
export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const f = Float32Array.from(values as ArrayLike<number>);
  return emptyTensor(name, dims, DTYPE.FLOAT, new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
}

/**
 * A float tensor of `dtype` (FLOAT, DOUBLE, FLOAT16 or BFLOAT16) with raw data: compress
 * writes scales and biases in the element type of the layer they belong to.
 */
export function floatTensorOf(name: string, dims: readonly number[], values: ArrayLike<number>, dtype: number): TensorProto {
  const bytes = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (dtype) {
    case DTYPE.FLOAT: return floatTensor(name, dims, values);
    case DTYPE.DOUBLE: return emptyTensor(name, dims, dtype, bytes(Float64Array.from(values)));
    case DTYPE.FLOAT16: case DTYPE.BFLOAT16: {
      const bits = Uint16Array.from(values, dtype === DTYPE.FLOAT16 ? floatToHalf : floatToBfloat);
      // raw_data is little-endian, as typed arrays are on every platform Node runs on (floatTensor relies on it too)
      return emptyTensor(name, dims, dtype, bytes(bits));
    }
    default: throw new InternalError(`floatTensorOf: data type ${dtypeName(dtype)} is not a float type`);
  }
}

/** An INT8 tensor (what tsvdc writes for ternary factors). */
export function int8Tensor(name: string, dims: readonly number[], values: Int8Array): TensorProto {
  return emptyTensor(name, dims, DTYPE.INT8, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** An integer tensor of `dtype` (BOOL included), its values in the typed field of that dtype. */
export function intTensorOf(name: string, dims: readonly number[], values: ArrayLike<number>, dtype: number): TensorProto {
  if (!isIntDtype(dtype)) throw new InternalError(`intTensorOf: data type ${dtypeName(dtype)} is not an integer type`);
  return { ...emptyTensor(name, dims, dtype, undefined), [typedField(dtype)]: Array.from(values) };
}

/** An INT64 tensor (shapes). */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  return intTensorOf(name, dims, values, DTYPE.INT64);
}

function emptyTensor(name: string, dims: readonly number[], dataType: number, rawData: Uint8Array | undefined): TensorProto {
  return {
    name, dims: [...dims], dataType, ...(rawData ? { rawData } : {}),
    floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [], stringData: [], externalData: [],
  };
}
