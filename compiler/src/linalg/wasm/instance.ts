/**
 * Instances of the modules assembled at load time (kernels.ts, and the CSE loops of
 * passes/addtree/phase-kernels.ts): each module compiled once, every instance with its
 * own memory; and the 16-byte aligned bump allocator their callers hand memory out by.
 */
import { InternalError } from '@tsvdc/ir';

// The ES2023 lib has no WebAssembly types (they come with the DOM lib); the little we use:
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/** Bytes in a WebAssembly memory page. */
export const PAGE = 65536;

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * A function giving fresh instances (own memory of `pages` 64 KiB pages, at least one)
 * of the module `build` assembles (memory "mem", one page), compiled on first use.
 */
export function instantiator<T extends { mem: WasmMemory }>(build: () => Uint8Array): (pages: number) => T {
  let compiled: object | undefined;
  return (pages) => {
    compiled ??= new WebAssembly.Module(build());
    const ex = new WebAssembly.Instance(compiled, {}).exports as unknown as T;
    if (pages > 1) ex.mem.grow(pages - 1);
    return ex;
  };
}

/** n bytes rounded up to a multiple of 16 (v128 alignment). */
export function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/** A bump allocator over a memory: 16-byte aligned pieces, checked against its size. */
export class BumpAllocator {
  private top = 0;

  constructor(private readonly mem: WasmMemory, private readonly owner: string) {}

  /** Frees every piece. */
  reset(): void {
    this.top = 0;
  }

  /** The byte offset of a piece of `bytes` bytes. */
  take(bytes: number): number {
    const at = this.top;
    this.top += align16(bytes);
    if (this.top > this.mem.buffer.byteLength) throw new InternalError(`${this.owner}: ${this.top} bytes asked, ${this.mem.buffer.byteLength} reserved`);
    return at;
  }
}
