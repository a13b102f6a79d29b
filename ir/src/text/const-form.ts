/**
 * Constants in the text form, both directions:
 *
 *   const @W : dense f32[2,3] = base64"..."   little-endian f32/f64 bytes
 *   const @b : dense f32[3] = [0.5, -0, nan]   small tensors (<= LIST_MAX) as decimals
 *   const @c : int[3] = [3, -7, 0]             integers (base64 of f64 bytes if not all safe ints)
 *   const @V : ternary[300,784] = tern2"..."   base64 of the packed u32 words (ternary.ts layout)
 *   const @U : ternary[2,3] = [1, 0, -1, ...]  small ternary tensors as values, row-major
 *
 * The printer picks the list form only where it is bit-exact (canonical NaNs, no -0
 * among integers, valid 2-bit codes with zero padding), so every constant round-trips.
 */
import type { Const, DenseConst, IntConst } from '../tensor.js';
import { numel } from '../tensor.js';
import type { TernaryTensor } from '../ternary.js';
import { ternaryDims, ternaryFromValues, ternaryGet } from '../ternary.js';
import { TEXT_CODES, type TextCode } from './codes.js';
import { formatF32, formatF64, fromBase64, nansAreCanonical, quote, sigilName, toBase64 } from './literals.js';

/** Largest dense or ternary constant printed as a list (int constants always are, when exact). */
export const LIST_MAX = 64;

export type ConstTypeSpec =
  | { readonly kind: 'dense'; readonly bits: 32 | 64; readonly shape: readonly number[] }
  | { readonly kind: 'int' | 'ternary'; readonly shape: readonly number[] };

/** A constant's value as parsed: a payload string, or list items; `at` are text offsets. */
export type ConstValueSpec =
  | { readonly form: 'base64' | 'tern2'; readonly text: string; readonly at: number }
  | { readonly form: 'list'; readonly items: readonly number[]; readonly itemsAt: readonly number[]; readonly at: number };

export type Fail = (offset: number, code: TextCode, message: string) => never;

export function printConst(name: string, c: Const): string {
  return `const ${sigilName('@', name)} : ${constTypeText(c)} = ${constValueText(c)}`;
}

function constTypeText(c: Const): string {
  const shape = `[${c.shape.join(',')}]`;
  if (c.kind === 'dense') return `dense ${c.data instanceof Float32Array ? 'f32' : 'f64'}${shape}`;
  return `${c.kind}${shape}`;
}

function constValueText(c: Const): string {
  switch (c.kind) {
    case 'dense': {
      const fmt = c.data instanceof Float32Array ? formatF32 : formatF64;
      const asList = c.data.length <= LIST_MAX && c.data.length === numel(c.shape) && nansAreCanonical(c.data);
      return asList ? listText(c.data, fmt) : `base64${quote(toBase64(c.data))}`;
    }
    case 'int': {
      const exact = c.data.every((x) => Number.isSafeInteger(x) && !Object.is(x, -0));
      return exact ? listText(c.data, String) : `base64${quote(toBase64(c.data))}`;
    }
    case 'ternary':
      return ternaryListable(c) ? listText(ternaryValues(c), String) : `tern2${quote(toBase64(c.data))}`;
  }
}

function listText(data: ArrayLike<number>, fmt: (x: number) => string): string {
  const parts = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) parts[i] = fmt(data[i]!);
  return `[${parts.join(', ')}]`;
}

/** Small, consistent with its shape, valid codes only, zero padding: then the value list is exact. */
function ternaryListable(t: TernaryTensor): boolean {
  if (t.shape.length === 0 || t.rows * t.cols > LIST_MAX) return false;
  const { rows, cols } = ternaryDims(t.shape);
  const wpr = Math.ceil(cols / 16);
  if (rows !== t.rows || cols !== t.cols || wpr !== t.wordsPerRow || t.data.length !== rows * wpr) return false;
  for (let r = 0; r < rows; r++) {
    for (let w = 0; w < wpr; w++) {
      const word = t.data[r * wpr + w]!;
      const used = Math.min(16, cols - 16 * w);
      const mask = used === 16 ? 0xffffffff : (1 << (2 * used)) - 1;
      if ((word & ~mask) !== 0) return false; // padding bits set
      if (((word >>> 1) & ~word & 0x55555555) !== 0) return false; // a 0b10 code
    }
  }
  return true;
}

