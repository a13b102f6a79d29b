#!/usr/bin/env node
// Quantized vs float accuracy of the compile pipeline on the Fashion-MNIST fixtures, with
// the computed error bound next to the measured error. The float baseline is measured in
// the same run: the float64 interpreter on the same add-tree module that quantize reads.
// Models: bench/out/cse/<model>.tol<tol>.onnx (made by bench/cse/run.js). Calibration: the
// first 256 training images; evaluation: the first --images test images.
// Run from the repository root after `npm run build` and bench/cse/run.js:
//   node bench/cse/accuracy.js [--images 2000] [--tol 0.01]
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { interpret } from '../../ir/dist/index.js';
import { runPipeline } from '../../compiler/dist/pipeline.js';
import { calibrationBatches } from '../../compiler/dist/passes/quant/calibration-data.js';
import { importOnnx } from '../../compiler/dist/onnx/import/index.js';
import { readModelFile } from '../../compiler/dist/onnx/read.js';
import { loadImageSet } from '../../compiler/dist/train/fashion-mnist.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '2000' }, tol: { type: 'string', default: '0.01' } } });
const N = Number(values.images);
const test = loadImageSet('/usr/share/datasets/fashion-mnist', 't10k');
const CONFIGS = [
  { label: 'int8, mid int8', opts: { midBits: 8 } },
  { label: 'int8, mid int10', opts: { midBits: 10 } },
  { label: 'int8, mid int12', opts: { midBits: 12 } },
  { label: 'int8, mid int16', opts: { midBits: 16 } },
  { label: 'int8, mid int12, CSD 3 digits', opts: { midBits: 12, csdDigits: 3 } },
];

function argmax(y, s, c) {
  let b = 0;
  for (let k = 1; k < c; k++) if (y[s * c + k] > y[s * c + b]) b = k;
  return b;
}

console.log(`| model | quantization | float acc (${N} test images) | int acc | change (points) | top-1 agreement | max abs error | computed bound | bound / measured |`);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const name of ['fashion_mlp', 'fashion_cnn']) {
  const path = `bench/out/cse/${name}.tol${values.tol}.onnx`;
  if (!existsSync(path)) throw new Error(`${path} is missing: run node bench/cse/run.js first`);
  const m = importOnnx(readModelFile(path));
  const calibration = calibrationBatches(m, { count: 256, path: '/usr/share/datasets/fashion-mnist', norm: [0.5, 0.5] }).data;
  const float = runPipeline(m, { mode: 'float' }).module;
  for (const { label, opts } of CONFIGS) {
    const { module: q, state } = runPipeline(m, { mode: 'int', calibration, ...opts });
    const out = m.outputs[0];
    let [okF, okQ, agree, maxErr] = [0, 0, 0, 0];
    for (let i = 0; i < N; i += 100) {
      const k = Math.min(100, N - i);
      const x = { [m.inputs[0]]: { shape: [k, 1, 28, 28], data: Float64Array.from(test.images.subarray(i * 784, (i + k) * 784), (v) => (v - 0.5) / 0.5) } };
      const yf = interpret(float, x, { mode: 'f64' })[out].data;
      const yq = interpret(q, x, { mode: 'exact' })[out].data;
      for (let s = 0; s < k; s++) {
        const [a, b] = [argmax(yf, s, 10), argmax(yq, s, 10)];
        if (a === test.labels[i + s]) okF++;
        if (b === test.labels[i + s]) okQ++;
        if (a === b) agree++;
      }
      for (let j = 0; j < yf.length; j++) maxErr = Math.max(maxErr, Math.abs(yf[j] - yq[j]));
    }
    const bound = Math.max(...state.bound.outputs.get(out));
    console.log(`| ${name} | ${label} | ${(100 * okF / N).toFixed(2)}% | ${(100 * okQ / N).toFixed(2)}% | ${(100 * (okQ - okF) / N).toFixed(2)} | ${(100 * agree / N).toFixed(2)}% | ${maxErr.toExponential(2)} | ${bound.toExponential(2)} | ${(bound / maxErr).toFixed(0)}x |`);
  }
}
