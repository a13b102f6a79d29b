#!/usr/bin/env node
// add-tree-cse before/after: times cseTree of this checkout's build and of another build
// (--before: a compiler/dist built from the baseline commit, e.g. in a second worktree) on
// the same trees in the same process, alternating which runs first; medians of --runs, the
// ratio, and whether the two produce the identical tree (else the adder counts of each).
// Trees: random n x n ternary matrices (--sizes, as run.js builds them), the stages of the
// compressed Fashion-MNIST fixtures (--models, made by run.js in bench/out/cse/) and both
// factors of the full TSVD layers of run.js (--ranks; layers.js, cached there too).
// With --pipeline, the full layers (--ranks) instead go through each build's whole pipeline
// (int mode, 256 random calibration inputs, as run.js): per pass medians, and whether the
// final modules' trees are identical.
// Run from the repository root after `npm run build` (and run.js once, for the models):
//   node bench/cse/compare.js --before ../base/compiler/dist [--runs 5] [--sizes 1024] [--models fashion_mlp] [--ranks 1024,2048] [--pipeline]
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { countAdders } from '../../ir/dist/index.js';
import { buildNaive } from '../../compiler/dist/passes/addtree/naive.js';
import { rowsFromTernary } from '../../compiler/dist/passes/addtree/linear-forms.js';
import { lowerTernaryToAddTrees } from '../../compiler/dist/passes/lower-ternary-to-add-trees.js';
import { importOnnx } from '../../compiler/dist/onnx/import/index.js';
import { readModelFile } from '../../compiler/dist/onnx/read.js';
import { calibrationBatches } from '../../compiler/dist/passes/quant/calibration-data.js';
import { gaussianLayer, median, randomMatrix } from './layers.js';

const { values } = parseArgs({ options: {
  before: { type: 'string' }, runs: { type: 'string', default: '5' }, sizes: { type: 'string', default: '1024' },
  models: { type: 'string', default: '' }, tol: { type: 'string', default: '0.01' }, ranks: { type: 'string', default: '1024,2048' },
  pipeline: { type: 'boolean', default: false },
} });
if (!values.before) throw new Error('--before DIR (a compiler/dist of the baseline) is required');
const RUNS = Number(values.runs);
const OUT = 'bench/out/cse';
mkdirSync(OUT, { recursive: true });
const load = async (dir) => (await import(pathToFileURL(resolve(dir, 'passes/add-tree-cse.js')).href)).cseTree;
const cse = { before: await load(values.before), after: await load('compiler/dist') };
const loadPipeline = async (dir) => (await import(pathToFileURL(resolve(dir, 'pipeline.js')).href)).runPipeline;
const pipeline = values.pipeline ? { before: await loadPipeline(values.before), after: await loadPipeline('compiler/dist') } : null;
const identical = (a, b) => ['op', 'a', 'b', 'outputs'].every((f) => a[f].length === b[f].length && a[f].every((x, i) => x === b[f][i]));

function compare(label, tree) {
  const times = { before: [], after: [] };
  const out = {};
  for (let k = 0; k < RUNS; k++) {
    for (const v of k % 2 ? ['after', 'before'] : ['before', 'after']) {
      const t0 = performance.now();
      out[v] = cse[v](tree);
      times[v].push(performance.now() - t0);
    }
  }
  const [b, a] = [median(times.before), median(times.after)];
  const same = identical(out.before, out.after) ? 'identical' : `${countAdders(out.before)} -> ${countAdders(out.after)}`;
  console.log(`| ${label} | ${tree.outputs.length} x ${tree.lanes} | ${countAdders(tree)} | ${same} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${(b / a).toFixed(2)}x |`);
}

console.log(`# add-tree-cse before (${values.before}) / after (this checkout), medians of ${RUNS}\n`);
console.log('| tree | rows x lanes | lowered + | result | before ms | after ms | speed-up |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const n of values.sizes ? values.sizes.split(',').map(Number) : []) compare(`random ${n}x${n}`, buildNaive(rowsFromTernary(randomMatrix(n, n)), 'balanced'));
for (const name of values.models ? values.models.split(',') : []) {
  const m = lowerTernaryToAddTrees(importOnnx(readModelFile(`${OUT}/${name}.tol${values.tol}.onnx`)), { tree: 'balanced' });
  for (const t of m.trees.values()) compare(`${name} ${t.origin?.node} ${t.origin?.part}`, t);
}
for (const r of values.ranks && !pipeline ? values.ranks.split(',').map(Number) : []) {
  const m = lowerTernaryToAddTrees(gaussianLayer(1024, r, OUT).module, { tree: 'balanced' });
  for (const [name, t] of m.trees) compare(`gauss1024 r${r} ${t.origin?.part ?? name}`, t);
}

/** Both builds' whole pipelines on one module, alternating: per pass median ms, before / after. */
function comparePipeline(label, m, first) {
  const calibration = calibrationBatches(m, { count: 256 }).data;
  const times = { before: {}, after: {} };
  const out = {};
  for (let k = 0; k < RUNS; k++) {
    for (const v of k % 2 ? ['after', 'before'] : ['before', 'after']) {
      const { module, runs } = pipeline[v](m, { mode: 'int', calibration });
      out[v] = module;
      for (const run of runs) (times[v][run.pass] ??= []).push(run.ms);
      (times[v]['all passes'] ??= []).push(runs.reduce((t, run) => t + run.ms, 0));
    }
  }
  const passes = Object.keys(times.after);
  if (first) {
    console.log(`\nwhole pipeline (int mode, 256 random calibration inputs), ms before / after, medians of ${RUNS}\n`);
    console.log(`| layer | ${passes.join(' | ')} | result |`);
    console.log(`| --- | ${passes.map(() => '---').join(' | ')} | --- |`);
  }
  const same = [...out.before.trees].every(([name, t]) => identical(t, out.after.trees.get(name))) ? 'identical' : 'different';
  console.log(`| ${label} | ${passes.map((p) => `${median(times.before[p]).toFixed(0)} / ${median(times.after[p]).toFixed(0)}`).join(' | ')} | ${same} |`);
}

if (pipeline) {
  values.ranks.split(',').map(Number).forEach((r, i) => {
    const layer = gaussianLayer(1024, r, OUT);
    comparePipeline(`gauss1024 rank ${layer.rank}`, layer.module, i === 0);
  });
}
