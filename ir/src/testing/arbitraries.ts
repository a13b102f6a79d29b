/**
 * fast-check arbitraries of STRUCTURALLY arbitrary modules, for the text form's
 * round-trip properties: any op of the table with attributes of the right kinds (not
 * necessarily valid ones), constants with any float bit pattern (NaN payloads, -0,
 * subnormals, infinities), ternary tensors of odd shapes (and raw words with invalid
 * codes), trees that are random DAGs with shared nodes and zero outputs, fixed-point
 * types and intervals, and names/origins with quotes, unicode, newlines and lone
 * surrogates. What they guarantee is only what the text needs to name things: values
 * are defined once and before use, references point at existing constants and trees.
 * (For VALID modules see testing/models.ts.)
 */
import fc from 'fast-check';
import type { AddTree, TreeTypes } from '../addtree.js';
import { TreeOp } from '../addtree.js';
import type { AttrValue, Module, Node, Stage } from '../module.js';
import { STAGES } from '../module.js';
import type { AttrSpec } from '../ops.js';
import { OPS } from '../ops.js';
import type { Origin } from '../origin.js';
import type { Const, ElemType, TensorType } from '../tensor.js';
import { numel } from '../tensor.js';
import type { TernaryTensor } from '../ternary.js';
import { ternaryDims, ternaryFromValues } from '../ternary.js';

const ODD = ['', '"', '\\', '\n', '\r\n', '\t', 'a"b', '\u0000', '\u001f', '\ud800', '\udfff', '\u2028', 'é', '💡', '%x', '@y',
  'loc(', '}', '{', '//', ' ', 'module', 'tree', 'zero', '-inf', 'nan', '?', '[1, 2]'];

/** Strings that stress quoting: odd characters, keywords, unicode, lone surrogates. */
export const arbOddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(...ODD),
  fc.array(fc.constantFrom(...ODD, 'a', 'Z', '_', '.', '/', '-', '$', '0'), { maxLength: 6 }).map((p) => p.join('')),
);

/** Names: mostly bare-printable (a-z, digits, . / - $ _), sometimes anything. */
export const arbName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_.$/-]{1,10}$/), weight: 3 },
  { arbitrary: arbOddString, weight: 1 },
);

/** Any float64, specials and raw bit patterns (NaN payloads) included. */
export const arbF64Bits: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1, 1e21, 5e-324),
  fc.integer({ min: -1000, max: 1000 }),
);

const arbOrigin: fc.Arbitrary<Origin> = fc.record(
  {
    file: arbOddString, node: arbOddString, part: arbOddString,
    row: fc.oneof(fc.nat(), fc.integer()), col: fc.nat(), line: fc.integer(),
  },
  { requiredKeys: [] },
);

const f32Bits = (bits: readonly number[]): Float32Array => new Float32Array(Uint32Array.from(bits).buffer);
const f64Bits = (words: readonly number[]): Float64Array => new Float64Array(Uint32Array.from(words).buffer);

/** A float32 bit pattern: uniformly random, or one of the special values. */
const arbF32Word: fc.Arbitrary<number> = fc.oneof(
  fc.nat({ max: 0xffffffff }),
  fc.constantFrom(0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fc00001, 0xffc00000, 0x7f800001, 1, 0x3dcccccd),
  fc.float().map((x) => new Uint32Array(Float32Array.of(x).buffer)[0]!),
);
const arbF64Pair: fc.Arbitrary<[number, number]> = fc.oneof(
  fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })),
  arbF64Bits.map((x) => { const w = new Uint32Array(Float64Array.of(x).buffer); return [w[0]!, w[1]!] as [number, number]; }),
);

const arbShape = (maxRank: number, maxDim: number): fc.Arbitrary<number[]> => fc.array(fc.nat({ max: maxDim }), { maxLength: maxRank });

/** Dense constants, f32 or f64, any bit patterns; small ones exercise the list form. */
export const arbDense: fc.Arbitrary<Const> = fc.tuple(arbShape(3, 6), fc.boolean()).chain(([shape, f32]) => {
  const n = numel(shape);
  return f32
    ? fc.array(arbF32Word, { minLength: n, maxLength: n }).map((w): Const => ({ kind: 'dense', shape, data: f32Bits(w) }))
    : fc.array(arbF64Pair, { minLength: n, maxLength: n }).map((w): Const => ({ kind: 'dense', shape, data: f64Bits(w.flat()) }));
});

/** Integer constants: safe integers, occasionally a value the list form cannot hold (-0, 0.5, 2^60, NaN). */
export const arbIntConst: fc.Arbitrary<Const> = arbShape(2, 12).chain((shape) => {
  const n = numel(shape);
  const elem = fc.oneof({ arbitrary: fc.maxSafeInteger(), weight: 1 }, { arbitrary: fc.integer({ min: -300, max: 300 }), weight: 4 },
    { arbitrary: fc.constantFrom(-0, 0.5, 2 ** 60, NaN, -Infinity), weight: 1 });
  return fc.array(elem, { minLength: n, maxLength: n }).map((d): Const => ({ kind: 'int', shape, data: Float64Array.from(d) }));
});

