/**
 * A multilayer perceptron on tfjs variables, kept explicit (no tf.layers) so that
 * the TSVD training transition can read and overwrite each weight matrix between
 * optimizer steps. Weights are [out, in] (y = W x + b), the matrix convention of
 * the TSVD code, so a layer's weight is the matrix that is decomposed.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../linalg/random.js';

export interface DenseLayer {
  readonly name: string;
  /** [out, in] */
  readonly W: tf.Variable<tf.Rank.R2>;
  /** [out] */
  readonly b: tf.Variable<tf.Rank.R1>;
}

export interface Mlp {
  readonly sizes: readonly number[];
  readonly layers: readonly DenseLayer[];
}

/** Glorot-uniform weights and zero biases, reproducible from `seed`. */
let created = 0;

export function createMlp(sizes: readonly number[], seed: number): Mlp {
  created++;
  const rng = new Rng(seed);
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const [nin, nout] = [sizes[l]!, sizes[l + 1]!];
    const limit = Math.sqrt(6 / (nin + nout));
    const w = new Float32Array(nout * nin);
    for (let i = 0; i < w.length; i++) w[i] = (2 * rng.nextFloat() - 1) * limit;
    layers.push({
      name: `fc${l + 1}`,
      // tfjs variable names are global: a counter keeps two models apart
      W: tf.variable(tf.tensor2d(w, [nout, nin]), true, `mlp${created}.fc${l + 1}.W`),
      b: tf.variable(tf.zeros([nout]), true, `mlp${created}.fc${l + 1}.b`),
    });
  }
  return { sizes: [...sizes], layers };
}

/** Logits for a batch x [B, in]: ReLU between layers, none after the last. */
export function mlpLogits(mlp: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  mlp.layers.forEach((layer, i) => {
    h = tf.add(tf.matMul(h, layer.W, false, true), layer.b);
    if (i + 1 < mlp.layers.length) h = tf.relu(h);
  });
  return h;
}

/** The trainable variables, in layer order. */
export function mlpVariables(mlp: Mlp): tf.Variable[] {
  return mlp.layers.flatMap((l) => [l.W, l.b]);
}

/** A copy of every weight and bias as float64 arrays (to restore or branch from). */
export interface MlpSnapshot {
  readonly W: readonly Float64Array[];
  readonly b: readonly Float64Array[];
}

export function snapshotMlp(mlp: Mlp): MlpSnapshot {
  return {
    W: mlp.layers.map((l) => Float64Array.from(l.W.dataSync())),
    b: mlp.layers.map((l) => Float64Array.from(l.b.dataSync())),
  };
}

export function restoreMlp(mlp: Mlp, snap: MlpSnapshot): void {
  mlp.layers.forEach((l, i) => {
    setWeight(l, snap.W[i]!);
    const b = tf.tensor1d(Float32Array.from(snap.b[i]!));
    l.b.assign(b);
    b.dispose();
  });
}

/** Overwrites a layer's weight matrix (row-major [out, in]). */
export function setWeight(layer: DenseLayer, data: ArrayLike<number>): void {
  const t = tf.tensor2d(Float32Array.from(data), layer.W.shape as [number, number]);
  layer.W.assign(t);
  t.dispose();
}

export function disposeMlp(mlp: Mlp): void {
  for (const v of mlpVariables(mlp)) v.dispose();
}
