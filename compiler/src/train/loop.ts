/**
 * The training loop: shuffled mini-batches, softmax cross-entropy, one optimizer
 * step per batch, and a hook after every step (where the TSVD training transition
 * re-fits the ternary factors). Deterministic for a seed, up to tfjs's own float
 * summation order.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../linalg/random.js';
import type { ImageSet } from './fashion-mnist.js';
import type { Mlp } from './mlp.js';
import { mlpLogits, mlpVariables } from './mlp.js';

export interface EpochOptions {
  readonly batchSize: number;
  /** Seeds the shuffle of this epoch. */
  readonly seed: number;
  /** Use only the first `limit` shuffled examples (quick runs). */
  readonly limit?: number;
  /** Called after each optimizer step (the weights already updated). */
  readonly afterStep?: (step: number) => void;
  /** Called after each batch with the number of batches done, of total, and the batch loss. */
  readonly onBatch?: (done: number, total: number, loss: number) => void;
}

function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextU32() % (i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

function batch(data: ImageSet, idx: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const n = idx.length;
  const x = new Float32Array(n * data.pixels);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = idx[i]!;
    x.set(data.images.subarray(k * data.pixels, (k + 1) * data.pixels), i * data.pixels);
    labels[i] = data.labels[k]!;
  }
  return tf.tidy(() => ({ x: tf.tensor2d(x, [n, data.pixels]), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() as tf.Tensor2D }));
}

/** One pass over the (shuffled) data; returns the mean batch loss. */
export function trainEpoch(mlp: Mlp, data: ImageSet, optimizer: tf.Optimizer, opts: EpochOptions): number {
  const order = permutation(data.count, new Rng(opts.seed));
  const n = Math.min(data.count, opts.limit ?? data.count);
  const total = Math.ceil(n / opts.batchSize);
  const vars = mlpVariables(mlp);
  let sum = 0;
  for (let k = 0; k < total; k++) {
    const { x, y } = batch(data, order.subarray(k * opts.batchSize, Math.min(n, (k + 1) * opts.batchSize)));
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, mlpLogits(mlp, x)) as tf.Scalar, true, vars);
    const value = loss!.dataSync()[0]!;
    tf.dispose([x, y, loss!]);
    sum += value;
    opts.afterStep?.(k);
    opts.onBatch?.(k + 1, total, value);
  }
  return sum / total;
}

/** Top-1 accuracy on a data set (in [0, 1]). */
export function evaluate(mlp: Mlp, data: ImageSet, batchSize = 1000): number {
  let correct = 0;
  for (let start = 0; start < data.count; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, data.count - start) }, (_, i) => start + i);
    const { x, y } = batch(data, idx);
    const pred = tf.tidy(() => mlpLogits(mlp, x).argMax(1).dataSync());
    tf.dispose([x, y]);
    for (let i = 0; i < idx.length; i++) if (pred[i] === data.labels[idx[i]!]) correct++;
  }
  return correct / data.count;
}
