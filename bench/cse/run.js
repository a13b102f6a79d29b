#!/usr/bin/env node
// Add-tree passes benchmark: additions after sharing / ternary non-zeros, and pass times.
//
// 1. Random ternary matrices n x n, 50% zeros (+1 and -1 equally likely), n = 64, 256, 1024:
//    additions with no sharing (each row summed alone: nnz - rows, plus one negation per row
//    with no +1), additions of the naive tree as lowered (row sums; the builder's interning
//    already merges identical sub-sums), after add-tree-cse, and after add-tree-balance
//    (slack 1 and 0), all measured in this run; the reduction vs no sharing next to the
//    published greedy pairwise figures (50% / 59% / 66%). Times: medians of --runs runs.
// 2. Real layers: the Fashion-MNIST MLP and CNN (fixtures/), compressed at --tol (cached in
//    bench/out/cse/), through the whole pipeline (int mode, 256 training images for
//    calibration); per tree the same ratios, and per pass the median time.
// 3. Full TSVD layers: a Gaussian 1024 x 1024 matrix decomposed by tsvdc at tol 0.01 up to
//    rank r in --ranks (layers.js; both factors, V: r x 1024 and U: 1024 x r), through the
//    whole pipeline (int mode, 256 random calibration inputs); the same table, pass times,
//    and the additions per multiply-add of the dense layer it replaces.
// Run from the repository root after `npm run build`:
//   node bench/cse/run.js [--runs 3] [--sizes 64,256,1024] [--tol 0.01] [--ranks 1024,2048]
import { cpus } from 'node:os';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countAdders, treeDepths } from '../../ir/dist/index.js';
import { buildNaive } from '../../compiler/dist/passes/addtree/naive.js';
import { formTerms, naiveAdders, rowsFromTernary } from '../../compiler/dist/passes/addtree/linear-forms.js';
import { cseTree } from '../../compiler/dist/passes/add-tree-cse.js';
import { balanceTree } from '../../compiler/dist/passes/add-tree-balance.js';
import { typeTree } from '../../compiler/dist/passes/widths/tree-types.js';
import { runPipeline } from '../../compiler/dist/pipeline.js';
import { treeReport } from '../../compiler/dist/passes/report/tree-report.js';
import { calibrationBatches } from '../../compiler/dist/passes/quant/calibration-data.js';
import { compressModel } from '../../compiler/dist/compress/index.js';
import { importOnnx } from '../../compiler/dist/onnx/import/index.js';
import { readModelFile } from '../../compiler/dist/onnx/read.js';
import { writeModelFile } from '../../compiler/dist/onnx/write.js';
import { gaussianLayer, median, randomMatrix } from './layers.js';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '3' }, sizes: { type: 'string', default: '64,256,1024' }, tol: { type: 'string', default: '0.01' },
  ranks: { type: 'string', default: '1024,2048' },
} });
const RUNS = Number(values.runs);
const SIZES = values.sizes.split(',').map(Number);
const TOL = Number(values.tol);
const PUBLISHED = { 64: 0.50, 256: 0.59, 1024: 0.66 };
const OUT = 'bench/out/cse';
mkdirSync(OUT, { recursive: true });

const ms = (f) => { const t0 = performance.now(); const r = f(); return [r, performance.now() - t0]; };
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const depth = (t) => { const d = treeDepths(t); let m = 0; for (const o of t.outputs) if (o >= 0 && d[o] > m) m = d[o]; return m; };

const bars = []; // [label, no sharing / nnz, lowered / nnz, CSE / nnz]

