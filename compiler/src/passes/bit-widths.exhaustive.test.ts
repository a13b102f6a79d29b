/**
 * Bit widths are sufficient, and not one bit wider than needed: every input of a 6-lane
 * stage with 4-bit inputs (16^6 = 2^24 of them) runs through the tree, evaluated node by
 * node over typed arrays (here, not in the pass), and each node's range over all inputs
 * must lie within its declared interval and need exactly its declared width.
 */
import { describe, expect, it } from 'vitest';
import {
  interpret, maxOf, minOf, TreeOp, verify, widthFor,
  type AddTree, type FixedType, type Module,
} from '@tsvdc/ir';
import { bitWidths } from './bit-widths.js';
import { stageModule } from './widths/testing.js';

const LANES = 6;
const BITS = 4;
/** Inputs per chunk: lanes 0-3 vary inside a chunk, lanes 4-5 are fixed per chunk. */
const CHUNK = 16 ** 4;

/** x : fx<4,0>[?, 6] -> tmatvec (tree as lowered, or after CSE and balancing) -> dequantize, sized by bit-widths. */
function sized(rows: number, values: number[], shape: 'chain' | 'cse'): Module {
  return bitWidths(stageModule(rows, LANES, values, BITS, shape));
}

/** The value of lane l for input number i (base-16 digits of i, each a 4-bit signed value). */
const laneValue = (i: number, l: number): number => (Math.floor(i / 16 ** l) % 16) - 8;

/** Per node, the smallest and largest value it takes over all 16^6 inputs. */
function exhaustNodes(t: AddTree): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(t.size).fill(Infinity);
  const hi = new Float64Array(t.size).fill(-Infinity);
  // 16-bit values suffice: every node is a sum of at most 6 signed 4-bit lanes (|v| <= 48)
  const v = Array.from({ length: t.size }, () => new Int16Array(CHUNK));
  const inner = Array.from({ length: 4 }, (_, l) => Int16Array.from({ length: CHUNK }, (_, i) => laneValue(i, l)));
  // a node that reads only lanes 0-3 takes the same values in every chunk: computed once
  const outer = new Uint8Array(t.size);
  for (let n = 0; n < t.size; n++) outer[n] = t.op[n] === TreeOp.In ? Number(t.a[n]! >= 4) : outer[t.a[n]!]! | (t.b[n]! >= 0 ? outer[t.b[n]!]! : 0);
  for (let chunk = 0; chunk < 16 ** (LANES - 4); chunk++) {
    for (let n = 0; n < t.size; n++) {
      if (chunk > 0 && !outer[n]) continue;
      const out = v[n]!;
      const [a, b] = [t.a[n]!, t.b[n]!];
      if (t.op[n] === TreeOp.In) {
        if (a < 4) out.set(inner[a]!); else out.fill(laneValue(chunk, a - 4));
      } else if (t.op[n] === TreeOp.Add) {
        const [x, y] = [v[a]!, v[b]!];
        for (let i = 0; i < CHUNK; i++) out[i] = x[i]! + y[i]!;
      } else if (t.op[n] === TreeOp.Sub) {
        const [x, y] = [v[a]!, v[b]!];
        for (let i = 0; i < CHUNK; i++) out[i] = x[i]! - y[i]!;
      } else {
        const x = v[a]!;
        for (let i = 0; i < CHUNK; i++) out[i] = -x[i]!;
      }
      let l = lo[n]!;
      let h = hi[n]!;
      for (let i = 0; i < CHUNK; i++) {
        const z = out[i]!;
        if (z < l) l = z;
        if (z > h) h = z;
      }
      [lo[n], hi[n]] = [l, h];
    }
  }
  return { lo, hi };
}

/** Nodes whose exhaustive range escapes their declared interval or width (empty: sufficient). */
function overflowing(t: AddTree, seen: { lo: Float64Array; hi: Float64Array }, width = t.types!.width): number[] {
  const ty = t.types!;
  const bad: number[] = [];
  for (let n = 0; n < t.size; n++) {
    const [l, h] = [seen.lo[n]!, seen.hi[n]!];
    if (l < ty.lo[n]! || h > ty.hi[n]! || l < minOf(width[n]!) || h > maxOf(width[n]!)) bad.push(n);
  }
  return bad;
}

