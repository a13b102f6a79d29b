import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moduleDiff, moduleEquals } from './equality.js';
import type { Module } from './module.js';
import { arbTextModule } from './testing/arbitraries.js';

function base(): Module {
  return {
    name: 'm', stage: 'integer', inputs: ['x'], outputs: ['y'],
    values: new Map([['x', { shape: [1, 2], elem: { kind: 'float', bits: 32 } }], ['y', { shape: [1, 2], elem: { kind: 'fixed', width: 8, frac: 4 } }]]),
    nodes: [{ op: 'quantize', inputs: ['x'], outputs: ['y'], attrs: { type: { width: 8, frac: 4 } }, origin: { node: 'q' } }],
    consts: new Map<string, Module['consts'] extends ReadonlyMap<string, infer C> ? C : never>([
      ['w', { kind: 'dense', shape: [2], data: Float32Array.of(NaN, 0) }],
      ['c', { kind: 'int', shape: [1], data: Float64Array.of(3) }],
    ]),
    trees: new Map([['t', {
      lanes: 1, size: 1, op: Uint8Array.of(0), a: Int32Array.of(0), b: Int32Array.of(-1), row: Int32Array.of(0), outputs: Int32Array.of(0),
      types: { frac: 4, width: Uint8Array.of(8), lo: Float64Array.of(-128), hi: Float64Array.of(127) },
    }]]),
  };
}

describe('moduleEquals / moduleDiff', () => {
  it('a module equals itself and a structural copy', () => {
    expect(moduleDiff(base(), base())).toBeUndefined();
    expect(moduleEquals(base(), base())).toBe(true);
  });

  it('names the first difference of each kind', () => {
    const m = base();
    const nanPayload = new Float32Array(new Uint32Array([0x7fc00001, 0]).buffer);
    const cases: Array<[Partial<Module>, string]> = [
      [{ name: 'n' }, 'name: "m" vs "n"'],
      [{ outputs: ['x'] }, 'outputs[0]: "y" vs "x"'],
      [{ values: new Map([...m.values, ['y', { shape: [1, -1], elem: { kind: 'fixed', width: 8, frac: 4 } }]]) },
        'values[%y]: {"shape":[1,2],"elem":{"kind":"fixed","width":8,"frac":4}} vs {"shape":[1,-1],"elem":{"kind":"fixed","width":8,"frac":4}}'],
      [{ nodes: [{ ...m.nodes[0]!, attrs: { type: { width: 8, frac: 5 } } }] }, 'nodes[0].attrs.type: {"width":8,"frac":4} vs {"width":8,"frac":5}'],
      [{ nodes: [{ ...m.nodes[0]!, origin: { node: 'q', row: 1 } }] }, 'nodes[0].origin: {"node":"q"} vs {"node":"q","row":1}'],
      [{ consts: new Map([['w', { kind: 'dense', shape: [2], data: nanPayload }], ['c', m.consts.get('c')!]]) }, 'consts[@w].data: byte 0 differs (0 vs 1)'],
      [{ consts: new Map([['w', { kind: 'dense', shape: [2], data: Float32Array.of(NaN, -0) }], ['c', m.consts.get('c')!]]) }, 'consts[@w].data: byte 7 differs (0 vs 128)'],
      [{ consts: new Map([['w', { kind: 'dense', shape: [2], data: Float64Array.of(NaN, 0) }], ['c', m.consts.get('c')!]]) }, 'consts[@w].data: Float32Array vs Float64Array'],
      [{ consts: new Map([['c', m.consts.get('c')!], ['w', m.consts.get('w')!]]) }, 'consts (names in order)[0]: "w" vs "c"'],
      [{ trees: new Map([['t', { ...m.trees.get('t')!, types: { ...m.trees.get('t')!.types!, lo: Float64Array.of(-0) } }]]) }, 'trees[@t].types.lo[0]: -128 vs 0'],
      [{ trees: new Map([['t', { ...m.trees.get('t')!, row: Int32Array.of(-1) }]]) }, 'trees[@t].row: byte 0 differs (0 vs 255)'],
    ];
    for (const [patch, diff] of cases) expect(moduleDiff(m, { ...m, ...patch })).toBe(diff);
  });

  it('ignores the order of the values map and of attribute records (the text does not keep them)', () => {
    const m = base();
    const reordered: Module = { ...m, values: new Map([...m.values].reverse()) };
    expect(moduleDiff(m, reordered)).toBeUndefined();
  });

  it('is reflexive on arbitrary modules and sees a changed module name', () => {
    fc.assert(fc.property(arbTextModule({ maxNodes: 4 }), (m) => {
      expect(moduleDiff(m, m)).toBeUndefined();
      expect(moduleEquals(m, { ...m, name: `${m.name}!` })).toBe(false);
    }), { numRuns: 200 });
  });
});
