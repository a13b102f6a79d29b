/**
 * The WebAssembly side of a TSVD transition: the residual R = W - U diag(s) V as
 * an operator, the Gram rows of new components, and the bilinear forms
 * u_i^T W v_i. W and W^T live in the instance's memory once; the append-only
 * index lists and bit planes of the components are mirrored there incrementally
 * (only what was added since the last call is copied); panels and s are copied
 * per product (O((m + n) b + r), small next to the O(nnz b) work).
 */
import type { TernaryComponents } from '../components.js';
import type { LinearOperator } from '../operator.js';
import { instantiateKernels, type KernelExports } from './kernels.js';

const PAGE = 65536;

type RegionName = 's' | 'p0' | 'p1' | 'uOff' | 'vOff' | 'uIdx' | 'vIdx' | 'uBits' | 'vBits' | 'gram';

interface Region {
  ptr: number;
  cap: number; // in elements
}

export class WasmResidual implements LinearOperator {
  readonly rows: number;
  readonly cols: number;
  private readonly k: KernelExports;
  private readonly comps: TernaryComponents;
  private readonly fixedEnd: number;
  private readonly W: number;
  private readonly Wt: number;
  /** s, two panels, then the mirrored offsets and index lists. */
  private regions: Record<RegionName, Region> | undefined;
  private synced = { uOff: 0, vOff: 0, uIdx: 0, vIdx: 0, uBits: 0, vBits: 0 };
  /** The current scales, read at every product. */
  private readonly scales: () => Float64Array;