/** The evaluator above agrees with the interpreter on a sample of inputs (so the exhaustive ranges are the program's). */
function agreesWithInterpreter(m: Module, t: AddTree): void {
  const y = m.nodes[0]!.outputs[0]!;
  const samples = 4096;
  const ids = Array.from({ length: samples }, (_, k) => (k * 40503 + 977) % 16 ** LANES);
  const data = Float64Array.from(ids.flatMap((i) => Array.from({ length: LANES }, (_, l) => laneValue(i, l))));
  const out = interpret({ ...m, outputs: [y] }, { x: { shape: [samples, LANES], data } }, { mode: 'exact' })[y]!.data;
  const rows = t.outputs.length;
  ids.forEach((i, k) => {
    for (let r = 0; r < rows; r++) {
      const o = t.outputs[r]!;
      // evaluate row r's node for input i by walking the tree once (small trees)
      const val = (n: number): number => {
        const [a, b] = [t.a[n]!, t.b[n]!];
        switch (t.op[n]) {
          case TreeOp.In: return laneValue(i, a);
          case TreeOp.Add: return val(a) + val(b);
          case TreeOp.Sub: return val(a) - val(b);
          default: return 0 - val(a); // integers: neg(0) is 0, not -0
        }
      };
      expect(out[k * rows + r]).toBe(o < 0 ? 0 : val(o));
    }
  });
}

function checkExhaustively(m: Module): void {
  expect(verify(m)).toEqual([]);
  const t = m.trees.get('t0')!;
  agreesWithInterpreter(m, t);
  const seen = exhaustNodes(t);
  const ty = t.types!;
  // sufficient: no node ever leaves its declared interval or width
  expect(overflowing(t, seen)).toEqual([]);
  // tight: every declared interval is attained, and one bit less would overflow on some input
  for (let n = 0; n < t.size; n++) {
    expect([seen.lo[n], seen.hi[n]]).toEqual([ty.lo[n], ty.hi[n]]);
    expect(ty.width[n]).toBe(widthFor(seen.lo[n]!, seen.hi[n]!));
    const short = Uint8Array.from(ty.width, (w, k) => (k === n ? w - 1 : w));
    expect(overflowing(t, seen, short)).toEqual([n]);
  }
  // the stage result holds every row and needs its width too
  const rowLo = Math.min(...Array.from(t.outputs, (o) => (o < 0 ? 0 : seen.lo[o]!)));
  const rowHi = Math.max(...Array.from(t.outputs, (o) => (o < 0 ? 0 : seen.hi[o]!)));
  expect((m.values.get(m.nodes[0]!.outputs[0]!)!.elem as FixedType).width).toBe(widthFor(rowLo, rowHi));
}

describe('bit-widths, exhaustive over 4-bit inputs on 6 lanes (2^24 inputs)', () => {
  // rows: all +1, mixed, all -1, zero, one lane, mixed
  const values = [
    1, 1, 1, 1, 1, 1, -1, 1, 0, -1, -1, 1, -1, -1, -1, -1, -1, -1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, -1, 1, 1, 0, -1,
  ];

  for (const shape of ['chain', 'cse'] as const) {
    it(`a 6 x 6 stage (${shape} tree): every node within its width, and none a bit wider than needed`, () => {
      const m = sized(6, values, shape);
      checkExhaustively(m);
      // by hand: a +1 lane adds [-8, 7], a -1 lane [-7, 8]
      const t = m.trees.get('t0')!;
      const rows = Array.from(t.outputs, (o) => (o < 0 ? [0, 0] : [t.types!.lo[o]!, t.types!.hi[o]!]));
      expect(rows).toEqual([[-48, 42], [-37, 38], [-42, 48], [0, 0], [-8, 7], [-38, 37]]);
      expect((m.values.get(m.nodes[0]!.outputs[0]!)!.elem as FixedType).width).toBe(7);
    });
  }

  it('a random 12 x 6 stage after CSE and balancing, exhaustively', () => {
    let s = 12345;
    const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    checkExhaustively(sized(12, Array.from({ length: 12 * LANES }, () => [-1, 0, 1][Math.floor(next() * 3)]!), 'cse'));
  });

  it('the verifier rejects the stage with any tree node one bit short', () => {
    const m = sized(6, values, 'cse');
    const t = m.trees.get('t0')!;
    const ty = t.types!;
    for (let n = 0; n < t.size; n++) {
      const width = Uint8Array.from(ty.width, (w, k) => (k === n ? w - 1 : w));
      const [lo, hi] = [Float64Array.from(ty.lo, (x, k) => (k === n ? Math.max(x, minOf(width[k]!)) : x)), Float64Array.from(ty.hi, (x, k) => (k === n ? Math.min(x, maxOf(width[k]!)) : x))];
      const short = { ...m, trees: new Map([['t0', { ...t, types: { ...ty, width, lo, hi } }]]) };
      // TSVDC148: some input takes the node outside the interval it can now declare
      expect(verify(short).map((d) => [d.code, d.message.slice(0, `tree @t0: node ${n} `.length)])).toEqual([['TSVDC148', `tree @t0: node ${n} `]]);
    }
  });
});
