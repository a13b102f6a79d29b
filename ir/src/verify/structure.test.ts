import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics.js';
import { dense, F32, intConst } from '../tensor.js';
import { ternaryFromValues, ternaryZeros } from '../ternary.js';
import { verify, assertValid } from './index.js';
import { addtreeModule, graphModule, integerModule, patchAttrs, patchNode, setConst, setValue } from './test-fixtures.js';
import type { Module } from '../module.js';

const diags = (m: Module, stage?: Parameters<typeof verify>[1]) => verify(m, stage).map(formatDiagnostic);

describe('verifier: the base modules are valid', () => {
  it('graph, addtree, integer, scheduled', () => {
    expect(diags(graphModule())).toEqual([]);
    expect(diags(addtreeModule())).toEqual([]);
    expect(diags(integerModule())).toEqual([]);
    expect(diags(integerModule('scheduled'))).toEqual([]);
  });
});

describe('verifier: SSA and values', () => {
  it('TSVDC100 a value defined twice', () => {
    const m = patchNode(graphModule(), 1, { outputs: ['v0'] });
    expect(diags(m)).toEqual([
      'TSVDC100: value %v0 is defined more than once (again by node n1) (node "n1")',
      'TSVDC103: module output %v1 is never defined (node "%v1")',
    ]);
  });
  it('TSVDC101 a value read before its definition', () => {
    const m = patchNode(graphModule(), 0, { inputs: ['v1'] });
    expect(diags(m)[0]).toBe('TSVDC101: node n0 reads %v1 before it is defined (node "n0")');
  });
  it('TSVDC102 an output without a type', () => {
    const g = graphModule();
    const values = new Map(g.values);
    values.delete('v1');
    expect(diags({ ...g, values })).toEqual(['TSVDC102: value %v1 has no declared type (node "n1")']);
  });
  it('TSVDC103 a module output never defined', () => {
    expect(diags({ ...graphModule(), outputs: ['nope'] })).toEqual(['TSVDC103: module output %nope is never defined (node "%nope")']);
  });
  it('TSVDC124 a value shape with a zero dimension', () => {
    const m = setValue(graphModule(), 'x', { shape: [0, 4], elem: F32 });
    expect(diags(m)[0]).toBe('TSVDC124: value %x has shape [0,4]: dimensions must be >= 1 (or -1, dynamic) (node "%x")');
  });
  it('dynamic dimensions (-1) are allowed', () => {
    let m = setValue(graphModule(), 'x', { shape: [-1, 4], elem: F32 });
    m = setValue(setValue(m, 'v0', { shape: [-1, 3], elem: F32 }), 'v1', { shape: [-1, 3], elem: F32 });
    expect(diags(m)).toEqual([]);
  });
  it('the source file is part of every origin', () => {
    const m = { ...patchNode(graphModule(), 0, { inputs: ['v1'] }), source: 'net.tsvd' };
    expect(diags(m)[0]).toBe('net.tsvd: TSVDC101: node n0 reads %v1 before it is defined (node "n0")');
  });
});

