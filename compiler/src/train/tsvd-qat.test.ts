import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ternaryNnz } from '@tsvdc/ir';
import { spectralNormRef } from '../tsvd/conv-testing.js';
import { reconstruct } from '../tsvd/retransition.js';
import type { ImageSet } from './fashion-mnist.js';
import { evaluate, trainEpoch } from './loop.js';
import { createMlp, mlpLogits, snapshotMlp } from './mlp.js';
import type { QatReport } from './qat-experiment.js';
import { qatChartSvg, qatTableMarkdown } from './qat-report.js';
import { denseCounts, directTransition, retransitionLayers, tsvdCounts } from './tsvd-qat.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** 10 classes, each a noisy copy of its own random prototype (linearly separable). */
function syntheticSet(count: number, pixels: number, seed: number): ImageSet {
  let st = seed;
  const rnd = (): number => ((st = (Math.imul(st, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const protos = Array.from({ length: 10 }, () => Array.from({ length: pixels }, rnd));
  const images = new Float32Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    for (let p = 0; p < pixels; p++) images[i * pixels + p] = protos[i % 10]![p]! + 0.3 * (rnd() - 0.5);
  }
  return { count, pixels, images, labels };
}

const f32 = (x: number): number => Math.fround(x);

describe('the training loop learns', () => {
  it('reaches > 90% on a separable synthetic set from chance', () => {
    const data = syntheticSet(600, 24, 5);
    const mlp = createMlp([24, 16, 10], 3);
    const before = evaluate(mlp, data);
    const opt = tf.train.adam(1e-2);
    for (let e = 0; e < 15; e++) trainEpoch(mlp, data, opt, { batchSize: 50, seed: e });
    expect(before).toBeLessThan(0.5);
    expect(evaluate(mlp, data)).toBeGreaterThan(0.9);
  });
  it('mlpLogits computes relu(x W1^T + b1) W2^T + b2', () => {
    const mlp = createMlp([3, 2, 2], 1);
    const snap = snapshotMlp(mlp);
    const x = [0.5, -1, 2];
    const h = [0, 1].map((o) => Math.max(0, snap.W[0]![o * 3]! * x[0]! + snap.W[0]![o * 3 + 1]! * x[1]! + snap.W[0]![o * 3 + 2]! * x[2]!));
    const y = [0, 1].map((o) => snap.W[1]![o * 2]! * h[0]! + snap.W[1]![o * 2 + 1]! * h[1]!);
    const got = tf.tidy(() => mlpLogits(mlp, tf.tensor2d([x])).dataSync());
    expect(got[0]).toBeCloseTo(y[0]!, 5);
    expect(got[1]).toBeCloseTo(y[1]!, 5);
  });
});

describe('TSVD on the layers of an MLP', () => {
  it('direct transition writes U diag(s) V within tol and keeps W - U diag(s) V as the residual', () => {
    const mlp = createMlp([20, 12, 6], 7);
    const before = snapshotMlp(mlp);
    const states = directTransition(mlp, { tol: 0.1, seed: 1 });
    const after = snapshotMlp(mlp);
    states.forEach((st, l) => {
      const approx = reconstruct(st.factors.U, st.factors.s, st.factors.V);
      approx.forEach((a, i) => {
        expect(after.W[l]![i]).toBe(f32(a));
        expect(st.residual[i]).toBeCloseTo(before.W[l]![i]! - a, 12);
      });
      const [m, n] = mlp.layers[l]!.W.shape;
      const err = spectralNormRef({ rows: m, cols: n, data: st.residual }) / spectralNormRef({ rows: m, cols: n, data: before.W[l]! });
      expect(err).toBeLessThan(0.1);
    });
  });

  it('retransition after a step conserves W + residual and counts its runs', () => {
    const mlp = createMlp([20, 12, 6], 8);
    const states = directTransition(mlp, { tol: 0.1, seed: 1 });
    // an optimizer-like move of every weight
    mlp.layers.forEach((l) => l.W.assign(tf.tidy(() => l.W.add(tf.randomNormal(l.W.shape, 0, 0.05, 'float32', 9)))));
    const moved = snapshotMlp(mlp);
    const residuals = states.map((s) => Float64Array.from(s.residual));
    retransitionLayers(mlp, states, { tol: 0.1, seed: 1, pruneRate: 1 });
    const now = snapshotMlp(mlp);
    states.forEach((st, l) => {
      expect(st.retransitions).toBe(1);
      moved.W[l]!.forEach((w, i) => expect(now.W[l]![i]! + st.residual[i]!).toBeCloseTo(w + residuals[l]![i]!, 6));
    });
  });

  it('counts x, + and ternary parameters as the paper does', () => {
    const mlp = createMlp([20, 12, 6], 9);
    const states = directTransition(mlp, { tol: 0.05, seed: 1 });
    const counts = tsvdCounts(mlp, states);
    counts.forEach((c, l) => {
      const { U, s, V } = states[l]!.factors;
      expect(c).toEqual({ name: `fc${l + 1}`, shape: [U.rows, V.cols], rank: s.length, muls: s.length, adds: ternaryNnz(U) + ternaryNnz(V), ternaryParams: (U.rows + V.cols) * s.length });
    });
    expect(denseCounts(mlp).map((c) => [c.muls, c.adds])).toEqual([[240, 240], [72, 72]]);
  });
});

describe('qatTableMarkdown', () => {
  it('golden', () => {
    const layers = [{ name: 'fc1', shape: [2, 3] as [number, number], rank: 4, muls: 4, adds: 9, ternaryParams: 20 }];
    const report: QatReport = {
      config: { sizes: [3, 2], epochs: 1, fineTuneEpochs: 1, batchSize: 1, lr: 1, fineTuneLr: 1, tols: [0.07], refTol: 0.01, pruneRate: 1, retransitionEvery: [1], seed: 1 },
      rows: [
        { method: 'float', epochs: 1, accuracy: 0.8512, layers: [{ ...layers[0]!, rank: 2, muls: 6, adds: 6, ternaryParams: 0 }], muls: 6, adds: 6, ternaryParams: 0 },
        { method: 'training transition (F)', tol: 0.07, every: 5, epochs: 2, accuracy: 0.85, layers, muls: 4, adds: 12345, ternaryParams: 20, redecompositions: 3, retransitions: 10 },
      ],
      curves: [], seconds: {},
    };
    expect(qatTableMarkdown(report)).toBe([
      '| method | tol | epochs | test top-1 (%) | x / image | + / image | ternary params | ranks | re-decompositions |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| float | - | 1 | 85.12 | 6 | 6 | 0 | - | - |',
      '| training transition (F), every 5 steps | 7% | 2 | 85.00 | 4 | 12.3k | 20 | 4 | 3/10 |',
      '',
    ].join('\n'));
  });
});

describe('qatChartSvg', () => {
  it('draws each curve, and one dashed line per direct-transition tolerance through its epochs', () => {
    const base = { layers: [], muls: 0, adds: 0, ternaryParams: 0 };
    const report: QatReport = {
      config: { sizes: [3, 2], epochs: 2, fineTuneEpochs: 2, batchSize: 1, lr: 1, fineTuneLr: 1, tols: [0.07], refTol: 0.01, pruneRate: 1, retransitionEvery: [1], seed: 1 },
      rows: [
        { ...base, method: 'direct transition', tol: 0.01, epochs: 2, accuracy: 0.8 },
        { ...base, method: 'direct transition', tol: 0.07, epochs: 2, accuracy: 0.7 },
        { ...base, method: 'direct transition', tol: 0.01, epochs: 4, accuracy: 0.85 },
        { ...base, method: 'direct transition', tol: 0.07, epochs: 4, accuracy: 0.75 },
      ],
      curves: [{ name: 'float', points: [[0, 0.1], [1, 0.8], [2, 0.82]] }, { name: 'F', points: [[2, 0.7], [3, 0.8], [4, 0.83]] }],
      seconds: {},
    };
    const svg = qatChartSvg(report);
    expect(svg.match(/<path /g)!.length).toBe(4);
    expect(svg.match(/stroke-dasharray/g)!.length).toBe(4); // two dashed paths, two dashed legend lines
    expect([...svg.matchAll(/<text x="590" y="\d+">([^<]*)</g)].map((m) => m[1])).toEqual(['float', 'F', 'direct, tol 1%', 'direct, tol 7%']);
  });
});
