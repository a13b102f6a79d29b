import { describe, expect, it } from 'vitest';
import { interpret, tensor, verify } from '@tsvdc/ir';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { importOnnx } from '../onnx/import/index.js';
import { readModel, readModelFile } from '../onnx/read.js';
import { buildModel, node, rng, valueInfo, weight } from '../onnx/testing/builder.js';
import { compareWithOrt, randomFeeds } from '../onnx/testing/compare.js';
import { FASHION_CNN, FASHION_MLP, fashionTestSet, wakeWordModels } from '../onnx/testing/fixtures.js';
import { readTsvdMeta } from '../onnx/tsvd-meta.js';
import { writeModel } from '../onnx/write.js';
import { lowerTernaryToAddTrees } from '../passes/lower-ternary-to-add-trees.js';
import { compareOutputs } from '../report/agreement.js';
import { loadOrt, type FloatTensor } from '../report/ort.js';
import { compressModel } from './index.js';

const TOL = 0.05;

async function check(path: string, feeds: Record<string, FloatTensor>, layers: string[], skipped: string[]): Promise<void> {
  const original = readModelFile(path);
  const res = await compressModel(original, { tol: TOL, cosThresh: 0.8386, jobs: 0 });
  expect(res.layers.map((l) => l.node)).toEqual(layers);
  expect(res.skipped.map((s) => `${s.node}: ${s.reason}`)).toEqual(skipped);
  for (const l of res.layers) expect(l.error < TOL || l.reachedMaxRank).toBe(true);
  const bytes = writeModel(res.proto);
  // onnxruntime runs it, with the same input and output names and shapes
  const [a, b] = [await loadOrt(readFileSync(path)), await loadOrt(bytes)];
  expect(b.inputNames).toEqual(a.inputNames);
  expect(b.outputNames).toEqual(a.outputNames);
  const [ya, yb] = [(await a.run(feeds))[a.outputNames[0]!]!, (await b.run(feeds))[b.outputNames[0]!]!];
  expect(yb.dims).toEqual(ya.dims);
  expect(compareOutputs(ya.data, yb.data, ya.dims[ya.dims.length - 1]!).cosine).toBeGreaterThan(0.99);
  // every node it did not replace is still there, unchanged
  const kept = original.proto.graph!.node.filter((n) => !layers.includes(n.name ?? ''));
  const after = new Map(res.proto.graph!.node.map((n) => [n.name, n]));
  for (const n of kept) expect(after.get(n.name)).toEqual(n);
  // re-import: ternary stage, verifier-clean, and the interpreter computes what onnxruntime does
  const cmp = await compareWithOrt(bytes, feeds);
  expect(cmp.module.stage).toBe('ternary');
  expect(verify(cmp.module, 'ternary')).toEqual([]);
  expect(cmp.module.nodes.filter((n) => n.op === 'tlinear' || n.op === 'tconv2d').map((n) => n.name)).toEqual(layers);
  expect(cmp.error).toBeLessThan(1e-4);
}

describe('compress real models (tol 0.05)', () => {
  const images = fashionTestSet(32).images;
  const image = { image: { dims: [32, 1, 28, 28], data: images } };
  it('Fashion-MNIST MLP: every Gemm (the BatchNormalization after the first stays a node)', async () => {
    await check(FASHION_MLP, image, ['/1/Gemm', '/4/Gemm', '/6/Gemm'], []);
  });
  it('Fashion-MNIST CNN: the depthwise conv (9 weights per group) stays dense', async () => {
    await check(FASHION_CNN, image, ['/0/Conv', '/4/Conv', '/9/Conv', '/12/Gemm', '/15/Gemm'], ['/7/Conv: a conv with 9 or fewer weights per group stays dense']);
  });
  for (const path of wakeWordModels()) {
    it(`${basename(path)}: three Gemms, the LayerNorm pattern untouched`, async () => {
      const frames = basename(path) === 'hello_deepa.onnx' ? 25 : 24;
      await check(path, randomFeeds([['onnx::Flatten_0', [1, frames, 96]]], 5), ['/layer1/Gemm', '/blocks.0/fcn_layer/Gemm', '/last_layer/Gemm'], []);
    });
  }
});

describe('a PyTorch Linear on [B, T, C]: MatMul then a bias Add (or Sub) node', () => {
  it('re-imports with the shift folded into the TSVD layer (one tlinear on [B, T, C]; lowering works on rows), computing what onnxruntime does', async () => {
    const r = rng(4);
    const path = join(mkdtempSync(join(tmpdir(), 'tsvdc-seq-')), 'seq.onnx');
    writeFileSync(path, writeModel(buildModel({
      inputs: [valueInfo('x', [2, 7, 16])], outputs: [valueInfo('y', [2, 7, 8])],
      initializers: [weight('W1', [16, 24], r), weight('b1', [24], r), weight('W2', [24, 8], r), weight('b2', [8], r)],
      nodes: [
        node('MatMul', ['x', 'W1'], ['h'], {}, 'fc1'), node('Add', ['b1', 'h'], ['hb'], {}, 'fc1_bias'), node('Relu', ['hb'], ['a']),
        node('MatMul', ['a', 'W2'], ['g'], {}, 'fc2'), node('Sub', ['g', 'b2'], ['y'], {}, 'fc2_bias'),
      ],
    })));
    await check(path, randomFeeds([['x', [2, 7, 16]]]), ['fc1', 'fc2'], []);
    const m = importOnnx(readModel(writeModel((await compressModel(readModelFile(path), { tol: TOL, cosThresh: 0.8386, jobs: 0 })).proto), { file: 'c.onnx' }));
    expect(m.nodes.map((n) => `${n.op}${n.attrs['bias'] !== undefined ? '+bias' : ''}`)).toEqual(['tlinear+bias', 'relu', 'tlinear+bias']);
    expect(m.nodes.filter((n) => n.op === 'tlinear').map((n) => m.values.get(n.inputs[0]!)!.shape)).toEqual([[2, 7, 16], [2, 7, 24]]);
    // lowered (reshape to rows, the stages, reshape back), it computes what the tlinears do
    const low = lowerTernaryToAddTrees(m);
    expect(low.nodes.map((n) => n.op)).toEqual(['reshape', 'tmatvec', 'scale', 'tmatvec', 'bias', 'reshape', 'relu', 'reshape', 'tmatvec', 'scale', 'tmatvec', 'bias', 'reshape']);
    const x = { x: { shape: [2, 7, 16], data: Float64Array.from({ length: 224 }, (_, i) => Math.sin(i)) } };
    const [ya, yb] = [interpret(m, x, { mode: 'f64' })['y']!, interpret(low, x, { mode: 'f64' })['y']!];
    expect(yb.shape).toEqual([2, 7, 8]);
    expect(yb.data.reduce((w, v, i) => Math.max(w, Math.abs(v - ya.data[i]!)), 0)).toBeLessThan(1e-9);
  });
});

