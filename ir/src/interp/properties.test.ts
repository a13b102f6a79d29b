// Properties of the interpreter across modes, layer forms and tree evaluation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TsvdcError } from '../diagnostics.js';
import { widthFor } from '../fixed.js';
import type { Module } from '../module.js';
import { dense, fixedElem } from '../tensor.js';
import { ternaryFromValues, ternaryToInt8 } from '../ternary.js';
import { valuesOf } from '../testing/values.js';
import { arbModel, convFactors, randomInputs, randomModel, Rng, treeOf, typedTree } from '../testing/models.js';
import { verify } from '../verify/index.js';
import { interpret } from './index.js';
import { oneOp, run } from './test-util.js';

const seed = fc.integer({ min: 0, max: 0x7fffffff });

describe('modes agree where they must', () => {
  it('integer programs: exact never throws on a verified module, and f64 / f32 give the same integers', () => {
    fc.assert(fc.property(arbModel('integer'), seed, fc.constantFrom(1, 8, 1e6), ({ module }, s, range) => {
      const x = randomInputs(module, s, { range }); // range 1e6 saturates quantize at both ends
      const exact = interpret(module, x, { mode: 'exact' });
      expect(interpret(module, x, { mode: 'f64' })).toEqual(exact);
      expect(interpret(module, x, { mode: 'f32' })).toEqual(exact);
    }), { numRuns: 300 });
  });

  it('integer-valued float modules (every stage) on integer inputs: f64 = exact, and = f32 while values stay below 2^24', () => {
    const stage = fc.constantFrom('graph' as const, 'ternary' as const, 'addtree' as const);
    fc.assert(fc.property(stage, seed, seed, (st, ms, s) => {
      const m0 = randomModel(ms % 2 ? 'cnn' : 'mlp', st, ms, { integerValued: true });
      const module = { ...m0, outputs: m0.nodes.map((n) => n.outputs[0]!) }; // every intermediate is an output
      const x = randomInputs(module, s, { integers: true, range: 3 });
      const f64 = interpret(module, x, { mode: 'f64' });
      expect(interpret(module, x, { mode: 'exact' })).toEqual(f64);
      const big = Object.values(f64).some((t) => t.data.some((v) => Math.abs(v) >= 2 ** 24));
      if (!big) expect(interpret(module, x, { mode: 'f32' })).toEqual(f64);
    }), { numRuns: 300 });
  });

  it('integer-valued add-tree modules: trees and plain ternary weights give identical results (f64)', () => {
    const stripTrees = (m: Module): Module => ({
      ...m, trees: new Map(),
      nodes: m.nodes.map((n) => { const { tree: _t, ...attrs } = n.attrs; return { ...n, attrs }; }),
    });
    fc.assert(fc.property(arbModel('addtree', ['mlp', 'cnn'], { trees: 'mixed', integerValued: true }), seed, ({ module }, s) => {
      const x = randomInputs(module, s, { integers: true, range: 50 });
      expect(interpret(stripTrees(module), x, { mode: 'f64' })).toEqual(interpret(module, x, { mode: 'f64' }));
    }), { numRuns: 300 });
  });
});

describe('tree evaluation == ternary matvec, exactly', () => {
  const cases = fc.record({ s: seed, rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 40 }), batch: fc.integer({ min: 1, max: 3 }) });
  it('f64 and f32 on integer inputs of up to 2^16 (every partial sum exact in f32)', () => {
    fc.assert(fc.property(cases, ({ s, rows, cols, batch }) => {
      const rng = new Rng(s);
      const w = ternaryFromValues([rows, cols], rng.trits(rows * cols));
      const plain = oneOp({ op: 'tmatvec', inputs: [{ shape: [batch, cols] }], consts: { weights: w } });
      const t = treeOf(w, rng.bool() ? 'chain' : 'balanced');
      const tree = { ...plain, nodes: [{ ...plain.nodes[0]!, attrs: { ...plain.nodes[0]!.attrs, tree: 't' } }], trees: new Map([['t', t]]) };
      const x = Array.from({ length: batch * cols }, () => rng.int(-(2 ** 16), 2 ** 16));
      // independent reference: sum_j w[o,j] x[j] from the unpacked matrix
      const W = ternaryToInt8(w);
      const want = Array.from({ length: batch * rows }, (_, k) => {
        const [b, o] = [Math.floor(k / rows), k % rows];
        let acc = 0;
        for (let j = 0; j < cols; j++) acc += W[o * cols + j]! * x[b * cols + j]!;
        return acc;
      });
      for (const mode of ['f64', 'f32'] as const) {
        expect(valuesOf(run(plain, [x], mode).data)).toEqual(want);
        expect(valuesOf(run(tree, [x], mode).data)).toEqual(want);
      }
    }), { numRuns: 300 });
  });
});

