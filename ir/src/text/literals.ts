/**
 * Literal forms shared by the printer and the parser: numbers that round-trip
 * bit-exactly (incl. -0, NaN, infinities), quoted strings, `%`/`@` names, and the
 * base64 payloads of constants. Kept in one place so both directions agree.
 */

/** Names printed bare; anything else is quoted (`%"a b"`). Excludes `:` and `,` (separators). */
export const BARE_NAME = /^[A-Za-z0-9_.$/-]+$/;

/** A JSON string literal (JSON escapes round-trip every JS string, lone surrogates included). */
export function quote(s: string): string {
  return JSON.stringify(s);
}

/** `%name` / `@name`, quoted when the name has characters outside BARE_NAME. */
export function sigilName(sigil: '%' | '@', name: string): string {
  return BARE_NAME.test(name) ? sigil + name : sigil + quote(name);
}

/**
 * A float64 as the shortest decimal that reads back to the same number. `String`
 * gives that for finite values except -0; the specials get keywords.
 */
export function formatF64(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

/** A float32 (held exactly in a float64) as the shortest decimal that rounds back to it in f32. */
export function formatF32(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatF64(x);
  for (let p = 1; p < 10; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return String(y);
  }
  return String(x); // unreachable: 9 significant digits always round-trip an f32
}

/** The number grammar of the text form (besides the keywords nan, inf and -inf). */
export const NUMBER_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Reads a number token image or keyword; undefined when it is not a number. */
export function parseNumberImage(s: string): number | undefined {
  if (s === 'nan') return NaN;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return NUMBER_RE.test(s) ? Number(s) : undefined;
}

/** The bytes of a typed array's view (little-endian on every platform Node runs on). */
export function viewBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export function toBase64(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Whether c is a base64 alphabet character (RFC 4648, not URL-safe). */
function isB64(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}

/**
 * Strict RFC 4648 decoding (Node's decoder silently skips bad characters, which
 * would turn a corrupted payload into a wrong tensor). Returns the index of the first
 * bad character when the text is not canonical base64, else a fresh aligned buffer.
 * A loop, not a regex: payloads are megabytes and a regex would backtrack over them.
 */
export function fromBase64(s: string): Uint8Array | number {
  const n = s.length;
  let pad = 0;
  if (n > 0 && s.charCodeAt(n - 1) === 61) pad = n > 1 && s.charCodeAt(n - 2) === 61 ? 2 : 1;
  for (let i = 0; i < n - pad; i++) if (!isB64(s.charCodeAt(i))) return i;
  if (n % 4 !== 0) return n;
  const buf = Buffer.from(s, 'base64');
  const out = new Uint8Array(buf.length);
  out.set(buf);
  return out;
}

/**
 * True when every NaN in `data` has the bit pattern that the keyword `nan` reads back
 * as; otherwise a decimal list would lose a NaN payload and the constant must print
 * as base64.
 */
export function nansAreCanonical(data: Float32Array | Float64Array): boolean {
  if (data instanceof Float32Array) {
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i]) && bits[i] !== 0x7fc00000) return false;
    return true;
  }
  const bytes = viewBytes(data);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isNaN(data[i])) continue;
    if (dv.getUint32(8 * i + 4, true) !== 0x7ff80000 || dv.getUint32(8 * i, true) !== 0) return false;
  }
  return true;
}