/** A grouped bar chart of additions per ternary non-zero (SVG, no dependencies). */
function svg(rows) {
  const W = 70 + rows.length * 90, H = 260, base = 220, scale = 180;
  const colors = ['#999', '#6a9fd8', '#d8703a'];
  const names = ['no sharing', 'lowered (interning only)', 'add-tree-cse'];
  let out = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 40}" font-family="sans-serif" font-size="11">`;
  out += `<text x="10" y="14">additions / ternary non-zeros (lower is better)</text>`;
  for (let k = 0; k <= 4; k++) out += `<line x1="40" x2="${W - 10}" y1="${base - k * scale / 4}" y2="${base - k * scale / 4}" stroke="#ddd"/><text x="8" y="${base - k * scale / 4 + 4}">${(k / 4).toFixed(2)}</text>`;
  rows.forEach(([label, ...v], i) => {
    v.forEach((r, j) => { out += `<rect x="${50 + i * 90 + j * 22}" y="${base - r * scale}" width="20" height="${r * scale}" fill="${colors[j]}"><title>${names[j]}: ${r.toFixed(3)}</title></rect>`; });
    out += `<text x="${50 + i * 90}" y="${base + 14}">${label}</text>`;
  });
  names.forEach((nm, j) => { out += `<rect x="${50 + j * 150}" y="${H + 10}" width="10" height="10" fill="${colors[j]}"/><text x="${64 + j * 150}" y="${H + 19}">${nm}</text>`; });
  return `${out}</svg>\n`;
}

console.log(`# add-tree passes, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} x ${cpus()[0].model}, node ${process.version}, runs ${RUNS}\n`);
console.log('## Random ternary matrices (50% zeros)\n');
console.log('| n | nnz | no sharing + (/nnz) | lowered + (/nnz) | after CSE + (/nnz) | reduction vs no sharing | published | balanced s=1: + / depth | balanced s=0: + / depth | lower ms | cse ms | balance ms | bit-widths ms |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const n of SIZES) {
  const w = randomMatrix(n, n);
  const forms = rowsFromTernary(w);
  const nnz = formTerms(forms);
  const none = naiveAdders(forms);
  const t = { lower: [], cse: [], balance: [], widths: [] };
  let naive, shared, bal1;
  for (let k = 0; k < RUNS; k++) {
    let dt;
    [naive, dt] = ms(() => buildNaive(rowsFromTernary(w), 'balanced')); t.lower.push(dt);
    [shared, dt] = ms(() => cseTree(naive)); t.cse.push(dt);
    [bal1, dt] = ms(() => balanceTree(shared, 1)); t.balance.push(dt);
    const lanes = { lo: new Float64Array(n).fill(-128), hi: new Float64Array(n).fill(127) };
    [, dt] = ms(() => typeTree(bal1, lanes, 0)); t.widths.push(dt);
  }
  const bal0 = balanceTree(shared, 0);
  const [l, c] = [countAdders(naive), countAdders(shared)];
  bars.push([`${n}x${n}`, none / nnz, l / nnz, c / nnz]);
  console.log(`| ${n} | ${nnz} | ${none} (${(none / nnz).toFixed(3)}) | ${l} (${(l / nnz).toFixed(3)}) | ${c} (${(c / nnz).toFixed(3)}) | ${pct(1 - c / none)} | ${PUBLISHED[n] ? pct(PUBLISHED[n]) : '-'} | ${countAdders(bal1)} / ${depth(bal1)} | ${countAdders(bal0)} / ${depth(bal0)} | ${median(t.lower).toFixed(0)} | ${median(t.cse).toFixed(0)} | ${median(t.balance).toFixed(0)} | ${median(t.widths).toFixed(0)} |`);
}

async function compressed(name) {
  const path = join(OUT, `${name}.tol${TOL}.onnx`);
  if (!existsSync(path)) {
    const res = await compressModel(readModelFile(`fixtures/fashion/${name}.onnx`), { tol: TOL, cosThresh: 0.8386 });
    writeModelFile(path, res.proto);
  }
  return path;
}

