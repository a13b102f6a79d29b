#!/usr/bin/env node
// Measured agreement of compressed models with the originals, onnxruntime-node as the float
// reference. For every fixture (Fashion-MNIST MLP and CNN from fixtures/, the wake-word
// classifiers shipped in openwakeword-js) and every tolerance: compress (tsvdc compress,
// worker threads), check that onnxruntime runs the result and that its re-import verifies at
// the ternary stage, then compare outputs on the same inputs (max abs and relative error,
// cosine similarity, top-1 agreement) and, for Fashion-MNIST, test-set accuracy (10 000
// images). Also the paper's counts (x, +, ternary params) and onnxruntime latency of the
// compressed model relative to the original, measured in the same run (medians).
// Run from the repository root after `npm run build`:
//   node bench/models/run.js [--tols 0.01,0.02,0.05,0.1] [--jobs 2] [--samples 10000] [--runs 9] [--wake 256]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { basename, join } from 'node:path';
import { verify } from '../../ir/dist/index.js';
import { compressModel } from '../../compiler/dist/compress/index.js';
import { importOnnx } from '../../compiler/dist/onnx/import/index.js';
import { readModel, readModelFile } from '../../compiler/dist/onnx/read.js';
import { writeModel } from '../../compiler/dist/onnx/write.js';
import { FASHION_CNN, FASHION_MLP, fashionTestSet, wakeWordModels } from '../../compiler/dist/onnx/testing/fixtures.js';
import { accuracy, compareOutputs } from '../../compiler/dist/report/agreement.js';
import { loadOrt } from '../../compiler/dist/report/ort.js';
import { reportModel } from '../../compiler/dist/report/index.js';
import { formatCount } from '../../compiler/dist/report/table.js';
import { lineChartSvg } from '../../compiler/dist/train/plot.js';

