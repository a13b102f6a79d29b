// f32 summation order, exact-mode overflow errors and input checks, with exact messages.
import { describe, expect, it } from 'vitest';
import { AddTreeBuilder } from '../addtree.js';
import { TsvdcError } from '../diagnostics.js';
import { dense, fixedElem, intConst } from '../tensor.js';
import { ternaryFromValues } from '../ternary.js';
import { integerModule, setConst, setTree, setValue } from '../verify/test-fixtures.js';
import { interpret } from './index.js';
import { oneOp, run } from './test-util.js';

const err = (f: () => unknown): string => {
  try { f(); } catch (e) { if (e instanceof TsvdcError) return e.message; throw e; }
  return 'no error';
};

describe('f32: rounding after every operation, in the documented order', () => {
  const ones = ternaryFromValues([1, 3], [1, 1, 1]);
  const big = [2 ** 24, 1, 1];
  it('a ternary row without a tree sums ascending columns: (2^24 + 1) + 1 rounds twice', () => {
    const m = oneOp({ op: 'tmatvec', inputs: [{ shape: [1, 3] }], consts: { weights: ones } });
    expect(run(m, [big], 'f32').data).toEqual([2 ** 24]);
    expect(run(m, [big], 'f64').data).toEqual([2 ** 24 + 2]);
  });
  it('a tree sums in node order: (1 + 1) + 2^24 is exact', () => {
    const b = new AddTreeBuilder(3, 1);
    b.setOutput(0, b.add(b.add(b.lane(1), b.lane(2)), b.lane(0)));
    const m0 = oneOp({ op: 'tmatvec', inputs: [{ shape: [1, 3] }], consts: { weights: ones } });
    const m = { ...m0, nodes: [{ ...m0.nodes[0]!, attrs: { ...m0.nodes[0]!.attrs, tree: 't' } }], trees: new Map([['t', b.finish()]]) };
    expect(run(m, [big], 'f32').data).toEqual([2 ** 24 + 2]);
  });
  it('dense weights are rounded to f32 once, products and sums after every step', () => {
    const m = oneOp({ op: 'linear', inputs: [{ shape: [1, 2] }], consts: { W: dense([1, 2], Float64Array.of(0.1, 0.2)) } });
    const r = Math.fround;
    expect(run(m, [[3, 7]], 'f32').data).toEqual([r(r(r(0.1) * 3) + r(r(0.2) * 7))]);
    expect(run(m, [[3, 7]], 'f64').data).toEqual([0.1 * 3 + 0.2 * 7]);
  });
  it('inputs are rounded to f32 on entry', () => {
    const m = oneOp({ op: 'identity', inputs: [{ shape: [1] }] });
    expect(run(m, [[0.1]], 'f32').data).toEqual([Math.fround(0.1)]);
  });
});