describe('TSVD layers compute their composed dense layer (f64)', () => {
  const close = (got: number[], want: number[]) => {
    const scale = Math.max(1, ...want.map(Math.abs));
    got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-12 * scale));
  };

  it('tlinear == linear with W = U diag(s) V', () => {
    const shape = fc.record({ s: seed, m: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 9 }), r: fc.integer({ min: 1, max: 12 }) });
    fc.assert(fc.property(shape, ({ s, m, n, r }) => {
      const rng = new Rng(s);
      const [U, V] = [rng.trits(m * r), rng.trits(r * n)];
      const sv = Array.from(rng.floats(r));
      const b = Array.from(rng.floats(m));
      const W = Array.from({ length: m * n }, (_, k) => {
        let acc = 0;
        for (let j = 0; j < r; j++) acc += U[Math.floor(k / n) * r + j]! * sv[j]! * V[j * n + (k % n)]!;
        return acc;
      });
      const x = Array.from(rng.floats(2 * n));
      const t = oneOp({ op: 'tlinear', inputs: [{ shape: [2, n] }], consts: {
        U: ternaryFromValues([m, r], U), s: dense([r], Float64Array.from(sv)), V: ternaryFromValues([r, n], V), bias: dense([m], Float64Array.from(b)) } });
      const d = oneOp({ op: 'linear', inputs: [{ shape: [2, n] }], consts: { W: dense([m, n], Float64Array.from(W)), bias: dense([m], Float64Array.from(b)) } });
      close(run(t, [x]).data, run(d, [x]).data);
    }), { numRuns: 300 });
  });

  it('tconv2d == conv2d with the composed weight, for all four forms, groups, strides, dilations, pads', () => {
    const shape = fc.record({
      s: seed, form: fc.integer({ min: 0, max: 3 }), g: fc.integer({ min: 1, max: 2 }), cinG: fc.integer({ min: 1, max: 3 }), coutG: fc.integer({ min: 1, max: 3 }),
      r: fc.integer({ min: 1, max: 4 }), k1: fc.integer({ min: 1, max: 3 }), k2: fc.integer({ min: 1, max: 3 }),
      st: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })), dl: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
      pads: fc.tuple(fc.nat(2), fc.nat(2), fc.nat(2), fc.nat(2)),
    });
    fc.assert(fc.property(shape, (p) => {
      const rng = new Rng(p.s);
      const [cin, cout, G, R] = [p.g * p.cinG, p.g * p.coutG, p.g, p.r];
      const fct = convFactors(p.form, [p.k1, p.k2], p.st, p.dl);
      const vN = G * R * p.cinG * fct.v[0]! * fct.v[1]!;
      const uN = cout * R * fct.u[0]! * fct.u[1]!;
      const [Vt, Ut] = [rng.trits(vN), rng.trits(uN)];
      const sv = Array.from(rng.floats(G * R));
      // composed W[co, ci, kh, kw] = sum_j U[co, j, uh, uw] s[g*R + j] V[g*R + j, ci, vh, vw], (kh, kw) from the form
      const W = new Float64Array(cout * p.cinG * p.k1 * p.k2);
      for (let co = 0; co < cout; co++) {
        const gi = Math.floor(co / p.coutG);
        for (let j = 0; j < R; j++) {
          for (let ci = 0; ci < p.cinG; ci++) {
            for (let vh = 0; vh < fct.v[0]!; vh++) for (let vw = 0; vw < fct.v[1]!; vw++) {
              for (let uh = 0; uh < fct.u[0]!; uh++) for (let uw = 0; uw < fct.u[1]!; uw++) {
                const kh = fct.v[0]! > 1 ? vh : uh;
                const kw = fct.v[1]! > 1 ? vw : uw;
                const u = Ut[((co * R + j) * fct.u[0]! + uh) * fct.u[1]! + uw]!;
                const v = Vt[(((gi * R + j) * p.cinG + ci) * fct.v[0]! + vh) * fct.v[1]! + vw]!;
                W[((co * p.cinG + ci) * p.k1 + kh) * p.k2 + kw]! += u * sv[gi * R + j]! * v;
              }
            }
          }
        }
      }
      const [h, w] = [rng.int(3, 7), rng.int(3, 7)];
      const oh = Math.floor((h + p.pads[0] + p.pads[2] - p.dl[0] * (p.k1 - 1) - 1) / p.st[0]) + 1;
      const ow = Math.floor((w + p.pads[1] + p.pads[3] - p.dl[1] * (p.k2 - 1) - 1) / p.st[1]) + 1;
      fc.pre(oh >= 1 && ow >= 1);
      const x = Array.from(rng.floats(cin * h * w));
      const t = oneOp({ op: 'tconv2d', inputs: [{ shape: [1, cin, h, w] }], attrs: {
        form: p.form, groups: G, pads: [...p.pads], vStrides: fct.vs, vDilations: fct.vd, uStrides: fct.us, uDilations: fct.ud }, consts: {
        U: ternaryFromValues([cout, R, ...fct.u], Ut), s: dense([G * R], Float64Array.from(sv)), V: ternaryFromValues([G * R, p.cinG, ...fct.v], Vt) } });
      const got = run(t, [x]);
      expect(got.shape).toEqual([1, cout, oh, ow]);
      close(got.data, naiveConv(x, [cin, h, w], W, [cout, p.cinG, p.k1, p.k2], G, p.st, p.dl, p.pads, [oh, ow]));
    }), { numRuns: 300 });
  });
});

