#!/usr/bin/env node
// Reference interpreter speed on a Fashion-MNIST-sized CNN, one real test image at a time:
//   conv 1->16 3x3 pad 1, relu, maxpool 2 -> conv 16->32 3x3 pad 1, relu, maxpool 2
//   -> flatten 1568 -> linear 128, relu -> linear 10
// at the graph (dense f32), ternary (tlinear / tconv2d, TSVD rank 2 x min(m, n)), add-tree
// (chain trees) and integer (8-bit, typed trees) stages, in f64, f32 and exact modes.
// Weights are random (speed does not depend on training); inputs are real test images.
// Baseline measured in the same run: a direct-loop float64 implementation of the same dense
// CNN (bounds checks in the inner loop, no precomputed windows), on the same images.
// Run from the repository root after `npm run build`:  node bench/interp/run.js [--images 200]
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { interpret, verify } from '../../ir/dist/index.js';
import { floatModule, integerModule } from '../../ir/dist/testing/models.js';

const { values } = parseArgs({ options: { images: { type: 'string', default: '200' } } });
const IMAGES = Number(values.images);

function loadImages(n) {
  const buf = gunzipSync(readFileSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz'));
  if (buf.readUInt32BE(0) !== 2051) throw new Error('not an IDX image file');
  return Array.from({ length: n }, (_, i) => Float64Array.from(buf.subarray(16 + i * 784, 16 + (i + 1) * 784), (p) => p / 255));
}

const conv = (cout) => ({ kind: 'conv', cout, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, act: 'relu', residual: false, pool: 'max' });
const plan = {
  batch: 1, input: [1, 28, 28], convs: [conv(16), conv(32)],
  dense: [{ kind: 'dense', out: 128, act: 'relu', residual: false }, { kind: 'dense', out: 10, act: 'none', residual: false }],
  softmax: false,
};
const rank = (m, n) => 2 * Math.min(m, n);
const modules = {
  graph: floatModule(plan, 'graph', 1),
  ternary: floatModule(plan, 'ternary', 1, { ternaryShare: 1, rank }),
  addtree: floatModule(plan, 'addtree', 1, { ternaryShare: 1, rank, trees: 'chain' }),
  integer: integerModule(plan, 1, { treeShare: 1, rank }),
};
for (const [k, m] of Object.entries(modules)) {
  const ds = verify(m);
  if (ds.length) throw new Error(`${k}: ${ds[0].message}`);
}

/** The dense graph CNN in direct loops (float64), for the baseline. */
function naive(m, x) {
  let t = { shape: [1, 28, 28], data: x };
  const C = (name) => m.consts.get(name).data;
  for (const n of m.nodes) {
    const a = n.attrs;
    if (n.op === 'conv2d') {
      const W = C(a.W); const b = C(a.bias); const [cin, h, w] = t.shape; const cout = b.length;
      const out = new Float64Array(cout * h * w);
      for (let co = 0; co < cout; co++) for (let y = 0; y < h; y++) for (let z = 0; z < w; z++) {
        let acc = 0;
        for (let ci = 0; ci < cin; ci++) for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) {
          const iy = y - 1 + p; const ix = z - 1 + q;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) acc += W[((co * cin + ci) * 3 + p) * 3 + q] * t.data[(ci * h + iy) * w + ix];
        }
        out[(co * h + y) * w + z] = acc + b[co];
      }
      t = { shape: [cout, h, w], data: out };
    } else if (n.op === 'relu') {
      t = { shape: t.shape, data: t.data.map((v) => (v > 0 ? v : 0)) };
    } else if (n.op === 'maxpool2d') {
      const [c, h, w] = t.shape; const [oh, ow] = [h >> 1, w >> 1];
      const out = new Float64Array(c * oh * ow);
      for (let k = 0; k < c; k++) for (let y = 0; y < oh; y++) for (let z = 0; z < ow; z++) {
        const i = (k * h + 2 * y) * w + 2 * z;
        out[(k * oh + y) * ow + z] = Math.max(t.data[i], t.data[i + 1], t.data[i + w], t.data[i + w + 1]);
      }
      t = { shape: [c, oh, ow], data: out };
    } else if (n.op === 'flatten') {
      t = { shape: [t.data.length], data: t.data };
    } else if (n.op === 'linear') {
      const W = C(a.W); const b = C(a.bias); const nIn = t.data.length; const mOut = b.length;
      const out = new Float64Array(mOut);
      for (let o = 0; o < mOut; o++) { let acc = 0; for (let i = 0; i < nIn; i++) acc += W[o * nIn + i] * t.data[i]; out[o] = acc + b[o]; }
      t = { shape: [mOut], data: out };
    } else throw new Error(`naive: ${n.op}`);
  }
  return t.data;
}

const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
function perImage(images, fn) {
  for (let i = 0; i < 5; i++) fn(images[i % images.length]); // warm-up
  return median(images.map((x) => { const t = performance.now(); fn(x); return performance.now() - t; }));
}

const images = loadImages(IMAGES);
const g = modules.graph;
// the baseline must compute what the interpreter computes
const y0 = Object.values(interpret(g, { x: { shape: [1, 1, 28, 28], data: images[0] } }, { mode: 'f64' }))[0].data;
const n0 = naive(g, images[0]);
if (y0.some((v, i) => Math.abs(v - n0[i]) > 1e-9 * Math.max(1, Math.abs(n0[i])))) throw new Error('baseline disagrees with the interpreter');
const base = perImage(images, (x) => naive(g, x));

console.log(`Interpreter, Fashion-MNIST CNN, median ms per image over ${IMAGES} test images`);
console.log(`baseline (direct loops, dense f64): ${base.toFixed(3)} ms`);
console.log('| stage | mode | ms / image | / baseline | trees (nodes) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [stage, m] of Object.entries(modules)) {
  const nodes = [...m.trees.values()].reduce((s, t) => s + t.size, 0);
  for (const mode of ['f64', 'f32', 'exact']) {
    const ms = perImage(images, (x) => interpret(m, { x: { shape: [1, 1, 28, 28], data: x } }, { mode }));
    console.log(`| ${stage} | ${mode} | ${ms.toFixed(3)} | ${(ms / base).toFixed(2)} | ${nodes} |`);
  }
}
