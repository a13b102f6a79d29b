#!/usr/bin/env node
// The training-transition experiment on Fashion-MNIST (see compiler/src/train/qat-experiment.ts).
// Run from the repository root after `npm run build`:
//   node bench/qat/run.js [--quick] [--epochs N] [--ft-epochs N] [--tols 0.07,0.2] [--every 1,10] [--prune-rate R] [--limit N] [--hidden 256,128] [--out DIR]
// Writes DIR/results.json, DIR/table.md, DIR/accuracy.svg (DIR defaults to bench/qat/out).
//   node bench/qat/run.js --render DIR   re-renders DIR/table.md and DIR/accuracy.svg from DIR/results.json
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../../compiler/dist/io/atomic.js';
import { DEFAULT_QAT_CONFIG, runQatExperiment } from '../../compiler/dist/train/qat-experiment.js';
import { qatChartSvg, qatTableMarkdown } from '../../compiler/dist/train/qat-report.js';
import { consoleProgress } from '../../compiler/dist/train/progress.js';
import { cpus } from 'node:os';
import { execSync } from 'node:child_process';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    epochs: { type: 'string' },
    'ft-epochs': { type: 'string' },
    every: { type: 'string' },
    tols: { type: 'string' },
    'prune-rate': { type: 'string' },
    limit: { type: 'string' },
    hidden: { type: 'string' },
    out: { type: 'string', default: 'bench/qat/out' },
    render: { type: 'string' },
  },
});
if (values.render) {
  const report = JSON.parse(readFileSync(join(values.render, 'results.json'), 'utf8'));
  writeFileAtomic(join(values.render, 'table.md'), qatTableMarkdown(report));
  writeFileAtomic(join(values.render, 'accuracy.svg'), qatChartSvg(report));
  process.stdout.write(qatTableMarkdown(report));
  process.exit(0);
}
const num = (v, d) => (v === undefined ? d : Number(v));
const list = (v, d) => (v === undefined ? d : v.split(',').map(Number));
const quick = values.quick;
const cfg = {
  ...DEFAULT_QAT_CONFIG,
  ...(values.hidden ? { sizes: [784, ...values.hidden.split(',').map(Number), 10] } : {}),
  epochs: num(values.epochs, quick ? 1 : DEFAULT_QAT_CONFIG.epochs),
  fineTuneEpochs: num(values['ft-epochs'], quick ? 1 : DEFAULT_QAT_CONFIG.fineTuneEpochs),
  retransitionEvery: list(values.every, quick ? [10] : DEFAULT_QAT_CONFIG.retransitionEvery),
  tols: list(values.tols, quick ? [0.07] : DEFAULT_QAT_CONFIG.tols),
  pruneRate: num(values['prune-rate'], DEFAULT_QAT_CONFIG.pruneRate),
  ...(values.limit || quick ? { trainLimit: num(values.limit, 6000) } : {}),
};

await tf.setBackend('cpu');
const t0 = performance.now();
const report = runQatExperiment(cfg, consoleProgress());
const seconds = (performance.now() - t0) / 1000;
const git = (cmd) => {
  try {
    return execSync(`git ${cmd}`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};
// which code produced the figures: the commit, and whether the TSVD sources differed from it
const code = { commit: git('rev-parse --short HEAD'), tsvdSourcesModified: git('status --porcelain compiler/src/tsvd compiler/src/linalg') !== '' };
const machine = `${cpus()[0]?.model ?? 'cpu'} x${cpus().length}, node ${process.version}, tfjs ${tf.version.tfjs} (${tf.getBackend()} backend)`;
mkdirSync(values.out, { recursive: true });
writeFileAtomic(join(values.out, 'results.json'), JSON.stringify({ date: new Date().toISOString(), machine, code, seconds, ...report }, null, 2) + '\n');
writeFileAtomic(join(values.out, 'table.md'), qatTableMarkdown(report));
writeFileAtomic(join(values.out, 'accuracy.svg'), qatChartSvg(report));
process.stdout.write(`\n${qatTableMarkdown(report)}\n${machine}; ${seconds.toFixed(0)} s in all\n`);
process.stdout.write(`wrote ${values.out}/results.json, table.md, accuracy.svg\n`);