/** Ternary tensors of odd shapes: valid trits, or raw words (invalid 0b10 codes, padding bits). */
export const arbTernary: fc.Arbitrary<Const> = fc.tuple(fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 3 }), fc.boolean())
  .filter(([shape]) => numel(shape) <= 4000)
  .chain(([shape, raw]): fc.Arbitrary<Const> => {
    const { rows, cols } = ternaryDims(shape);
    if (raw) {
      const wordsPerRow = Math.ceil(cols / 16);
      const n = rows * wordsPerRow;
      return fc.array(fc.nat({ max: 0xffffffff }), { minLength: n, maxLength: n })
        .map((w): TernaryTensor => ({ kind: 'ternary', shape, rows, cols, wordsPerRow, data: Uint32Array.from(w) }));
    }
    return fc.array(fc.constantFrom(-1, 0, 1), { minLength: rows * cols, maxLength: rows * cols }).map((v) => ternaryFromValues(shape, v));
  });

export const arbConst: fc.Arbitrary<Const> = fc.oneof(arbDense, arbIntConst, arbTernary);

/** Random DAG choices, turned into an arena: node i uses only ids < i, so sharing and dead nodes occur. */
export function arbTree(maxSize = 40, typed?: boolean): fc.Arbitrary<AddTree> {
  const nodeSeed = fc.tuple(fc.nat({ max: 3 }), fc.nat(), fc.nat(), fc.nat());
  return fc.record({
    lanes: fc.integer({ min: 1, max: 9 }),
    seeds: fc.array(nodeSeed, { maxLength: maxSize }),
    outs: fc.array(fc.nat(), { maxLength: 12 }),
    typed: typed === undefined ? fc.boolean() : fc.constant(typed),
    bounds: fc.array(fc.tuple(fc.nat({ max: 255 }), arbF64Bits, arbF64Bits), { maxLength: maxSize }),
    frac: fc.integer({ min: -40, max: 40 }),
    origin: fc.option(arbOrigin, { nil: undefined }),
  }).map(({ lanes, seeds, outs, typed: t, bounds, frac, origin }) => {
    const n = seeds.length;
    const [op, a, b, row] = [new Uint8Array(n), new Int32Array(n), new Int32Array(n), new Int32Array(n)];
    seeds.forEach(([o, x, y, r], i) => {
      op[i] = i === 0 ? TreeOp.In : o;
      a[i] = op[i] === TreeOp.In ? x % lanes : x % i;
      b[i] = op[i] === TreeOp.Add || op[i] === TreeOp.Sub ? y % i : -1;
      row[i] = (r % (outs.length + 1)) - 1;
    });
    const outputs = Int32Array.from(outs, (o) => (o % (n + 1)) - 1);
    let types: TreeTypes | undefined;
    if (t) {
      const at = (i: number): [number, number, number] => bounds[i % Math.max(1, bounds.length)] ?? [8, -128, 127];
      types = {
        frac, width: Uint8Array.from({ length: n }, (_, i) => at(i)[0]),
        lo: Float64Array.from({ length: n }, (_, i) => at(i)[1]), hi: Float64Array.from({ length: n }, (_, i) => at(i)[2]),
      };
    }
    return { lanes, size: n, op, a, b, row, outputs, ...(origin ? { origin } : {}), ...(types ? { types } : {}) };
  });
}

export const arbElem: fc.Arbitrary<ElemType> = fc.oneof(
  fc.constantFrom<ElemType>({ kind: 'float', bits: 32 }, { kind: 'float', bits: 64 }),
  fc.record({ width: fc.integer({ min: 1, max: 64 }), frac: fc.integer({ min: -20, max: 40 }) }).map((f): ElemType => ({ kind: 'fixed', ...f })),
);

export const arbType: fc.Arbitrary<TensorType> = fc.record({
  shape: fc.array(fc.oneof(fc.nat({ max: 4096 }), fc.constant(-1)), { maxLength: 4 }),
  elem: arbElem,
});

function arbAttr(spec: AttrSpec, consts: readonly string[], trees: readonly string[]): fc.Arbitrary<AttrValue | undefined> {
  const len = spec.length !== undefined ? { minLength: spec.length, maxLength: spec.length } : { maxLength: 5 };
  switch (spec.kind) {
    case 'int': return fc.integer();
    case 'float': return arbF64Bits;
    case 'bool': return fc.boolean();
    case 'string': return arbOddString;
    case 'ints': return fc.array(fc.integer({ min: -5, max: 1000 }), len);
    case 'floats': return fc.array(arbF64Bits, len);
    case 'fixed': return fc.record({ width: fc.integer({ min: 1, max: 52 }), frac: fc.integer({ min: -16, max: 32 }) });
    case 'const': return consts.length ? fc.constantFrom(...consts) : fc.constant(undefined);
    case 'tree': return trees.length ? fc.constantFrom(...trees) : fc.constant(undefined);
  }
}

