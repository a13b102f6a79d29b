#!/usr/bin/env node
/**
 * bench/workers: would the four forms of one conv layer gain from running side by
 * side on worker threads? (compress already spreads LAYERS over its pool; a model
 * with one large conv keeps one worker busy.) Each form is decomposeConv with
 * `forms: [f]` on a worker; the forms go through a pool of 1 worker (one after
 * another: the baseline, same work and same worker start-up) and of N workers,
 * alternating in the same run; medians. The calling thread (all four forms in one
 * decomposeConv call, no worker) is shown for the worker overhead.
 *
 *   npm run bench -- workers [--runs 5] [--pools 1,2]
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decomposeConv } from '../../compiler/dist/tsvd/conv.js';
import { Rng } from '../../compiler/dist/linalg/random.js';

const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 3);
const pools = (args.includes('--pools') ? args[args.indexOf('--pools') + 1] : '1,2').split(',').map(Number);
const OPTIONS = { tol: 0.01, cosThresh: 0.8386 };
const CONV = new URL('../../compiler/dist/tsvd/conv.js', import.meta.url).href;

const LAYERS = [
  { name: 'conv 32x16x3x3, 14x14 input (Fashion CNN /4/Conv shape)', shape: [32, 16, 3, 3], spec: { pads: [1, 1, 1, 1], inputSize: [14, 14] } },
  { name: 'conv 64x64x3x3, 16x16 input', shape: [64, 64, 3, 3], spec: { pads: [1, 1, 1, 1], inputSize: [16, 16] } },
  { name: 'conv 128x64x3x3 stride 2, 16x16 input', shape: [128, 64, 3, 3], spec: { strides: [2, 2], pads: [1, 1, 1, 1], inputSize: [16, 16] } },
];

const WORKER = `
import { parentPort } from 'node:worker_threads';
const { decomposeConv } = await import(${JSON.stringify(CONV)});
parentPort.on('message', ({ weight, spec, options, form }) => {
  const r = decomposeConv(weight, spec, { ...options, forms: [form] });
  parentPort.postMessage(r.stats.cost);
});`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Wall seconds for the four forms on `n` workers (started inside the timing, as compress starts its pool). */
async function onWorkers(weight, spec, n) {
  const t0 = performance.now();
  const queue = [0, 1, 2, 3];
  const costs = [];
  await Promise.all(Array.from({ length: n }, async () => {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER)}`));
    for (let form; (form = queue.shift()) !== undefined;) {
      costs[form] = await new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.postMessage({ weight, spec, options: OPTIONS, form });
      });
    }
    await w.terminate();
  }));
  return { seconds: (performance.now() - t0) / 1000, best: costs.indexOf(Math.min(...costs)) };
}

const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'} (availableParallelism ${availableParallelism()}), node ${process.version}`;
console.log(`bench/workers  tol ${OPTIONS.tol}  ${machine}  load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}  runs ${runs}`);
for (const l of LAYERS) {
  const weight = { shape: l.shape, data: new Rng(2026).fillGaussian(new Float64Array(l.shape.reduce((a, b) => a * b, 1))) };
  const t = new Map([0, ...pools].map((p) => [p, []]));
  let form;
  for (let i = 0; i < runs; i++) {
    for (const n of pools) {
      const r = await onWorkers(weight, l.spec, n);
      t.get(n).push(r.seconds);
      form = r.best;
    }
    const t0 = performance.now();
    const direct = decomposeConv(weight, l.spec, OPTIONS);
    t.get(0).push((performance.now() - t0) / 1000);
    if (direct.form !== form) throw new Error(`the workers chose form ${form}, the calling thread ${direct.form}`);
  }
  const m = (p) => median(t.get(p));
  const base = pools[0];
  console.log(`${l.name}: cheapest form ${form}`);
  console.log(`  calling thread ${m(0).toFixed(2)} s   ${pools.map((p) => `${p} worker(s) ${m(p).toFixed(2)} s${p === base ? ' (baseline)' : `  x${(m(base) / m(p)).toFixed(2)}`}`).join('   ')}`);
  console.log(`  runs: ${pools.map((p) => `${p}: ${t.get(p).map((x) => x.toFixed(2)).join(' ')}`).join('; ')}`);
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