describe('the compressed model records what it did', () => {
  it('metadata lists each layer with its nodes, factors and error; factors are int8 behind a Cast', async () => {
    const res = await compressModel(readModelFile(FASHION_MLP), { tol: 0.1, cosThresh: 0.8386, jobs: 0, include: /^\/6\// });
    const m = readModel(writeModel(res.proto), { file: 'x.onnx' });
    const [l] = readTsvdMeta(m.proto, 'x.onnx');
    expect(l).toMatchObject({
      node: '/6/Gemm', op: 'Gemm', input: '/5/Relu_output_0', output: 'logits', U: '/6/Gemm.tsvd.Ut', s: '/6/Gemm.tsvd.s', V: '/6/Gemm.tsvd.Vt', bias: '/6/Gemm.tsvd.bias',
      nodes: ['/6/Gemm/tsvd/V_cast', '/6/Gemm/tsvd/V', '/6/Gemm/tsvd/s', '/6/Gemm/tsvd/U_cast', '/6/Gemm/tsvd/U', '/6/Gemm/tsvd/bias'],
      weightShape: [10, 128], tol: 0.1, cosThresh: 0.8386,
    });
    const inits = new Map(m.proto.graph!.initializer.map((t) => [t.name, t]));
    expect(inits.get('/6/Gemm.tsvd.Vt')!.dims).toEqual([128, l!.rank]);
    expect(inits.get('/6/Gemm.tsvd.Ut')!.dims).toEqual([l!.rank, 10]);
    expect(inits.get('/6/Gemm.tsvd.Ut')!.dataType).toBe(3);
    expect(inits.has('6.weight')).toBe(false);
    expect(inits.has('6.bias')).toBe(false);
    expect(inits.has('1.weight')).toBe(true);
  });
});

describe('layer selection', () => {
  it('--include, --exclude and --min-params leave layers dense with the reason', async () => {
    const res = await compressModel(readModelFile(FASHION_CNN), { tol: 0.1, cosThresh: 0.8386, jobs: 0, include: /Conv/, exclude: /^\/0\//, minParams: 1000 });
    expect(res.layers.map((l) => l.node)).toEqual(['/4/Conv', '/9/Conv']);
    expect(res.skipped.map((s) => `${s.node}: ${s.reason}`)).toEqual([
      '/0/Conv: matched by --exclude', '/7/Conv: 288 weights, below --min-params 1000', '/12/Gemm: not matched by --include', '/15/Gemm: not matched by --include',
    ]);
  });

  it('a compressed layer is not selected again, nor listed as skipped: its nodes are no weight layers', async () => {
    const once = await compressModel(readModelFile(FASHION_MLP), { tol: 0.1, cosThresh: 0.8386, jobs: 0, include: /^\/6\// });
    const twice = await compressModel(readModel(writeModel(once.proto), { file: 'once.onnx' }), { tol: 0.1, cosThresh: 0.8386, jobs: 0, include: /\/6\// });
    expect(twice.layers).toEqual([]);
    expect(twice.skipped.map((s) => `${s.node}: ${s.reason}`)).toEqual([
      '/1/Gemm: not matched by --include', '/4/Gemm: not matched by --include',
    ]);
    expect(readTsvdMeta(twice.proto, 'x').map((l) => l.node)).toEqual(['/6/Gemm']);
  });
});

describe('worker threads', () => {
  it('two workers give the same model as the main thread', async () => {
    const model = readModelFile(FASHION_CNN);
    const opts = { tol: 0.1, cosThresh: 0.8386 };
    const a = await compressModel(model, { ...opts, jobs: 0 });
    const b = await compressModel(model, { ...opts, jobs: 2 });
    expect(Buffer.from(writeModel(b.proto)).equals(Buffer.from(writeModel(a.proto)))).toBe(true);
  });
});

it('interpreting the re-imported Fashion CNN classifies like onnxruntime on the compressed model', async () => {
  const res = await compressModel(readModelFile(FASHION_CNN), { tol: 0.1, cosThresh: 0.8386, jobs: 0 });
  const bytes = writeModel(res.proto);
  const m = importOnnx(readModel(bytes, { file: 'c.onnx' }), { batch: 16 });
  const set = fashionTestSet(16);
  const mine = interpret(m, { image: tensor([16, 1, 28, 28], Float64Array.from(set.images)) }, { mode: 'f64' }).logits!;
  const ort = (await (await loadOrt(bytes)).run({ image: { dims: [16, 1, 28, 28], data: set.images } })).logits!;
  expect(compareOutputs(ort.data, mine.data, 10).top1).toBe(1);
});