/** Runs the whole pipeline --runs times; prints the per-tree table; returns [pass times, summed adders]. */
function pipelineTable(m, calibration) {
  const times = {};
  let runs;
  for (let k = 0; k < RUNS; k++) {
    ({ runs } = runPipeline(m, { mode: 'int', calibration }));
    for (const r of runs) (times[r.pass] ??= []).push(r.ms);
  }
  const rows = treeReport(runs.map((r) => [r.pass, r.module]));
  console.log('| layer | part | rows x lanes | nnz | no sharing + (/nnz) | lowered + (/nnz) | after CSE + (/nnz) | reduction vs no sharing | balanced + | depth lowered -> balanced | max width |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const sum = { nnz: 0, none: 0, low: 0, cse: 0, bal: 0 };
  for (const r of rows) {
    const [low, cse, bal] = [r.adds['lower-ternary-to-add-trees'], r.adds['add-tree-cse'], r.adds['add-tree-balance']];
    sum.nnz += r.nnz; sum.none += r.unshared; sum.low += low; sum.cse += cse; sum.bal += bal;
    console.log(`| ${r.layer} | ${r.part} | ${r.rows} x ${r.lanes} | ${r.nnz} | ${r.unshared} (${(r.unshared / r.nnz).toFixed(3)}) | ${low} (${(low / r.nnz).toFixed(3)}) | ${cse} (${(cse / r.nnz).toFixed(3)}) | ${pct(1 - cse / r.unshared)} | ${bal} | ${r.depth['lower-ternary-to-add-trees']} -> ${r.depth['add-tree-balance']} | ${r.maxWidth ?? '-'} |`);
  }
  console.log(`| total | | | ${sum.nnz} | ${sum.none} (${(sum.none / sum.nnz).toFixed(3)}) | ${sum.low} (${(sum.low / sum.nnz).toFixed(3)}) | ${sum.cse} (${(sum.cse / sum.nnz).toFixed(3)}) | ${pct(1 - sum.cse / sum.none)} | ${sum.bal} | | |\n`);
  return [times, sum];
}

console.log(`\n## Real layers: Fashion-MNIST fixtures compressed at tol ${TOL}, whole pipeline (int mode)\n`);
const passTimes = [];
for (const name of ['fashion_mlp', 'fashion_cnn']) {
  const m = importOnnx(readModelFile(await compressed(name)));
  const calibration = calibrationBatches(m, { count: 256, path: '/usr/share/datasets/fashion-mnist', norm: [0.5, 0.5] }).data;
  console.log(`### ${name}\n`);
  const [times, sum] = pipelineTable(m, calibration);
  passTimes.push([name, times]);
  bars.push([name.replace('fashion_', ''), sum.none / sum.nnz, sum.low / sum.nnz, sum.cse / sum.nnz]);
}

const RANKS = values.ranks ? values.ranks.split(',').map(Number) : [];
if (RANKS.length) console.log('## Full TSVD layers: Gaussian 1024 x 1024 (seed 7), tol 0.01 up to rank r, whole pipeline (int mode)\n');
for (const r of RANKS) {
  const layer = gaussianLayer(1024, r, OUT);
  const calibration = calibrationBatches(layer.module, { count: 256 }).data;
  console.log(`### rank ${layer.rank}: operator-norm error ${layer.error.toFixed(3)}, nnz V ${layer.nnzV}, U ${layer.nnzU}${layer.seconds === null ? ' (cached)' : `, decomposed in ${layer.seconds.toFixed(1)} s`}\n`);
  const [times, sum] = pipelineTable(layer.module, calibration);
  console.log(`additions after CSE per multiply-add of the dense 1024 x 1024 layer: ${(sum.cse / 2 ** 20).toFixed(3)} (${sum.cse} / ${2 ** 20})\n`);
  passTimes.push([`gauss1024 r${layer.rank}`, times]);
}

console.log('### Pass times (ms, medians)\n');
const passes = Object.keys(passTimes[0][1]);
console.log(`| model | ${passes.join(' | ')} | all passes |`);
console.log(`| --- | ${passes.map(() => '---').join(' | ')} | --- |`);
for (const [name, times] of passTimes) {
  const all = times[passes[0]].map((_, k) => passes.reduce((t, p) => t + times[p][k], 0));
  console.log(`| ${name} | ${passes.map((p) => median(times[p]).toFixed(0)).join(' | ')} | ${median(all).toFixed(0)} |`);
}
writeFileSync('bench/cse/ratios.svg', svg(bars));
console.log('\nplot: bench/cse/ratios.svg');