  constructor(W: Float64Array, m: number, n: number, comps: TernaryComponents, scales: () => Float64Array) {
    this.scales = scales;
    this.rows = m;
    this.cols = n;
    this.comps = comps;
    const bytes = 2 * 8 * m * n;
    this.k = instantiateKernels(Math.ceil((bytes + 4 * PAGE) / PAGE));
    this.W = 0;
    this.Wt = 8 * m * n;
    this.fixedEnd = bytes;
    const mem = new Float64Array(this.k.mem.buffer);
    mem.set(W, 0);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) mem[m * n + j * m + i] = W[i * n + j]!;
  }

  apply(X: Float64Array, Y: Float64Array, b: number): void {
    this.product(X, Y, b, false);
  }

  applyT(Y: Float64Array, Z: Float64Array, b: number): void {
    this.product(Y, Z, b, true);
  }

  /**
   * Rows first..first+k-1 of K = (U^T U) o (V V^T), columns 0..i each, packed one
   * after another (the layout GrowingCholesky.append takes).
   */
  gramRows(first: number, k: number): Float64Array {
    const size = k * first + (k * (k + 1)) / 2;
    const r = this.sync(2, size);
    this.k.gramRows(r.uBits.ptr, r.vBits.ptr, this.comps.wordsU, this.comps.wordsV, first, k, r.gram.ptr);
    return new Float64Array(this.k.mem.buffer, r.gram.ptr, size).slice();
  }

  /** u_a^T W v_a for the given components (ternary, dense): W V^T by the dense kernel, then u_a dots. */
  bilinear(us: readonly Int8Array[], vs: readonly Int8Array[]): Float64Array {
    const k = us.length;
    const { rows: m, cols: n } = this;
    const bp = k + (k & 1);
    const r = this.sync(bp);
    const mem = new Float64Array(this.k.mem.buffer);
    const p0 = r.p0.ptr / 8;
    mem.fill(0, p0, p0 + n * bp);
    vs.forEach((v, a) => {
      for (let j = 0; j < n; j++) mem[p0 + j * bp + a] = v[j]!;
    });
    this.k.gemmNN(this.W, n, r.p0.ptr, bp, r.p1.ptr, bp, m, bp, n, 0);
    const p1 = r.p1.ptr / 8;
    return Float64Array.from(us, (u, a) => {
      let total = 0;
      for (let i = 0; i < m; i++) if (u[i] !== 0) total += u[i]! * mem[p1 + i * bp + a]!;
      return total;
    });
  }

  private product(inp: Float64Array, out: Float64Array, b: number, transposed: boolean): void {
    const bp = b + (b & 1);
    const [inRows, outRows] = transposed ? [this.rows, this.cols] : [this.cols, this.rows];
    const r = this.sync(bp);
    const mem = new Float64Array(this.k.mem.buffer);
    const p0 = r.p0.ptr;
    const p1 = r.p1.ptr;
    copyPanel(inp, b, mem, p0 / 8, bp, inRows);
    mem.set(this.scales().subarray(0, this.comps.count), r.s.ptr / 8);
    this.k.gemmNN(transposed ? this.Wt : this.W, inRows, p0, bp, p1, bp, outRows, bp, inRows, 0);
    const [h, g] = transposed ? [[r.uIdx, r.uOff], [r.vIdx, r.vOff]] : [[r.vIdx, r.vOff], [r.uIdx, r.uOff]];
    this.k.factors(h[0]!.ptr, h[1]!.ptr, g[0]!.ptr, g[1]!.ptr, this.comps.count, r.s.ptr, p0, p1, bp);
    copyPanel(new Float64Array(this.k.mem.buffer), bp, out, 0, b, outRows, p1 / 8);
  }

  /** Makes room and mirrors the components; returns the region table. */
  private sync(bp: number, gram = 0): Record<RegionName, Region> {
    const raw = this.comps.raw();
    const need: Record<RegionName, number> = {
      s: this.comps.count, p0: Math.max(this.rows, this.cols) * bp, p1: Math.max(this.rows, this.cols) * bp,
      uOff: raw.uOff.length, vOff: raw.vOff.length, uIdx: raw.uIdx.length, vIdx: raw.vIdx.length,
      uBits: raw.uBits.length, vBits: raw.vBits.length, gram,
    };
    let regions = this.regions;
    if (!regions || (Object.keys(need) as RegionName[]).some((key) => need[key] > regions![key].cap)) {
      if (regions) for (const key of Object.keys(need) as RegionName[]) need[key] = Math.max(need[key], regions[key].cap);
      regions = this.layout(need);
      this.synced = { uOff: 0, vOff: 0, uIdx: 0, vIdx: 0, uBits: 0, vBits: 0 };
    }
    const ints = new Int32Array(this.k.mem.buffer);
    const words = new Uint32Array(this.k.mem.buffer);
    for (const key of ['uOff', 'vOff', 'uIdx', 'vIdx'] as const) {
      ints.set(raw[key].subarray(this.synced[key]), regions[key].ptr / 4 + this.synced[key]);
      this.synced[key] = raw[key].length;
    }
    for (const key of ['uBits', 'vBits'] as const) {
      words.set(raw[key].subarray(this.synced[key]), regions[key].ptr / 4 + this.synced[key]);
      this.synced[key] = raw[key].length;
    }
    return regions;
  }

  /** Lays out the growing regions with headroom (x1.5) and grows the memory to fit. */
  private layout(need: Record<RegionName, number>): Record<RegionName, Region> {
    let ptr = this.fixedEnd;
    const place = (elems: number, size: number): Region => {
      const cap = Math.ceil(elems * 1.5) + 64;
      const region = { ptr, cap };
      ptr += Math.ceil((cap * size) / 16) * 16;
      return region;
    };
    const regions = {
      s: place(need.s, 8), p0: place(need.p0, 8), p1: place(need.p1, 8),
      uOff: place(need.uOff, 4), vOff: place(need.vOff, 4), uIdx: place(need.uIdx, 4), vIdx: place(need.vIdx, 4),
      uBits: place(need.uBits, 4), vBits: place(need.vBits, 4), gram: place(need.gram, 8),
    };
    const have = this.k.mem.buffer.byteLength;
    if (ptr > have) this.k.mem.grow(Math.ceil((ptr - have) / PAGE));
    this.regions = regions;
    return regions;
  }
}

/** Copies `rows` rows of width min(wSrc, wDst) between panels of different strides. */
function copyPanel(src: Float64Array, wSrc: number, dst: Float64Array, dstOff: number, wDst: number, rows: number, srcOff = 0): void {
  if (wSrc === wDst) {
    dst.set(src.subarray(srcOff, srcOff + rows * wSrc), dstOff);
    return;
  }
  const w = Math.min(wSrc, wDst);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < w; c++) dst[dstOff + i * wDst + c] = src[srcOff + i * wSrc + c]!;
    for (let c = w; c < wDst; c++) dst[dstOff + i * wDst + c] = 0;
  }
}