function ternaryValues(t: TernaryTensor): number[] {
  const out: number[] = [];
  for (let r = 0; r < t.rows; r++) for (let c = 0; c < t.cols; c++) out.push(ternaryGet(t, r, c));
  return out;
}

/** Builds the constant a declaration describes, or fails with a positioned diagnostic. */
export function decodeConst(name: string, type: ConstTypeSpec, value: ConstValueSpec, fail: Fail): Const {
  const what = `@${name}: ${type.kind === 'dense' ? `dense f${type.bits}` : type.kind}[${type.shape.join(',')}]`;
  if (type.kind === 'ternary') return decodeTernary(what, type.shape, value, fail);
  const n = numel(type.shape);
  const bytesPer = type.kind === 'dense' ? type.bits / 8 : 8;
  if (value.form === 'base64') {
    const bytes = payloadBytes(value.text, value.at, n * bytesPer, what, fail);
    const data = bytesPer === 4 ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
    return type.kind === 'dense' ? ({ kind: 'dense', shape: [...type.shape], data } satisfies DenseConst)
      : ({ kind: 'int', shape: [...type.shape], data: data as Float64Array } satisfies IntConst);
  }
  if (value.form !== 'list') {
    return fail(value.at, TEXT_CODES.unexpectedToken, `expected base64"..." or a list for ${what}, found tern2"..." (only ternary constants use tern2)`);
  }
  checkCount(value, n, what, fail);
  if (type.kind === 'dense') {
    const data = type.bits === 32 ? Float32Array.from(value.items) : Float64Array.from(value.items);
    return { kind: 'dense', shape: [...type.shape], data };
  }
  value.items.forEach((x, i) => {
    if (!Number.isInteger(x)) fail(value.itemsAt[i]!, TEXT_CODES.badElement, `element ${i} of ${what} is not an integer`);
  });
  return { kind: 'int', shape: [...type.shape], data: Float64Array.from(value.items, (x) => x + 0) }; // + 0: no -0
}

function decodeTernary(what: string, shape: readonly number[], value: ConstValueSpec, fail: Fail): TernaryTensor {
  if (shape.length === 0) return fail(value.at, TEXT_CODES.badShape, `ternary constant ${what} needs rank >= 1`);
  const { rows, cols } = ternaryDims(shape);
  const wordsPerRow = Math.ceil(cols / 16);
  if (value.form !== 'list') {
    if (value.form === 'base64') fail(value.at, TEXT_CODES.unexpectedToken, `expected tern2"..." or a list for ${what}, found base64"..."`);
    const bytes = payloadBytes(value.text, value.at, rows * wordsPerRow * 4, what, fail);
    return { kind: 'ternary', shape: [...shape], rows, cols, wordsPerRow, data: new Uint32Array(bytes.buffer) };
  }
  checkCount(value, rows * cols, what, fail);
  value.items.forEach((x, i) => {
    if (x !== 0 && x !== 1 && x !== -1) fail(value.itemsAt[i]!, TEXT_CODES.badElement, `element ${i} of ${what} is not -1, 0 or 1`);
  });
  return ternaryFromValues(shape, value.items);
}

function payloadBytes(text: string, at: number, expected: number, what: string, fail: Fail): Uint8Array {
  const bytes = fromBase64(text);
  // +1 for the quote after the base64/tern2 keyword: point at the bad character itself
  if (typeof bytes === 'number') fail(at + bytes + 1, TEXT_CODES.badBase64, `invalid base64 in the payload of ${what} (character ${bytes})`);
  if (bytes.length !== expected) {
    fail(at, TEXT_CODES.badPayloadLength, `payload of ${what} has ${bytes.length} bytes, the shape needs ${expected}`);
  }
  return bytes;
}

function checkCount(value: ConstValueSpec & { form: 'list' }, n: number, what: string, fail: Fail): void {
  if (value.items.length !== n) fail(value.at, TEXT_CODES.badPayloadLength, `${what} has ${n} elements, the list has ${value.items.length}`);
}
