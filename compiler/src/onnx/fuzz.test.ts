import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { TsvdcError } from '@tsvdc/ir';
import { importOnnx, importOnnxLenient } from './import/index.js';
import { readModel } from './read.js';
import type { ModelProto } from './proto.js';
import { writeModel } from './write.js';
import { FASHION_CNN, wakeWordModels } from './testing/fixtures.js';

const BASES = [readFileSync(wakeWordModels()[0]!), readFileSync(FASHION_CNN)];

type Mutation =
  | { kind: 'set'; at: number[]; bytes: number[] }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; len: number };

/** Positions biased to the protobuf structure: the file's head (nodes) and tail (inputs, outputs, opsets). */
const position = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 4095 }).map((i) => -1 - i), fc.integer({ min: 0, max: 4095 }).map((i) => 2 + i));

function place(p: number, len: number): number {
  if (p < 0) return Math.max(0, len + p); // from the end
  if (p < 1) return Math.floor(p * len); // anywhere
  return Math.min(len - 1, p - 2); // from the start
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.array(position, { minLength: 1, maxLength: 8 }) as unknown as fc.Arbitrary<number[]>, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 8, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, len: fc.integer({ min: 1, max: 64 }) }),
);

function apply(base: Uint8Array, m: Mutation): Uint8Array {
  const b = Buffer.from(base);
  switch (m.kind) {
    case 'set': {
      m.at.forEach((p, i) => { b[place(p, b.length)] = m.bytes[i]!; });
      return b;
    }
    case 'truncate': return b.subarray(0, place(m.at, b.length));
    case 'insert': {
      const at = place(m.at, b.length);
      return Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    }
    case 'delete': {
      const at = place(m.at, b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
    }
  }
}

describe('fuzz: mutated real models', () => {
  it('reading and importing never throws anything but a TsvdcError, and never hangs (400 runs)', () => {
    let slowest = 0;
    const codes = new Map<string, number>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BASES.length - 1 }), mutation, (which, m) => {
        const bytes = apply(BASES[which]!, m);
        const t0 = performance.now();
        try {
          const model = readModel(bytes, { file: 'fuzz.onnx' });
          importOnnxLenient(model);
          importOnnx(model);
          codes.set('ok', (codes.get('ok') ?? 0) + 1);
        } catch (e) {
          if (!(e instanceof TsvdcError)) throw e;
          codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
        }
        slowest = Math.max(slowest, performance.now() - t0);
      }),
      { numRuns: 400, seed: 20261124 },
    );
    // a hang guard, not a benchmark: one decode+import of these models takes milliseconds
    expect(slowest).toBeLessThan(5000);
    // the mutations reach past the protobuf decoder into the checks behind it
    expect(codes.get('TSVDC200') ?? 0).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThan(3);
  });
});

/** Structure-aware mutations: decode, change one field of the model, encode again. */
type Edit = (p: ModelProto, pick: (n: number) => number, v: number) => void;
const OPS = ['Gemm', 'MatMul', 'Conv', 'ConvTranspose', 'Relu', 'Add', 'Mul', 'Flatten', 'Reshape', 'MaxPool', 'BatchNormalization', 'Softmax', 'Concat', 'Transpose', 'ReduceMean', 'Loop', 'Nope'];
const EDITS: Edit[] = [
  (p, pick) => { const n = p.graph!.node[pick(p.graph!.node.length)]!; n.opType = OPS[pick(OPS.length)]; },
  (p, pick) => {
    const g = p.graph!;
    const n = g.node[pick(g.node.length)]!;
    const names = ['', 'nowhere', ...g.node.flatMap((x) => x.output), ...g.initializer.map((t) => t.name ?? '')];
    if (n.input.length > 0) n.input[pick(n.input.length)] = names[pick(names.length)]!;
  },
  (p, pick, v) => { const n = p.graph!.node[pick(p.graph!.node.length)]!; const a = n.attribute[pick(n.attribute.length)]; if (a) { a.i = v; a.ints = a.ints.length ? [v, -v, 0, v * 2].slice(0, pick(5)) : a.ints; } },
  (p, pick) => { const n = p.graph!.node[pick(p.graph!.node.length)]!; if (n.attribute.length) n.attribute.splice(pick(n.attribute.length), 1); },
  (p, pick, v) => { const t = p.graph!.initializer[pick(p.graph!.initializer.length)]!; t.dims = t.dims.map((d, i) => (i === pick(t.dims.length) ? Math.abs(v) : d)); },
  (p, pick, v) => { const t = p.graph!.initializer[pick(p.graph!.initializer.length)]!; t.dataType = Math.abs(v) % 26; },
  (p, pick) => { const t = p.graph!.initializer[pick(p.graph!.initializer.length)]!; if (t.rawData) t.rawData = t.rawData.subarray(0, pick(t.rawData.length)); },
  (p, pick) => { p.graph!.node.splice(pick(p.graph!.node.length), 1); },
  (p, pick) => { const g = p.graph!; const [i, j] = [pick(g.node.length), pick(g.node.length)]; [g.node[i], g.node[j]] = [g.node[j]!, g.node[i]!]; },
  (p, pick) => { p.graph!.initializer.splice(pick(p.graph!.initializer.length), 1); },
  (p, pick, v) => { const d = p.graph!.input[0]!.type!.tensorType!.shape!.dim; const k = pick(d.length); if (d[k]) d[k] = v < 0 ? { dimParam: 'n' } : { dimValue: v }; },
  (p, _pick, v) => { p.opsetImport = [{ domain: '', version: 5 + Math.abs(v) % 20 }]; },
];

describe('fuzz: structurally edited real models', () => {
  it('every edit gives a module or a TsvdcError (300 runs)', () => {
    const codes = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BASES.length - 1 }), fc.array(fc.tuple(fc.nat(EDITS.length - 1), fc.nat(), fc.integer({ min: -3, max: 4000 })), { minLength: 1, maxLength: 3 }), (which, edits) => {
        const p = readModel(BASES[which]!, { file: 'base.onnx' }).proto;
        for (const [e, seed, v] of edits) {
          let s = seed;
          const pick = (n: number): number => (n <= 0 ? 0 : (s = (s * 1103515245 + 12345) >>> 0) % n);
          EDITS[e]!(p, pick, v);
        }
        try {
          const model = readModel(writeModel(p), { file: 'fuzz.onnx' });
          importOnnxLenient(model);
          importOnnx(model);
          codes.add('ok');
        } catch (e) {
          if (!(e instanceof TsvdcError)) throw e;
          codes.add(e.code);
        }
      }),
      { numRuns: 300, seed: 20261125 },
    );
    expect(codes.size).toBeGreaterThan(5);
  });
});
