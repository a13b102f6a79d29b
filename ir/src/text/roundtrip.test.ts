import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TsvdcError } from '../diagnostics.js';
import { moduleDiff } from '../equality.js';
import type { Module } from '../module.js';
import { STAGES } from '../module.js';
import { arbConst, arbName, arbTextModule, arbTree } from '../testing/arbitraries.js';
import { arbModule } from '../testing/models.js';
import { parseModule, printModule } from './index.js';

const roundTrip = (m: Module): string | undefined => moduleDiff(parseModule(printModule(m)), m);

function moduleWith(patch: Partial<Module>): Module {
  return { name: 'm', stage: 'graph', inputs: [], outputs: [], values: new Map(), nodes: [], consts: new Map(), trees: new Map(), ...patch };
}

describe('text form round trip (structurally arbitrary modules)', () => {
  it('parse(print(m)) equals m', () => {
    fc.assert(fc.property(arbTextModule(), (m) => { expect(roundTrip(m)).toBeUndefined(); }), { numRuns: 500 });
  });

  it('print is idempotent: print(parse(print(m))) === print(m)', () => {
    fc.assert(fc.property(arbTextModule(), (m) => {
      const text = printModule(m);
      expect(printModule(parseModule(text))).toBe(text);
    }), { numRuns: 300 });
  });

  it('constants keep every bit (NaN payloads, -0, subnormals, invalid ternary codes)', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(arbName, arbConst), { selector: (t) => t[0], minLength: 1, maxLength: 6 }), (cs) => {
      expect(roundTrip(moduleWith({ consts: new Map(cs) }))).toBeUndefined();
    }), { numRuns: 500 });
  });

  it('trees of up to 3000 nodes with shared nodes, zero outputs and typed intervals', () => {
    fc.assert(fc.property(fc.array(arbTree(3000), { minLength: 1, maxLength: 2 }), (ts) => {
      expect(roundTrip(moduleWith({ trees: new Map(ts.map((t, i) => [`t${i}`, t])) }))).toBeUndefined();
    }), { numRuns: 300 });
  });

  it('long and odd names survive (values, constants, trees, origins)', () => {
    const long = fc.string({ unit: 'binary', minLength: 200, maxLength: 3000 });
    fc.assert(fc.property(long, long, long, (a, b, c) => {
      const m = moduleWith({
        name: a, source: b, inputs: [a], outputs: [c], values: new Map([[a, { shape: [-1, 3], elem: { kind: 'float', bits: 32 } }]]),
        nodes: [{ op: 'relu', inputs: [a], outputs: [c], attrs: {}, name: b, origin: { file: c, node: a, part: b } }],
        trees: new Map([[b, { lanes: 1, size: 1, op: Uint8Array.of(0), a: Int32Array.of(0), b: Int32Array.of(-1), row: Int32Array.of(0), outputs: Int32Array.of(0, -1) }]]),
      });
      expect(roundTrip(m)).toBeUndefined();
    }), { numRuns: 300 });
  });
});

describe('text form round trip (valid modules of every stage, testing/models.ts)', () => {
  for (const stage of STAGES) {
    it(`${stage}: parse(print(m)) equals m`, () => {
      fc.assert(fc.property(arbModule(stage), (m) => { expect(roundTrip(m)).toBeUndefined(); }), { numRuns: 300 });
    });
  }
});

/** Mutations of a printed module: the parser must parse it or throw a text diagnostic, nothing else. */
const arbMutation = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.constantFrom('{', '}', '(', ')', '[', ']', '"', '%', '@', '%0', ',', '=', ':', '\n', '//', '-', 'nan', 'zero', 'out 0 = %0\n',
      '%9 = add %0, %1\n', 'base64', 'tern2"', 'loc(', 'tree @t lanes 1 outputs 1 {', '?', '\\u12', '1e999', '99999999999'),
  ) }),
  fc.record({ kind: fc.constant('dupLine' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), at: fc.nat(), other: fc.nat() }),
);
type Mutation = typeof arbMutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, m: Mutation): string {
  const at = m.at % (text.length + 1);
  switch (m.kind) {
    case 'truncate': return text.slice(0, at);
    case 'delete': return text.slice(0, at) + text.slice(at + m.len);
    case 'insert': return text.slice(0, at) + m.text + text.slice(at);
    case 'dupLine':
    case 'swapLines': {
      const lines = text.split('\n');
      const i = m.at % lines.length;
      if (m.kind === 'dupLine') lines.splice(i, 0, lines[i]!);
      else { const j = m.other % lines.length; [lines[i], lines[j]] = [lines[j]!, lines[i]!]; }
      return lines.join('\n');
    }
  }
}

describe('malformed input', () => {
  it('mutated modules parse or throw a positioned TSVDC0xx error, never anything else', () => {
    const diag = /^bad\.tir:\d+:\d+: TSVDC0\d\d: \S/;
    fc.assert(fc.property(arbTextModule({ maxNodes: 5, maxTreeSize: 12 }), fc.array(arbMutation, { minLength: 1, maxLength: 3 }), (m, muts) => {
      const text = muts.reduce(mutate, printModule(m));
      try {
        parseModule(text, 'bad.tir');
      } catch (e) {
        if (!(e instanceof TsvdcError)) throw e;
        expect(e.code).toMatch(/^TSVDC0\d\d$/);
        expect(e.message).toMatch(diag);
      }
    }), { numRuns: 1000 });
  });
});