const { values } = parseArgs({
  options: {
    tols: { type: 'string', default: '0.01,0.02,0.05,0.1' }, jobs: { type: 'string', default: '2' },
    samples: { type: 'string', default: '10000' }, runs: { type: 'string', default: '9' }, wake: { type: 'string', default: '256' },
  },
});
const TOLS = values.tols.split(',').map(Number);
const JOBS = Number(values.jobs);
const RUNS = Number(values.runs);
const OUT = 'bench/out/models';
mkdirSync(OUT, { recursive: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs a model over every sample, `batch` at a time; returns the concatenated first output. */
async function runAll(session, inputName, samples, dims, batch) {
  const per = dims.reduce((p, d) => p * d, 1);
  const chunks = [];
  for (let i = 0; i < samples.count; i += batch) {
    const n = Math.min(batch, samples.count - i);
    const data = samples.data.subarray(i * per, (i + n) * per);
    const out = await session.run({ [inputName]: { dims: [n, ...dims], data } });
    chunks.push(out[session.outputNames[0]].data);
  }
  const total = chunks.reduce((p, c) => p + c.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return all;
}

/** Median seconds of one pass over `n` samples, for each session; runs alternate so load hits both alike. */
async function latencies(sessions, inputName, samples, dims, batch, n) {
  const sub = { count: Math.min(n, samples.count), data: samples.data };
  const times = sessions.map(() => []);
  for (let r = 0; r < RUNS; r++) {
    for (let k = 0; k < sessions.length; k++) {
      const t0 = performance.now();
      await runAll(sessions[k], inputName, sub, dims, batch);
      times[k].push((performance.now() - t0) / 1000);
    }
  }
  return times.map(median);
}

function randomFrames(count, dims, seed) {
  let a = seed >>> 0;
  const next = () => { a = (a + 0x6d2b79f5) >>> 0; let t = Math.imul(a ^ (a >>> 15), a | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1; };
  const per = dims.reduce((p, d) => p * d, 1);
  return { count, data: Float32Array.from({ length: count * per }, next) };
}

const fashion = fashionTestSet(Number(values.samples));
const FIXTURES = [
  { name: 'fashion_mlp', path: FASHION_MLP, input: 'image', dims: [1, 28, 28], samples: { count: fashion.count, data: fashion.images }, labels: fashion.labels, batch: 1000, classes: 10 },
  { name: 'fashion_cnn', path: FASHION_CNN, input: 'image', dims: [1, 28, 28], samples: { count: fashion.count, data: fashion.images }, labels: fashion.labels, batch: 1000, classes: 10 },
  ...wakeWordModels().map((p, i) => {
    const frames = basename(p) === 'hello_deepa.onnx' ? 25 : 24;
    return { name: basename(p, '.onnx'), path: p, input: 'onnx::Flatten_0', dims: [frames, 96], samples: randomFrames(Number(values.wake), [frames, 96], 100 + i), batch: 1, classes: 1 };
  }),
];

const rows = [];
for (const fx of FIXTURES) {
  const model = readModelFile(fx.path);
  const orig = await loadOrt(fx.path);
  const yOrig = await runAll(orig, fx.input, fx.samples, fx.dims, fx.batch);
  const base = reportModel(model);
  const row0 = { model: fx.name, tol: null, accuracy: fx.labels ? accuracy(yOrig, fx.labels, fx.classes) : null, muls: base.totals.muls, adds: base.totals.adds, ternaryParams: 0, params: base.totals.params, bytes: writeModel(model.proto).length };
  rows.push(row0);
  console.error(`${fx.name}: original${row0.accuracy !== null ? ` accuracy ${(100 * row0.accuracy).toFixed(2)}%` : ''}`);
  for (const tol of TOLS) {
    const t0 = performance.now();
    const res = await compressModel(model, { tol, cosThresh: 0.8386, jobs: JOBS });
    const seconds = (performance.now() - t0) / 1000;
    const bytes = writeModel(res.proto);
    writeFileSync(join(OUT, `${fx.name}.tol${tol}.onnx`), bytes);
    const reread = readModel(bytes, { file: `${fx.name}.tsvd.onnx` });
    const diagnostics = verify(importOnnx(reread), 'ternary');
    if (diagnostics.length > 0) throw new Error(`${fx.name} tol ${tol}: the re-import does not verify: ${diagnostics[0].message}`);
    const comp = await loadOrt(bytes);
    const yComp = await runAll(comp, fx.input, fx.samples, fx.dims, fx.batch);
    const agree = compareOutputs(yOrig, yComp, fx.classes);
    const rep = reportModel(reread);
    const n = fx.batch === 1 ? 64 : 1000;
    const [tOrig, tComp] = await latencies([orig, comp], fx.input, fx.samples, fx.dims, Math.min(fx.batch, 100), n);
    const row = {
      model: fx.name, tol, layers: res.layers.length, compressSeconds: seconds, verified: true,
      accuracy: fx.labels ? accuracy(yComp, fx.labels, fx.classes) : null,
      maxAbs: agree.maxAbs, relErr: agree.relErr, cosine: agree.cosine, top1: agree.top1, samples: agree.rows,
      muls: rep.totals.muls, adds: rep.totals.adds, ternaryParams: rep.totals.ternaryParams, params: rep.totals.params, bytes: bytes.length,
      ortLatencyRatio: tComp / tOrig, maxLayerError: Math.max(...res.layers.map((l) => l.error)),
    };
    rows.push(row);
    console.error(`${fx.name} tol ${tol}: ${res.layers.length} layers in ${seconds.toFixed(1)} s${row.accuracy !== null ? `, accuracy ${(100 * row.accuracy).toFixed(2)}%` : ''}, top-1 agreement ${(100 * agree.top1).toFixed(2)}%, cosine ${agree.cosine.toFixed(6)}`);
  }
}
writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);

const pct = (x) => (x === null || x === undefined ? '' : `${(100 * x).toFixed(2)}%`);
const lines = [
  '| model | tol | test accuracy | acc. change (points) | top-1 agreement | cosine | rel. error | max abs | x | + | ternary params | file | compress s | onnxruntime time / original |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
let origAcc = null;
for (const r of rows) {
  if (r.tol === null) {
    origAcc = r.accuracy;
    lines.push(`| ${r.model} | original | ${pct(r.accuracy)} |  |  |  |  |  | ${formatCount(r.muls)} | ${formatCount(r.adds)} | 0 | ${formatCount(r.bytes)}B |  |  |`);
    continue;
  }
  const delta = r.accuracy !== null && origAcc !== null ? (100 * (r.accuracy - origAcc)).toFixed(2) : '';
  lines.push(`| ${r.model} | ${r.tol} | ${pct(r.accuracy)} | ${delta} | ${pct(r.top1)} | ${r.cosine.toFixed(6)} | ${r.relErr.toExponential(2)} | ${r.maxAbs.toExponential(2)} | ${formatCount(r.muls)} | ${formatCount(r.adds)} | ${formatCount(r.ternaryParams)} | ${formatCount(r.bytes)}B | ${r.compressSeconds.toFixed(1)} | ${r.ortLatencyRatio.toFixed(2)} |`);
}
console.log(lines.join('\n'));
for (const m of ['fashion_mlp', 'fashion_cnn']) {
  const o = rows.find((r) => r.model === m && r.tol === null);
  const c = rows.find((r) => r.model === m && r.tol === 0.01);
  if (o && c) console.log(`${m}: tol 0.01 changes test accuracy by ${(100 * (c.accuracy - o.accuracy)).toFixed(2)} points (${Math.abs(c.accuracy - o.accuracy) <= 0.003 ? 'within' : 'NOT within'} 0.3)`);
}

const fashionRows = rows.filter((r) => r.accuracy !== null && r.tol !== null);
if (fashionRows.length > 0 && TOLS.length > 1) {
  const series = ['fashion_mlp', 'fashion_cnn'].map((m) => ({ name: m, points: fashionRows.filter((r) => r.model === m).map((r) => [r.tol, 100 * r.accuracy]) }));
  const refs = rows.filter((r) => r.tol === null && r.accuracy !== null).map((r) => ({ name: `${r.model} original`, dashed: true, points: [[Math.min(...TOLS), 100 * r.accuracy], [Math.max(...TOLS), 100 * r.accuracy]] }));
  writeFileSync('bench/models/accuracy.svg', lineChartSvg({ title: 'Fashion-MNIST test accuracy after tsvdc compress', xLabel: 'tolerance (relative operator-norm error per layer)', yLabel: 'accuracy (%)', series: [...series, ...refs] }));
}