/** An independent direct conv (bounds checks instead of padding), for the property above. */
function naiveConv(x: number[], [cin, h, w]: number[], W: Float64Array, [cout, cinG, k1, k2]: number[], G: number, st: readonly number[], dl: readonly number[], pads: readonly number[], [oh, ow]: number[]): number[] {
  const out: number[] = [];
  for (let co = 0; co < cout!; co++) {
    const gi = Math.floor(co / (cout! / G));
    for (let y = 0; y < oh!; y++) for (let z = 0; z < ow!; z++) {
      let acc = 0;
      for (let ci = 0; ci < cinG!; ci++) for (let a = 0; a < k1!; a++) for (let b = 0; b < k2!; b++) {
        const iy = y * st[0]! - pads[0]! + a * dl[0]!;
        const ix = z * st[1]! - pads[1]! + b * dl[1]!;
        if (iy < 0 || iy >= h! || ix < 0 || ix >= w!) continue;
        acc += W[((co * cinG! + ci) * k1! + a) * k2! + b]! * x[((gi * cinG! + ci) * h! + iy) * w! + ix]!;
      }
      out.push(acc);
    }
  }
  void cin;
  return out;
}

describe('exact mode catches constructed overflow (and the verifier agrees)', () => {
  it('a row of n ones declared one bit too narrow overflows on the extreme input', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 60 }), fc.boolean(), (n, withTree) => {
      const w = ternaryFromValues([1, n], new Array(n).fill(1));
      const need = widthFor(-128 * n, 127 * n);
      const base = oneOp({ op: 'tmatvec', inputs: [{ shape: [1, n], elem: fixedElem(8, 0) }], consts: { weights: w }, out: fixedElem(need - 1, 0) });
      const m: Module = !withTree ? { ...base, stage: 'integer' } : {
        ...base, stage: 'integer', trees: new Map([['t', typedTree(treeOf(w, 'chain'), 0, -128, 127)]]),
        nodes: [{ ...base.nodes[0]!, attrs: { ...base.nodes[0]!.attrs, tree: 't' } }],
      };
      expect(verify(m).map((d) => d.code)).toEqual(['TSVDC150']);
      // the extreme that needs the last bit: -128 n when it is below the narrower range, else 127 n
      const v = -128 * n < -(2 ** (need - 2)) ? -128 : 127;
      const x = new Array(n).fill(v);
      expect(run(m, [x], 'f64').data).toEqual([v * n]);
      expect(() => run(m, [x], 'exact')).toThrow(TsvdcError);
      try { run(m, [x], 'exact'); } catch (e) { expect((e as TsvdcError).code).toBe('TSVDC612'); }
    }), { numRuns: 200 });
  });
});
