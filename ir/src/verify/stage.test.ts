import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics.js';
import type { Module, Stage } from '../module.js';
import { F32, fixedElem, intConst } from '../tensor.js';
import { ModuleBuilder } from '../testing/models.js';
import { verify } from './index.js';
import { integerModule, patchAttrs, setConst, setTree, setValue } from './test-fixtures.js';

const diags = (m: Module, stage?: Stage) => verify(m, stage).map(formatDiagnostic);
const FX8 = fixedElem(8, 4);

describe('verifier: element types per stage', () => {
  it('TSVDC140 a fixed-point value at a float stage', () => {
    const b = new ModuleBuilder('g', 'graph');
    const x = b.input([2, 3], FX8, 'x');
    const m = b.output(b.op('relu', [x])).build();
    expect(diags(m)).toEqual([
      'TSVDC140: input %x is fx<8,4> at the graph stage (node "%x")',
      'TSVDC140: %v0 is fx<8,4> at the graph stage (node "n0")',
    ]);
    expect(diags(m, 'integer')).toEqual([]);
  });
  it('TSVDC141 a float-only op on fixed-point data', () => {
    const b = new ModuleBuilder('i', 'integer');
    const m = b.output(b.op('sigmoid', [b.input([2, 3], FX8, 'x')])).build();
    expect(diags(m)).toEqual(['TSVDC141: sigmoid is a float-only op, its input is fx<8,4> (node "n0")']);
  });
  it('TSVDC142 a fixed-point op on float data', () => {
    const b = new ModuleBuilder('i', 'integer');
    const m = b.output(b.op('clamp', [b.input([2, 3], F32, 'x')], { lo: 0, hi: 5 })).build();
    expect(diags(m)).toEqual(['TSVDC142: clamp needs a fixed-point input, got f32 (node "n0")']);
  });
  it('TSVDC143 operands of different fracs', () => {
    const b = new ModuleBuilder('i', 'integer');
    const [x, y] = [b.input([2, 3], FX8, 'x'), b.input([2, 3], fixedElem(8, 3), 'y')];
    const m = b.output(b.op('add', [x, y], {}, fixedElem(9, 4))).build();
    expect(diags(m)).toEqual(['TSVDC143: add of fx<8,4> and fx<8,3> (node "n0")']);
  });
  it('TSVDC144 a result frac that does not follow from the operands', () => {
    const m = setValue(integerModule(), 'v1', { shape: [2, 3], elem: fixedElem(10, 3) });
    expect(diags(m)).toEqual(['TSVDC144: %v1 is fx<10,3>, tmatvec of frac 4 gives frac 4 (node "n1")']);
  });
  it('TSVDC144 shrround moves the point by its shift', () => {
    const b = new ModuleBuilder('i', 'integer');
    const m = b.output(b.op('shrround', [b.input([2], fixedElem(8, 4), 'x')], { shift: 2, type: { width: 7, frac: 4 } })).build();
    expect(diags(m)).toEqual(['TSVDC144: %v0 is fx<7,4>, shrround of frac 4 gives frac 2 (node "n0")']);
  });
  it('TSVDC145 a width beyond MAX_WIDTH', () => {
    const b = new ModuleBuilder('i', 'integer');
    const m = b.output(b.op('quantize', [b.input([2], F32, 'x')], { type: { width: 60, frac: 0 } })).build();
    expect(diags(m)).toEqual([
      'TSVDC145: value %v0: fixed type fx<60,0>: width 60 is outside 1..52 (node "n0")',
      'TSVDC145: quantize: attribute type: width 60 is outside 1..52 (node "n0")',
    ]);
  });
  it('TSVDC146 a tree on fixed-point data without types', () => {
    const m = integerModule();
    expect(diags(setTree(m, 't0', { ...m.trees.get('t0')!, types: undefined }))).toEqual([
      'TSVDC146: tree @t0 works on fixed-point data but has no types (node "n1")',
    ]);
  });
  it('TSVDC147 a tree whose frac is not its input\'s', () => {
    const m = integerModule();
    const t = m.trees.get('t0')!;
    expect(diags(setTree(m, 't0', { ...t, types: { ...t.types!, frac: 3 } }))).toEqual([
      'TSVDC147: tree @t0 has frac 3, its input has frac 4 (node "n1")',
    ]);
  });
});