describe('verifier: ops and attributes', () => {
  it('TSVDC104 unknown op', () => {
    expect(diags(patchNode(graphModule(), 1, { op: 'gelu' }))).toEqual(['TSVDC104: node n1: unknown op "gelu" (node "n1")']);
  });
  it('TSVDC105 op not allowed at the stage', () => {
    expect(diags(addtreeModule(), 'graph')).toEqual([
      'TSVDC105: tmatvec is not allowed at the graph stage (only addtree, integer, scheduled) (node "n0")',
    ]);
  });
  it('TSVDC106 wrong number of inputs', () => {
    expect(diags(patchNode(graphModule(), 1, { inputs: ['v0', 'x'] }))).toEqual(['TSVDC106: relu takes 1 input, got 2 (node "n1")']);
  });
  it('TSVDC107 wrong number of outputs', () => {
    const m = setValue(patchNode(graphModule(), 1, { outputs: ['v1', 'extra'] }), 'extra', { shape: [2, 3], elem: F32 });
    expect(diags(m)).toEqual(['TSVDC107: relu has 1 output, node declares 2 (node "n1")']);
  });
  it('TSVDC108 missing required attribute', () => {
    expect(diags(patchAttrs(graphModule(), 0, { W: undefined }))).toEqual(['TSVDC108: linear: missing required attribute W (node "n0")']);
  });
  it('TSVDC109 unknown attribute', () => {
    expect(diags(patchAttrs(graphModule(), 1, { alpha: 0.1 }))).toEqual(['TSVDC109: relu: unknown attribute alpha (node "n1")']);
  });
  it('TSVDC110 attribute of the wrong form', () => {
    expect(diags(patchAttrs(graphModule(), 0, { W: 3 }))).toEqual(['TSVDC110: linear: attribute W: expected a name (node "n0")']);
  });
  it('TSVDC111 attribute out of range', () => {
    const b = graphModule();
    const m = { ...b, nodes: [...b.nodes, { op: 'clamp', name: 'c', inputs: ['v1'], outputs: ['v9'], attrs: { lo: 5, hi: 1 } }] };
    const d = diags(setValue(m, 'v9', { shape: [2, 3], elem: F32 }), 'graph');
    expect(d).toContain('TSVDC111: clamp: clamp lo 5 > hi 1 (node "c")');
  });
  it('TSVDC112 a constant that does not exist', () => {
    expect(diags(patchAttrs(graphModule(), 0, { bias: 'zz' }))).toEqual(['TSVDC112: linear: attribute bias names the constant @zz, which does not exist (node "n0")']);
  });
  it('TSVDC113 a constant of the wrong kind', () => {
    const m = setConst(addtreeModule(), 'V0', dense([3, 4], new Float32Array(12)));
    expect(diags(m)).toEqual(['TSVDC113: tmatvec: attribute weights: constant @V0 is dense, ternary expected (node "n0")']);
  });
  it('TSVDC113 int weights on float data', () => {
    const m = setConst(graphModule(), 'W0', intConst([3, 4], new Array(12).fill(1)));
    expect(diags(m)).toEqual(['TSVDC113: linear: attribute W: constant @W0 is int, dense expected (node "n0")']);
  });
  it('TSVDC114 a tree that does not exist', () => {
    expect(diags(patchAttrs(addtreeModule(), 0, { tree: 'nope' }))).toEqual(['TSVDC114: tmatvec: attribute tree names the tree @nope, which does not exist (node "n0")']);
  });
  it('TSVDC115 a bias of the wrong length', () => {
    const m = setConst(graphModule(), 'b0', dense([4], new Float32Array(4)));
    expect(diags(m)).toEqual(['TSVDC115: linear: bias @b0 has 4 values, 3 expected (node "n0")']);
  });
  it('TSVDC115 a requant multiplier of the wrong length', () => {
    const m = setConst(integerModule(), 'c0', intConst([2], [1, 2]));
    expect(diags(m)).toEqual(['TSVDC115: requant: c @c0 has 2 values, 1 or 3 expected (node "n2")']);
  });
});

describe('verifier: types', () => {
  it('TSVDC116 inputs that do not fit the op', () => {
    const m = setConst(graphModule(), 'W0', dense([3, 5], new Float32Array(15)));
    expect(diags(m)).toEqual(['TSVDC116: linear on f32[2,4]: input features 4 != W columns 5 (node "n0")']);
  });
  it('TSVDC117 declared shape differs from the inferred one', () => {
    const m = setValue(graphModule(), 'v1', { shape: [2, 4], elem: F32 });
    expect(diags(m)).toEqual(['TSVDC117: %v1 is declared [2,4], relu gives [2,3] (node "n1")']);
  });
  it('TSVDC118 declared element type differs from the inferred one', () => {
    const m = setValue(graphModule(), 'v1', { shape: [2, 3], elem: { kind: 'float', bits: 64 } });
    expect(diags(m)).toEqual(['TSVDC118: %v1 is declared f64, relu gives f32 (node "n1")']);
  });
  it('TSVDC118 a fixed-point input gives a fixed-point result', () => {
    const m = setValue(integerModule(), 'v1', { shape: [2, 3], elem: F32 });
    expect(diags(m)[0]).toBe('TSVDC118: %v1 is declared f32, a fixed-point input gives a fixed-point result (node "n1")');
  });
});