/** Attributes of an op: every required one (when a referent exists), optional ones at random. */
function arbAttrs(op: string, consts: readonly string[], trees: readonly string[]): fc.Arbitrary<Record<string, AttrValue>> {
  const model: Record<string, fc.Arbitrary<AttrValue | undefined>> = {};
  for (const [key, spec] of Object.entries(OPS.get(op)!.attrs)) {
    const v = arbAttr(spec, consts, trees);
    model[key] = spec.required ? v : fc.option(v, { nil: undefined });
  }
  return fc.record(model).map((r) => {
    const out: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v;
    return out;
  });
}

interface NodeSeed {
  readonly op: string;
  readonly attrs: Record<string, AttrValue>;
  readonly inputs: readonly number[];
  readonly nOut: number;
  readonly types: ReadonlyArray<TensorType | undefined>;
  readonly name: string | undefined;
  readonly origin: Origin | undefined;
}

const arbMaybeType = fc.oneof({ arbitrary: arbType, weight: 9 }, { arbitrary: fc.constant(undefined), weight: 1 });

function arbNodeSeed(consts: readonly string[], trees: readonly string[]): fc.Arbitrary<NodeSeed> {
  return fc.constantFrom(...OPS.keys()).chain((op) => fc.record({
    op: fc.constant(op),
    attrs: arbAttrs(op, consts, trees),
    inputs: fc.array(fc.nat(), { maxLength: 3 }),
    nOut: fc.nat({ max: 3 }),
    types: fc.array(arbMaybeType, { minLength: 3, maxLength: 3 }),
    name: fc.option(arbOddString, { nil: undefined }),
    origin: fc.option(arbOrigin, { nil: undefined }),
  }));
}

export interface ModuleArbOptions {
  readonly stages?: readonly Stage[];
  readonly maxNodes?: number;
  readonly maxTreeSize?: number;
}

/** Structurally arbitrary modules (see the file header for what is and is not guaranteed). */
export function arbTextModule(opts: ModuleArbOptions = {}): fc.Arbitrary<Module> {
  const head = fc.record({
    name: arbOddString,
    stage: fc.constantFrom(...(opts.stages ?? STAGES)),
    source: fc.option(arbOddString, { nil: undefined }),
    consts: fc.uniqueArray(fc.tuple(arbName, arbConst), { selector: (t) => t[0], maxLength: 4 }),
    trees: fc.uniqueArray(fc.tuple(arbName, arbTree(opts.maxTreeSize ?? 40)), { selector: (t) => t[0], maxLength: 3 }),
    names: fc.uniqueArray(arbName, { minLength: 1, maxLength: 24 }),
    nIn: fc.nat({ max: 3 }),
    orphans: fc.nat({ max: 2 }),
    outs: fc.array(fc.nat(), { maxLength: 3 }),
    inTypes: fc.array(arbMaybeType, { minLength: 5, maxLength: 5 }),
  });
  return head.chain((h) => {
    const cn = h.consts.map((c) => c[0]);
    const tn = h.trees.map((t) => t[0]);
    return fc.array(arbNodeSeed(cn, tn), { maxLength: opts.maxNodes ?? 8 }).map((seeds) => assemble(h, seeds));
  });
}

interface Head {
  name: string; stage: Stage; source: string | undefined; consts: [string, Const][]; trees: [string, AddTree][];
  names: string[]; nIn: number; orphans: number; outs: number[]; inTypes: Array<TensorType | undefined>;
}

/** Hands out fresh value names; nodes only use names defined before them. */
function assemble(h: Head, seeds: readonly NodeSeed[]): Module {
  const pool = [...h.names];
  const values = new Map<string, TensorType>();
  const defined: string[] = [];
  const define = (t: TensorType | undefined): string | undefined => {
    const name = pool.shift();
    if (name === undefined) return undefined;
    defined.push(name);
    if (t) values.set(name, t);
    return name;
  };
  const inputs: string[] = [];
  for (let i = 0; i < h.nIn; i++) {
    const v = define(h.inTypes[i]);
    if (v !== undefined) inputs.push(v);
  }
  const nodes: Node[] = [];
  for (const s of seeds) {
    const ins = defined.length ? s.inputs.map((k) => defined[k % defined.length]!) : [];
    const outs: string[] = [];
    for (let i = 0; i < s.nOut; i++) {
      const v = define(s.types[i]);
      if (v !== undefined) outs.push(v);
    }
    nodes.push({ op: s.op, inputs: ins, outputs: outs, attrs: s.attrs, ...(s.name !== undefined ? { name: s.name } : {}), ...(s.origin ? { origin: s.origin } : {}) });
  }
  // typed values that nothing defines (printed as declarations)
  for (let i = 0; i < h.orphans && pool.length > 0; i++) values.set(pool.shift()!, h.inTypes[4] ?? { shape: [i], elem: { kind: 'float', bits: 32 } });
  const all = [...values.keys(), ...defined];
  const outputs = all.length ? h.outs.map((k) => all[k % all.length]!) : [];
  return {
    name: h.name, stage: h.stage, ...(h.source !== undefined ? { source: h.source } : {}),
    inputs, outputs, values, nodes, consts: new Map(h.consts), trees: new Map(h.trees),
  };
}
