import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { compareWithOrt, randomFeeds } from './testing/compare.js';
import { FASHION_CNN, FASHION_MLP, fashionTestSet, wakeWordModels } from './testing/fixtures.js';

describe('real models import and match onnxruntime', () => {
  const fashion = fashionTestSet(64);
  for (const path of [FASHION_MLP, FASHION_CNN]) {
    it(`${basename(path)} on 64 Fashion-MNIST test images`, async () => {
      const res = await compareWithOrt(readFileSync(path), { image: { dims: [64, 1, 28, 28], data: fashion.images } });
      expect(res.diagnostics).toEqual([]);
      expect(res.module.stage).toBe('graph');
      expect(res.error).toBeLessThan(1e-4);
    });
  }

  it('the openwakeword-js package ships three classifiers', () => {
    expect(wakeWordModels().map((p) => basename(p))).toEqual(['hello_deepa.onnx', 'hello_deepa_old.onnx', 'namaste_deepa.onnx']);
  });

  for (const path of wakeWordModels()) {
    it(`${basename(path)} (PyTorch 2.8 export: Gemm, decomposed LayerNorm, Sigmoid)`, async () => {
      const bytes = readFileSync(path);
      const frames = basename(path) === 'hello_deepa.onnx' ? 25 : 24;
      const res = await compareWithOrt(bytes, randomFeeds([['onnx::Flatten_0', [1, frames, 96]]], 3));
      expect(res.diagnostics).toEqual([]);
      expect(res.module.nodes.map((n) => n.op)).toEqual(['flatten', 'linear', 'layernorm', 'relu', 'linear', 'layernorm', 'relu', 'linear', 'sigmoid']);
      expect(res.error).toBeLessThan(1e-5);
    });
  }
});