describe('verifier: constants', () => {
  it('TSVDC120 NaN or Inf weights', () => {
    const m = setConst(graphModule(), 'W0', dense([3, 4], Float32Array.of(0, 1, NaN, 0, 0, 0, 0, Infinity, 0, 0, 0, 0)));
    expect(diags(m)).toEqual(['TSVDC120: constant @W0[2] is NaN: weights must be finite (2 in all) (node "@W0")']);
  });
  it('TSVDC121 a non-integer int constant', () => {
    const m = setConst(integerModule(), 'c0', intConst([1], [2.5]));
    expect(diags(m)).toEqual(['TSVDC121: constant @c0[0] is 2.5: an int constant holds safe integers (node "@c0")']);
  });
  it('TSVDC122 the invalid ternary code 0b10', () => {
    const t = ternaryFromValues([3, 4], [1, 0, -1, 1, 0, 1, 1, 0, -1, -1, 0, 1]);
    const data = t.data.slice();
    data[1] = (data[1]! | (2 << 6)) >>> 0; // row 1, column 3: 0b00 -> 0b10
    const m = setConst(addtreeModule(), 'V0', { ...t, data });
    expect(diags(m)).toContain('TSVDC122: ternary constant @V0 has the invalid code 0b10 at row 1, column 3 (node "@V0", row 1, col 3)');
  });
  it('TSVDC123 non-zero padding bits', () => {
    const t = ternaryFromValues([3, 4], [1, 0, -1, 1, 0, 1, 1, 0, -1, -1, 0, 1]);
    const data = t.data.slice();
    data[2] = (data[2]! | (1 << 10)) >>> 0; // column 5 of a 4-column row
    const m = setConst(addtreeModule(), 'V0', { ...t, data });
    expect(diags(m)).toEqual(['TSVDC123: ternary constant @V0: padding bits after column 3 of row 2 are not zero (node "@V0", row 2)']);
  });
  it('TSVDC124 a constant with a zero dimension', () => {
    const m = setConst(graphModule(), 'b0', dense([0], new Float32Array(0)));
    expect(diags(m)[0]).toBe('TSVDC124: constant @b0 has shape [0]: dimensions must be >= 1 (node "@b0")');
  });
  it('TSVDC125 data that does not match the shape', () => {
    const m = setConst(graphModule(), 'b0', dense([3], new Float32Array(2)));
    expect(diags(m)[0]).toBe('TSVDC125: constant @b0 has 2 values for shape [3] (3) (node "@b0")');
    const t = ternaryZeros([3, 4]);
    expect(diags(setConst(addtreeModule(), 'V0', { ...t, wordsPerRow: 2 }))[0]).toBe(
      'TSVDC125: ternary constant @V0: shape [3,4] needs 3 rows x 1 words, got rows 3, cols 4, 2 words per row, 3 words (node "@V0")');
  });
});

describe('assertValid', () => {
  it('throws one error carrying every diagnostic', () => {
    const m = patchAttrs(patchAttrs(graphModule(), 1, { alpha: 1 }), 0, { bias: 'zz' });
    try {
      assertValid(m);
      expect.unreachable();
    } catch (e) {
      const err = e as import('../diagnostics.js').TsvdcError;
      expect(err.message).toBe('TSVDC112: linear: attribute bias names the constant @zz, which does not exist (and 1 more) (node "n0")');
      expect(err.related.map((d) => d.code)).toEqual(['TSVDC112', 'TSVDC109']);
    }
  });
  it('passes a valid module', () => {
    expect(() => assertValid(integerModule())).not.toThrow();
  });
});
