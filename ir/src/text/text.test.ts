import { describe, expect, it } from 'vitest';
import { TsvdcError } from '../diagnostics.js';
import { moduleDiff } from '../equality.js';
import type { Module } from '../module.js';
import type { Const } from '../tensor.js';
import { ternaryFromValues } from '../ternary.js';
import { parseModule, printModule } from './index.js';
import { formatF32, formatF64, fromBase64 } from './literals.js';

function withConsts(cs: Array<[string, Const]>): Module {
  return { name: 'm', stage: 'graph', inputs: [], outputs: [], values: new Map(), nodes: [], consts: new Map(cs), trees: new Map() };
}
const constLine = (c: Const): string => printModule(withConsts([['c', c]])).split('\n')[2]!;

describe('number literals', () => {
  it('f32 prints the shortest decimal that rounds back to the same f32', () => {
    expect([0.1, 1 / 3, 16777217, 3.4028234663852886e38, 1e-45, -0, 0.5].map((x) => formatF32(Math.fround(x))))
      .toEqual(['0.1', '0.33333334', '16777216', '3.4028235e+38', '1e-45', '-0', '0.5']);
  });

  it('f64 specials have keywords; -0 keeps its sign', () => {
    expect([NaN, Infinity, -Infinity, -0, 5e-324, 0.1].map(formatF64)).toEqual(['nan', 'inf', '-inf', '-0', '5e-324', '0.1']);
  });

  it('base64 decoding is strict: wrong alphabet, inner padding, bad length are rejected with the offending index', () => {
    expect(fromBase64('AAAA')).toEqual(new Uint8Array(3));
    expect(fromBase64('AA-A')).toBe(2); // URL-safe alphabet is not ours
    expect(fromBase64('AA A')).toBe(2);
    expect(fromBase64('A=AA')).toBe(1);
    expect(fromBase64('AAAAA')).toBe(5);
    expect(fromBase64('')).toEqual(new Uint8Array(0));
  });
});

describe('constant forms', () => {
  it('small exact constants print as lists; anything a list would lose prints as a payload', () => {
    expect(constLine({ kind: 'dense', shape: [3], data: Float32Array.of(0.1, NaN, -0) })).toBe('const @c : dense f32[3] = [0.1, nan, -0]');
    const payload = new Float32Array(new Uint32Array([0x7fc00001]).buffer);
    expect(constLine({ kind: 'dense', shape: [1], data: payload })).toBe('const @c : dense f32[1] = base64"AQDAfw=="');
    expect(constLine({ kind: 'dense', shape: [65], data: new Float32Array(65) })).toMatch(/^const @c : dense f32\[65\] = base64"A{347}="$/);
    expect(constLine({ kind: 'int', shape: [2], data: Float64Array.of(-7, 2 ** 53 - 1) })).toBe('const @c : int[2] = [-7, 9007199254740991]');
    expect(constLine({ kind: 'int', shape: [1], data: Float64Array.of(-0) })).toBe('const @c : int[1] = base64"AAAAAAAAAIA="');
    expect(constLine(ternaryFromValues([2, 2], [1, 0, -1, 1]))).toBe('const @c : ternary[2,2] = [1, 0, -1, 1]');
  });

  it('a ternary tensor with an invalid 0b10 code or padding bits keeps its words exactly (tern2)', () => {
    const t = ternaryFromValues([1, 3], [1, 0, 0]);
    const bad: Const = { ...t, data: Uint32Array.of(0b10_00_01) };
    const pad: Const = { ...t, data: Uint32Array.of(0x40000001) };
    expect(constLine(bad)).toBe('const @c : ternary[1,3] = tern2"IQAAAA=="');
    expect(constLine(pad)).toBe('const @c : ternary[1,3] = tern2"AQAAQA=="');
    for (const c of [bad, pad]) {
      const m = withConsts([['c', c]]);
      expect(moduleDiff(parseModule(printModule(m)), m)).toBeUndefined();
    }
  });

  it('reads hand-written f32 lists by rounding to nearest f32', () => {
    const m = parseModule('module "m" stage graph\nconst @c : dense f32[2] = [0.1, 1e-50]\nfunc () -> () {\n}\n');
    expect(Array.from((m.consts.get('c') as { data: Float32Array }).data)).toEqual([Math.fround(0.1), 0]);
  });
});

describe('syntax details', () => {
  const src = [
    'module "m" stage addtree',
    'const @w : ternary[2,2] = [1, -1, 0, 1]',
    'tree @t lanes 2 outputs 2 {',
    '',
    '  // comments and blank lines are allowed in tree bodies',
    '  %0 = in 0 row 0   // trailing comment',
    '  %1 = in 1 row 0',
    '  %2 = sub %0, %1 row 0',
    '  out 0 = %2',
    '  out 1 = %1',
    '}',
    'func (%"input 0" : f32[?,2]) -> (%y) {',
    '  %y = tmatvec(%"input 0") {tree=@t, weights=@w} : f32[?,2]',
    '}',
    '',
  ];

  it('quoted value names, comments in tree bodies, attributes in any order', () => {
    const m = parseModule(src.join('\n'));
    expect(m.inputs).toEqual(['input 0']);
    expect(m.nodes[0]!.attrs).toEqual({ tree: 't', weights: 'w' });
    expect(Array.from(m.trees.get('t')!.outputs)).toEqual([2, 1]);
    expect(printModule(m).split('\n').slice(-4)).toEqual([
      'func (%"input 0" : f32[?,2]) -> (%y) {', '  %y = tmatvec(%"input 0") {weights=@w, tree=@t} : f32[?,2]', '}', '',
    ]);
  });

  it('CRLF line endings parse to the same module, and positions count CRLF as one line break', () => {
    const lf = parseModule(src.join('\n'));
    expect(moduleDiff(parseModule(src.join('\r\n')), lf)).toBeUndefined();
    const broken = [...src.slice(0, 12), '  %y = tmatvec(%x) : f32[?,2]', ...src.slice(13)].join('\r\n');
    expect(() => parseModule(broken, 'crlf.tir')).toThrow('crlf.tir:13:16: TSVDC009: value %x is not defined before this use');
  });

  it('a func attribute dict is never taken for a tree body', () => {
    const text = 'module "m" stage graph\nconst @W : dense f32[1,1] = [2]\nfunc (%x : f32[1,1]) -> (%y) {\n  %y = linear(%x) {W=@W} : f32[1,1]\n}\n';
    expect(printModule(parseModule(text))).toBe(text.replace('\nconst', '\n\nconst').replace('\nfunc', '\n\nfunc'));
  });

  it('binary input reports its first bad character, not a later string problem', () => {
    expect(() => parseModule('\b\u0001 "unterminated\n')).toThrow('<input>:1:1: TSVDC001: unexpected character "\\b"');
  });

  it('errors are TsvdcErrors with the default file name <input>', () => {
    let err: unknown;
    try {
      parseModule('module "m" stage graph\nfunc () -> () {\n  %a : f32[1]\n  %a : f32[1]\n}\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TsvdcError);
    expect((err as TsvdcError).message).toBe('<input>:4:3: TSVDC008: value %a is already defined');
  });
});