describe('verifier: interval analysis (integer stage)', () => {
  it('TSVDC148 a node that can leave its declared interval', () => {
    const m = integerModule();
    const t = m.trees.get('t0')!;
    const hi = t.types!.hi.slice();
    hi[2] = 200; // chain of row 0: in0 (0), in3 (1), add (2) in [-256, 254], in2 (3), sub (4)
    expect(diags(setTree(m, 't0', { ...t, types: { ...t.types!, hi } }))).toEqual([
      'TSVDC148: tree @t0: node 2 can take [-256, 254], it declares [-256, 200] (node "n1", row 0)',
    ]);
  });
  it('TSVDC149 a declared interval that does not fit the width', () => {
    const m = integerModule();
    const t = m.trees.get('t0')!;
    const width = t.types!.width.slice();
    width[2] = 8;
    expect(diags(setTree(m, 't0', { ...t, types: { ...t.types!, width } }))).toEqual([
      'TSVDC149: tree @t0: node 2 declares [-256, 254], which does not fit 8 signed bits (node "fc1", part V, row 0)',
    ]);
  });
  it('TSVDC150 a result that can overflow its type', () => {
    const m = setValue(integerModule(), 'v1', { shape: [2, 3], elem: fixedElem(9, 4) });
    expect(diags(m)).toEqual(['TSVDC150: %v1 can reach [-383, 382] (channel 0), fx<9,4> holds [-256, 255] (node "n1")']);
  });
  it('TSVDC150 per channel: a bias that pushes one channel over', () => {
    const b = new ModuleBuilder('i', 'integer');
    const x = b.input([1, 2], FX8, 'x');
    const m = b.output(b.op('bias', [x], { b: b.constant('b', intConst([2], [0, 1])) }, fixedElem(8, 4))).build();
    expect(diags(m)).toEqual(['TSVDC150: %v0 can reach [-127, 128] (channel 1), fx<8,4> holds [-128, 127] (node "n0")']);
  });
  it('TSVDC151 a requant product beyond MAX_WIDTH bits', () => {
    const m = setConst(integerModule(), 'c0', intConst([1], [2 ** 45]));
    expect(diags(m)).toEqual(['TSVDC151: requant product x * c can reach [-13475614510022656, 13440430137933824], beyond 52 bits (node "n2")']);
  });
  it('per-channel ranges accept what one interval would reject', () => {
    // channel 1 is multiplied by 0, then biased by 100: [100, 100] fits fx<8>; one interval per
    // tensor ([-128, 127] + [0, 100]) would not
    const b = new ModuleBuilder('i', 'integer');
    const x = b.input([1, 2], FX8, 'x');
    const y = b.op('mulconst', [x], { c: b.constant('c', intConst([2], [1, 0])), type: { width: 8, frac: 4 } });
    const z = b.op('bias', [y], { b: b.constant('b', intConst([2], [0, 100])) }, fixedElem(8, 4));
    expect(diags(b.output(z).build())).toEqual([]);
  });
});

describe('verifier: schedules', () => {
  it('TSVDC160 a stage without a schedule at the scheduled stage', () => {
    const m = { ...integerModule(), stage: 'scheduled' as const };
    expect(diags(m)).toEqual(['TSVDC160: tmatvec has no schedule (arch) at the scheduled stage (node "n1")']);
  });
  it('TSVDC161 an unknown arch', () => {
    expect(diags(patchAttrs(integerModule('scheduled'), 1, { arch: 'systolic' }))).toEqual([
      'TSVDC161: tmatvec: arch "systolic" is neither "spatial" nor "folded" (node "n1")',
    ]);
  });
  it('TSVDC162 attributes that do not belong to the arch', () => {
    expect(diags(patchAttrs(integerModule('scheduled'), 1, { pe: 2 }))).toEqual([
      'TSVDC162: tmatvec (spatial): pe belongs to the folded arch (node "n1")',
    ]);
    expect(diags(patchAttrs(integerModule('scheduled'), 1, { arch: 'folded', regEvery: undefined, pe: 3 }))).toEqual([
      'TSVDC162: tmatvec (folded): simd is required (node "n1")',
    ]);
    expect(diags(patchAttrs(integerModule(), 1, { pe: 3 }))).toEqual(['TSVDC162: tmatvec has pe but no arch (node "n1")']);
  });
  it('TSVDC163 schedule parameters out of range', () => {
    expect(diags(patchAttrs(integerModule('scheduled'), 1, { arch: 'folded', pe: 4, simd: 0, regEvery: 0 }))).toEqual([
      'TSVDC163: tmatvec (folded): pe 4 must be within 1..3 (node "n1")',
      'TSVDC163: tmatvec (folded): simd 0 must be within 1..4 (node "n1")',
      'TSVDC163: tmatvec (folded): regEvery 0 must be >= 1 (node "n1")',
    ]);
  });
  it('a consistent folded schedule is valid', () => {
    expect(diags(patchAttrs(integerModule('scheduled'), 1, { arch: 'folded', pe: 3, simd: 4, regEvery: undefined }))).toEqual([]);
  });
});
