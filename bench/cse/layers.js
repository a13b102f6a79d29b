// What the add-tree benchmarks (run.js, compare.js) share: the median of timings, seeded
// random ternary matrices, and full TSVD layers: a seeded Gaussian n x n matrix (N(0, 1)
// entries) decomposed by tsvdc's TSVD at tol 0.01, up to rank r, as a ternary-stage module
// x [?, n] -> tlinear (V: r x n, s, U: n x r). A Gaussian matrix has a flat spectrum: 1%
// needs rank about 5.8 n, so r = n and 2 n stop at the rank limit (the error is printed).
// Cached as IR text (and the decomposition's figures as JSON) in bench/out/cse/.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dense, parseModule, printModule, ternaryFromValues } from '../../ir/dist/index.js';
import { ModuleBuilder } from '../../ir/dist/testing/models.js';
import { decompose } from '../../compiler/dist/tsvd/decompose.js';

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/** A uniform [0, 1) generator (mulberry32). */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

/** A seeded n x n ternary matrix, 50% zeros, +1 and -1 equally likely. */
export function randomMatrix(n, seed) {
  const r = rng(seed);
  return ternaryFromValues([n, n], Array.from({ length: n * n }, () => { const u = r(); return u < 0.25 ? 1 : u < 0.5 ? -1 : 0; }));
}

function gaussian(n, seed) {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const data = new Float64Array(n * n);
  for (let i = 0; i < data.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u()));
    const t = 2 * Math.PI * u();
    data[i] = r * Math.cos(t);
    data[i + 1] = r * Math.sin(t);
  }
  return data;
}

/** The layer and its decomposition figures ({ rank, error, nnzU, nnzV, seconds }; seconds null when cached). */
export function gaussianLayer(n, rank, dir, seed = 7) {
  const base = join(dir, `gauss${n}.r${rank}.seed${seed}`);
  if (existsSync(`${base}.tir`) && existsSync(`${base}.json`)) {
    return { module: parseModule(readFileSync(`${base}.tir`, 'utf8')), ...JSON.parse(readFileSync(`${base}.json`, 'utf8')), seconds: null };
  }
  const t0 = performance.now();
  const res = decompose({ rows: n, cols: n, data: gaussian(n, seed) }, { tol: 0.01, maxRank: rank });
  const seconds = (performance.now() - t0) / 1000;
  const b = new ModuleBuilder(`gauss${n}`, 'ternary');
  const x = b.input([-1, n], undefined, 'x');
  const y = b.op('tlinear', [x], { U: b.constant('U', res.U), s: b.constant('s', dense([res.rank], res.s)), V: b.constant('V', res.V) });
  const module = b.output(y).build();
  const figures = { rank: res.rank, error: res.error, nnzU: res.nnzU, nnzV: res.nnzV };
  writeFileSync(`${base}.tir`, printModule(module));
  writeFileSync(`${base}.json`, `${JSON.stringify(figures)}\n`);
  return { module, ...figures, seconds };
}