describe('exact mode: overflow is an error, never a wrap', () => {
  // integerModule: quantize fx<8,4> -> tmatvec (rows [1,0,-1,1], [0,1,1,0], [-1,-1,0,1]) -> requant -> relu
  const q = (v: number) => v / 16; // a float that quantizes to v at frac 4
  const x = (vals: number[]) => ({ x: { shape: [2, 4], data: Float64Array.from([...vals, 0, 0, 0, 0].map(q)) } });
  it('the valid module runs in every mode with the same result', () => {
    const m = integerModule();
    const inputs = x([127, -128, -128, 127]);
    const e = interpret(m, inputs, { mode: 'exact' });
    expect(interpret(m, inputs, { mode: 'f64' })).toEqual(e);
  });
  it('TSVDC610 a tree node beyond its width', () => {
    const m = integerModule();
    const t = m.trees.get('t0')!;
    const width = t.types!.width.slice();
    const [lo, hi] = [t.types!.lo.slice(), t.types!.hi.slice()];
    [width[2], lo[2], hi[2]] = [8, -128, 127]; // node 2 = in0 + in3 declared 8 bits
    const bad = setTree(m, 't0', { ...t, types: { ...t.types!, width, lo, hi } });
    expect(err(() => interpret(bad, x([100, 0, 0, 100]), { mode: 'exact' }))).toBe('TSVDC610: tree @t0: node 2 = 200 does not fit 8 signed bits (node "n1", row 0)');
    expect(interpret(bad, x([100, 0, 0, 100]), { mode: 'f64' })['v4']!.data[0]).toBe(9.375); // f64 does not check: relu(shrRound(200 * 3, 3) = 75) * 2^-3
  });
  it('TSVDC611 a tree node outside its declared interval', () => {
    const m = integerModule();
    const t = m.trees.get('t0')!;
    const hi = t.types!.hi.slice();
    hi[2] = 150;
    const bad = setTree(m, 't0', { ...t, types: { ...t.types!, hi } });
    expect(err(() => interpret(bad, x([100, 0, 0, 100]), { mode: 'exact' }))).toBe('TSVDC611: tree @t0: node 2 = 200 is outside its declared [-256, 150] (node "n1", row 0)');
  });
  it('TSVDC612 an op result beyond its fixed type', () => {
    const bad = setValue(integerModule(), 'v1', { shape: [2, 3], elem: fixedElem(9, 4) });
    expect(err(() => interpret(bad, x([127, 0, -128, 127]), { mode: 'exact' }))).toBe('TSVDC612: %v1[0] = 382 does not fit fx<9,4> [-256, 255] (node "n1")');
  });
  it('TSVDC613 a requant product beyond MAX_WIDTH bits', () => {
    const bad = setConst(integerModule(), 'c0', intConst([1], [2 ** 45]));
    expect(err(() => interpret(bad, x([127, 0, -128, 127]), { mode: 'exact' }))).toBe(
      'TSVDC613: requant: x * c = 382 * c = 13440430137933824 exceeds 52 bits at element 0 (node "n2")');
  });
});

describe('inputs', () => {
  const m = integerModule();
  it('TSVDC600 a missing input', () => {
    expect(err(() => interpret(m, {}, { mode: 'f64' }))).toBe('TSVDC600: no tensor for input %x (node "%x")');
  });
  it('TSVDC601 a wrong shape', () => {
    expect(err(() => interpret(m, { x: { shape: [4, 2], data: new Float64Array(8) } }, { mode: 'f64' }))).toBe('TSVDC601: input %x has shape [4,2], declared [2,4] (node "%x")');
  });
  it('TSVDC602 data that does not match the shape', () => {
    expect(err(() => interpret(m, { x: { shape: [2, 4], data: new Float64Array(7) } }, { mode: 'f64' }))).toBe('TSVDC602: input %x has 7 values for shape [2,4] (node "%x")');
  });
  it('TSVDC603 a fixed-point input that is not an integer of its width', () => {
    const f = oneOp({ op: 'relu', inputs: [{ shape: [2], elem: fixedElem(4, 0) }] });
    expect(err(() => interpret(f, { x0: { shape: [2], data: Float64Array.of(1, 8) } }, { mode: 'exact' }))).toBe('TSVDC603: input %x0[1] = 8 is not an integer of 4 signed bits (node "%x0")');
  });
  it('a dynamic dimension takes any size', () => {
    const d = oneOp({ op: 'relu', inputs: [{ shape: [-1, 2] }] });
    const y = interpret(d, { x0: { shape: [3, 2], data: Float64Array.of(1, -1, -2, 3, 0, 5) } }, { mode: 'f64' });
    expect(Object.values(y)[0]).toEqual({ shape: [3, 2], data: Float64Array.of(1, 0, 0, 3, 0, 5) });
  });
});

describe('modules the interpreter cannot run', () => {
  it('TSVDC690 an op without semantics', () => {
    const m = oneOp({ op: 'relu', inputs: [{ shape: [2] }] });
    const bad = { ...m, nodes: [{ ...m.nodes[0]!, op: 'gelu' }] };
    expect(err(() => run(bad, [[1, 2]]))).toBe('TSVDC690: the interpreter has no semantics for op "gelu" (node "n0")');
  });
  it('TSVDC691 a tree that does not exist', () => {
    const m = oneOp({ op: 'tmatvec', inputs: [{ shape: [1, 2] }], consts: { weights: ternaryFromValues([1, 2], [1, 1]) } });
    const bad = { ...m, nodes: [{ ...m.nodes[0]!, attrs: { ...m.nodes[0]!.attrs, tree: 'gone' } }] };
    expect(err(() => run(bad, [[1, 2]]))).toBe('TSVDC691: tmatvec: tree @gone does not exist (node "n0")');
  });
});
