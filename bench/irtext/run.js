#!/usr/bin/env node
// IR text form speed: print and parse a large module (one add tree of N nodes at the
// integer stage, a 1024x4096 ternary constant, a 1024x1024 f32 constant).
// Run from the repository root after `npm run build`:
//   node bench/irtext/run.js [--nodes 500000] [--runs 5]
// Baselines measured in the same run on the same content:
//   - JSON: JSON.stringify / JSON.parse of the same arrays (what a JSON dump would cost);
//   - chevrotain tokens: lexing only the tree body as ordinary chevrotain tokens, i.e.
//     what the hand-written tree-body fast path (ir/src/text/tree-body.ts) avoids.
import { parseArgs } from 'node:util';
import { createToken, Lexer } from 'chevrotain';
import { AddTreeBuilder, moduleEquals, parseModule, printModule, ternaryZeros, ternarySet } from '../../ir/dist/index.js';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '500000' }, runs: { type: 'string', default: '5' } } });
const N = Number(values.nodes);
const RUNS = Number(values.runs);

/** Deterministic xorshift PRNG, so every run measures the same module. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 2 ** 32; };
}

/** A CSE-shaped tree: 1024 lanes, N nodes, each add/sub of two random earlier nodes, typed. */
function bigTree(n) {
  const r = rng(7);
  const lanes = 1024;
  const b = new AddTreeBuilder(lanes, 1024, n);
  for (let l = 0; l < lanes; l++) b.lane(l);
  while (b.size < n) {
    b.currentRow = Math.floor(r() * 1024);
    const x = Math.floor(r() * b.size);
    const y = Math.floor(r() * b.size);
    if (r() < 0.5) b.add(x, y); else b.sub(x, y);
  }
  for (let o = 0; o < 1024; o++) b.setOutput(o, o % 7 === 0 ? -1 : n - 1 - o);
  const t0 = b.finish({ file: 'bench.onnx', node: '/fc1/Gemm', part: 'V' });
  const width = new Uint8Array(t0.size).fill(24);
  const lo = new Float64Array(t0.size).map(() => -Math.floor(r() * 2 ** 22));
  const hi = new Float64Array(t0.size).map(() => Math.floor(r() * 2 ** 22));
  return { ...t0, types: { frac: 4, width, lo, hi } };
}

function bigModule() {
  const r = rng(11);
  const V = ternaryZeros([1024, 4096]);
  for (let i = 0; i < 1024; i++) for (let j = 0; j < 4096; j++) { const u = r(); if (u < 0.3) ternarySet(V, i, j, u < 0.15 ? 1 : -1); }
  const W = new Float32Array(1024 * 1024).map(() => r() * 2 - 1);
  const fx = { kind: 'fixed', width: 8, frac: 4 };
  return {
    name: 'bench', stage: 'integer', inputs: ['x'], outputs: ['y'],
    values: new Map([['x', { shape: [1, 4096], elem: fx }], ['y', { shape: [1, 1024], elem: { kind: 'fixed', width: 24, frac: 4 } }]]),
    nodes: [{ op: 'tmatvec', inputs: ['x'], outputs: ['y'], attrs: { weights: 'V', tree: 't' }, origin: { file: 'bench.onnx', node: '/fc1/Gemm' } }],
    consts: new Map([['V', V], ['W', { kind: 'dense', shape: [1024, 1024], data: W }]]),
    trees: new Map([['t', bigTree(N)]]),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  const ms = [];
  let out;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    out = fn();
    ms.push(performance.now() - t);
  }
  return { ms: median(ms), out };
}

/** The same content as plain JSON (typed arrays as number arrays, payloads as base64). */
function asJson(m) {
  const t = m.trees.get('t');
  const arr = (x) => Array.from(x);
  const b64 = (x) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64');
  return {
    consts: [...m.consts].map(([k, c]) => ({ k, shape: c.shape, data: b64(c.data) })),
    tree: { lanes: t.lanes, op: arr(t.op), a: arr(t.a), b: arr(t.b), row: arr(t.row), outputs: arr(t.outputs), width: arr(t.types.width), lo: arr(t.types.lo), hi: arr(t.types.hi) },
    nodes: m.nodes,
  };
}

/** A generic chevrotain lexer for tree-body lines (what the fast path replaces). */
function treeTokenLexer() {
  const tokens = [
    createToken({ name: 'WS', pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED, line_breaks: true }),
    createToken({ name: 'Id', pattern: /%\d+/ }),
    createToken({ name: 'Num', pattern: /-?\d+/ }),
    createToken({ name: 'Word', pattern: /[a-z]\w*/ }),
    createToken({ name: 'Punct', pattern: /[=,:\[\]{}]/ }),
  ];
  return new Lexer(tokens, { positionTracking: 'full' });
}

const m = bigModule();
const nodes = m.trees.get('t').size;
const printed = time(() => printModule(m));
const text = printed.out;
const mb = Buffer.byteLength(text) / 2 ** 20;
const parsed = time(() => parseModule(text, 'bench.tir'));
if (!moduleEquals(parsed.out, m)) throw new Error('round trip failed');

const json = asJson(m);
const jsonOut = time(() => JSON.stringify(json));
const jsonIn = time(() => JSON.parse(jsonOut.out));
// lexing all N lines as tokens takes ~25x longer than parsing them: measure a prefix, compare per node
const LEX_NODES = Math.min(nodes, 50000);
const bodyStart = text.indexOf('tree @t');
const body = text.slice(bodyStart, text.indexOf(`\n  %${LEX_NODES} =`, bodyStart));
const lexer = treeTokenLexer();
const lexed = time(() => lexer.tokenize(body).tokens.length);
const lexPerNode = lexed.ms / LEX_NODES;

const rate = (ms) => `${(mb / (ms / 1000)).toFixed(1)} MB/s, ${(nodes / (ms / 1000) / 1e6).toFixed(2)} M nodes/s`;
console.log(`IR text, ${nodes} tree nodes + ternary[1024,4096] + dense f32[1024,1024]: ${mb.toFixed(1)} MB of text, median of ${RUNS} runs`);
console.log(`print:  ${printed.ms.toFixed(0)} ms (${rate(printed.ms)})`);
console.log(`parse:  ${parsed.ms.toFixed(0)} ms (${rate(parsed.ms)})`);
console.log(`baseline JSON.stringify of the same arrays: ${jsonOut.ms.toFixed(0)} ms -> print/stringify = ${(printed.ms / jsonOut.ms).toFixed(2)}`);
console.log(`baseline JSON.parse of the same arrays:     ${jsonIn.ms.toFixed(0)} ms -> parse/JSON.parse = ${(parsed.ms / jsonIn.ms).toFixed(2)}`);
console.log(`baseline chevrotain lexing of tree lines as tokens (first ${LEX_NODES} nodes, ${lexed.out} tokens): ${lexed.ms.toFixed(0)} ms = ${(1 / lexPerNode / 1000).toFixed(2)} M nodes/s`);
console.log(`  -> whole parse per node / token lexing alone per node = ${(parsed.ms / nodes / lexPerNode).toFixed(3)}`);
