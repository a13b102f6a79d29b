/**
 * Just enough of the WebAssembly binary format to assemble a few kernels at load
 * time, with no toolchain dependency: the numeric kernels of the TSVD transition
 * (linalg/wasm/kernels.ts) and the inner loops of add-tree CSE
 * (passes/addtree/phase-kernels.ts). LEB128, a code buffer with structured control
 * flow, and a module with one exported memory and functions of i32 parameters that
 * return nothing or one i32.
 */

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** A function body under construction. Locals are numbered after the parameters. */
export class Code {
  readonly bytes: number[] = [];
  readonly localTypes: number[] = [];
  private readonly nParams: number;

  constructor(nParams: number) {
    this.nParams = nParams;
  }
  local(type: number): number {
    this.localTypes.push(type);
    return this.nParams + this.localTypes.length - 1;
  }
  op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  get(i: number): this { return this.op(0x20, ...uleb(i)); }
  set(i: number): this { return this.op(0x21, ...uleb(i)); }
  tee(i: number): this { return this.op(0x22, ...uleb(i)); }
  i32(v: number): this { return this.op(0x41, ...sleb(v | 0)); }
  /** Memory access with a constant byte offset; align is log2 of the natural alignment. */
  mem(opcode: readonly number[], align: number, offset = 0): this { return this.op(...opcode, align, ...uleb(offset)); }
  /** block ... end: `br depth` inside jumps past the end. */
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  /** loop ... end: `br depth` inside jumps back to the start. */
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }
  /** if ... end (condition on the stack). */
  if_(body: () => void): this {
    this.op(0x04, 0x40);
    body();
    return this.op(0x0b);
  }
  f64(v: number): this {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    return this.op(0x44, ...b);
  }
  /** `for (i = from; i < to; i += step) body` on i32 locals (to is a local). */
  forRange(i: number, fromLocal: number, toLocal: number, step: number, body: () => void): this {
    this.get(fromLocal).set(i);
    return this.block(() => {
      this.loop(() => {
        this.get(i).get(toLocal).op(OP.i32_ge_s).op(0x0d, 1); // br_if out
        body();
        this.get(i).i32(step).op(OP.i32_add).set(i);
        this.op(0x0c, 0); // br loop
      });
    });
  }
}

export const OP = {
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_shl: 0x74, i32_lt_s: 0x48, i32_ge_s: 0x4e, i32_gt_s: 0x4a, i32_eqz: 0x45,
  f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_div: 0xa3, f64_sqrt: 0x9f, f64_gt: 0x64, i32_shr_u: 0x76,
  select: 0x1b, i32_store: [0x36], i32_and: 0x71, i32_or: 0x72, i32_xor: 0x73, i32_popcnt: 0x69, i32_eq: 0x46,
  i64_load: [0x29], i64_and: 0x83, i64_or: 0x84, i64_rotl: 0x89, i64_popcnt: 0x7b, i64_const32: [0x42, 32], i32_wrap_i64: 0xa7,
  f64_convert_i32_s: 0xb7,
  f64x2_extract0: [0xfd, 0x21, 0], f64x2_extract1: [0xfd, 0x21, 1],
  i32_load: [0x28], f64_load: [0x2b], f64_store: [0x39],
  v128_load: [0xfd, 0x00], v128_store: [0xfd, 0x0b],
  f64x2_splat: [0xfd, 0x14], f64x2_add: [0xfd, 0xf0, 0x01], f64x2_sub: [0xfd, 0xf1, 0x01], f64x2_mul: [0xfd, 0xf2, 0x01],
  v128_const0: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
} as const;

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/**
 * A module exporting memory "mem" (min `pages`) and the named functions (all params
 * i32; no result, or one i32 where `result` is set).
 */
export function assemble(fns: ReadonlyArray<{ name: string; params: number; code: Code; result?: boolean }>, pages: number): Uint8Array {
  const types = vec(fns.map((f) => [0x60, ...uleb(f.params), ...new Array<number>(f.params).fill(I32), ...(f.result ? [1, I32] : [0])]));
  const funcs = vec(fns.map((_, i) => uleb(i)));
  const memory = vec([[0x00, ...uleb(pages)]]);
  const exports = vec([
    [...uleb(3), ...'mem'.split('').map((c) => c.charCodeAt(0)), 0x02, 0],
    ...fns.map((f, i) => [...uleb(f.name.length), ...f.name.split('').map((c) => c.charCodeAt(0)), 0x00, ...uleb(i)]),
  ]);
  const bodies = vec(fns.map((f) => {
    const locals = vec(f.code.localTypes.map((t) => [1, t]));
    const body = [...locals, ...f.code.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types), ...section(3, funcs), ...section(5, memory), ...section(7, exports), ...section(10, bodies),
  ]);
}
