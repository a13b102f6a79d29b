import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TernaryComponents } from '../components.js';
import { Rng } from '../random.js';
import { instantiateKernels } from './kernels.js';
import { WasmResidual } from './residual.js';
import { orthonormalizeBlock, Workspace } from './workspace.js';
import { denseApply, denseApplyT } from '../operator.js';

const gaussian = (len: number, seed: number) => new Rng(seed).fillGaussian(new Float64Array(len));
const trits = (len: number, rng: Rng) => Int8Array.from({ length: len }, () => [-1, 0, 0, 1][rng.nextU32() & 3]!);

describe('gemm kernels', () => {
  it('gemmNN (= and -=) and gemmNT match plain loops, with leading dimensions and odd sizes', () => {
    const dims = fc.record({ rows: fc.integer({ min: 1, max: 9 }), cols: fc.integer({ min: 1, max: 19 }), inner: fc.integer({ min: 1, max: 11 }), pad: fc.integer({ min: 0, max: 3 }), seed: fc.integer() });
    fc.assert(fc.property(dims, ({ rows, cols, inner, pad, seed }) => {
      const k = instantiateKernels(1);
      const mem = new Float64Array(k.mem.buffer);
      const [lda, ldb, ldc] = [inner + pad, cols + pad, cols + 2 * pad];
      const A = 0, B = 8 * rows * lda, C = B + 8 * Math.max(inner, cols) * Math.max(ldb, inner + pad), C2 = C + 8 * rows * ldc;
      mem.set(gaussian(rows * lda, seed), A / 8);
      mem.set(gaussian(Math.max(inner, cols) * Math.max(ldb, inner + pad), seed + 1), B / 8);
      const c0 = gaussian(rows * ldc, seed + 2);
      mem.set(c0, C / 8);
      k.gemmNN(A, lda, B, ldb, C, ldc, rows, cols, inner, 1);
      k.gemmNN(A, lda, B, ldb, C2, ldc, rows, cols, inner, 0);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let p = 0; p < inner; p++) s += mem[A / 8 + i * lda + p]! * mem[B / 8 + p * ldb + j]!;
        expect(mem[C2 / 8 + i * ldc + j]).toBe(s); // same summation order: same bits
        expect(mem[C / 8 + i * ldc + j]).toBe(c0[i * ldc + j]! - s);
      }
      // NT: C[i][j] = A_i . B_j with B rows of length inner (stride inner + pad)
      k.gemmNT(A, lda, B, inner + pad, C2, ldc, rows, cols, inner);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let p = 0; p < inner; p++) s += mem[A / 8 + i * lda + p]! * mem[B / 8 + j * (inner + pad) + p]!;
        expect(Math.abs(mem[C2 / 8 + i * ldc + j]! - s)).toBeLessThan(1e-12 * (1 + Math.abs(s)));
      }
    }), { numRuns: 150 });
  });
});

describe('WasmResidual', () => {
  it('computes the residual products of the JS reference loops bit for bit, and exact Gram rows', () => {
    const dims = fc.record({ m: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 70 }), r: fc.integer({ min: 0, max: 12 }), b: fc.integer({ min: 1, max: 11 }), seed: fc.integer() });
    fc.assert(fc.property(dims, ({ m, n, r, b, seed }) => {
      const rng = new Rng(seed);
      const W = gaussian(m * n, seed);
      const comps = new TernaryComponents(m, n);
      const s = gaussian(r, seed + 1);
      const wr = new WasmResidual(W, m, n, comps, () => s);
      const us: Int8Array[] = [];
      const vs: Int8Array[] = [];
      // add in two batches so the incremental mirroring is exercised
      for (let i = 0; i < r; i++) {
        us.push(trits(m, rng));
        vs.push(trits(n, rng));
        comps.add(us[i]!, vs[i]!);
        if (i === (r >> 1)) wr.apply(new Float64Array(n * b), new Float64Array(m * b), b);
      }
      const X = gaussian(n * b, seed + 2);
      const Y = new Float64Array(m * b);
      wr.apply(X, Y, b);
      const Yref = new Float64Array(m * b);
      denseApply(W, m, n, X, Yref, b);
      comps.subtractUSV(s, X, Yref, b);
      expect(Array.from(Y)).toEqual(Array.from(Yref));
      const Z = new Float64Array(n * b);
      wr.applyT(Y, Z, b);
      const Zref = new Float64Array(n * b);
      denseApplyT(W, m, n, Yref, Zref, b);
      comps.subtractVSU(s, Yref, Zref, b);
      expect(Array.from(Z)).toEqual(Array.from(Zref));
      if (r > 0) {
        const first = r >> 1;
        const rows = wr.gramRows(first, r - first);
        const row = new Float64Array(r);
        let off = 0;
        for (let i = first; i < r; i++) {
          comps.gramRow(i, row);
          for (let j = 0; j <= i; j++) expect(rows[off + j]! + 0).toBe(row[j]! + 0);
          off += i + 1;
        }
        const bl = wr.bilinear(us, vs);
        us.forEach((u, a) => {
          let t = 0;
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t += u[i]! * W[i * n + j]! * vs[a]![j]!;
          expect(Math.abs(bl[a]! - t)).toBeLessThan(1e-9 * (1 + Math.abs(t)));
        });
      }
    }), { numRuns: 150 });
  });
});

describe('orthonormalizeBlock', () => {
  it('extends an orthonormal basis, also when the new block is rank-deficient', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 12, max: 40 }), fc.boolean(), fc.integer(), (from, count, n, deficient, seed) => {
      const ws = new Workspace();
      ws.reset((from + count) * n + 2 * from * count + count * count + count * n + 64);
      const Q = ws.alloc((from + count) * n);
      const scratch = ws.alloc(2 * from * count + count * count + count * n);
      Q.view.set(gaussian((from + count) * n, seed));
      const rng = new Rng(seed + 1);
      orthonormalizeBlock(ws, Q, 0, from, n, rng, scratch);
      // a deficient block: its first row is a combination of the old rows
      if (deficient) for (let j = 0; j < n; j++) Q.view[from * n + j] = Q.view[j]! - 2 * Q.view[(from - 1) * n + j]!;
      orthonormalizeBlock(ws, Q, from, count, n, rng, scratch);
      const t = from + count;
      for (let a = 0; a < t; a++) for (let c = 0; c < t; c++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += Q.view[a * n + j]! * Q.view[c * n + j]!;
        expect(Math.abs(s - (a === c ? 1 : 0))).toBeLessThan(1e-12);
      }
    }), { numRuns: 150 });
  });
});
