/**
 * Random network architectures (plans), shared by the generators of every stage so that
 * one seed gives the same shape of network at the graph, ternary, add-tree and integer
 * stages. Sizes are small: property tests build and run hundreds of them.
 */
import { convOutSize } from '../../ops.js';
import { Rng } from './rng.js';

export type Activation = 'relu' | 'none' | 'sigmoid' | 'tanh';

export interface DenseLayer {
  readonly kind: 'dense';
  readonly out: number;
  readonly act: Activation;
  /** y = x + layer(x) (only when out equals the input width). */
  readonly residual: boolean;
}

export interface ConvLayer {
  readonly kind: 'conv';
  readonly cout: number;
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly pads: readonly [number, number, number, number];
  readonly groups: number;
  readonly act: Activation;
  readonly residual: boolean;
  /** Pooling after the activation (kernel 2, stride 2). */
  readonly pool: 'none' | 'max' | 'avg';
}

export interface Plan {
  /** Batch size, or -1: a dynamic batch (inputs then choose it). */
  readonly batch: number;
  /** [features] for an MLP, [C, H, W] for a CNN. */
  readonly input: readonly number[];
  readonly convs: readonly ConvLayer[];
  readonly dense: readonly DenseLayer[];
  readonly softmax: boolean;
}

export interface PlanOptions {
  /** Allow sigmoid / tanh / avg pooling / softmax (float stages only). */
  readonly floatOps?: boolean;
}

function activation(rng: Rng, floatOps: boolean): Activation {
  return rng.pick(floatOps ? ['relu', 'relu', 'none', 'sigmoid', 'tanh'] as const : ['relu', 'none'] as const);
}

export function mlpPlan(seed: number, opts: PlanOptions = {}): Plan {
  const rng = new Rng(seed);
  const floatOps = opts.floatOps ?? true;
  let width = rng.int(1, 12);
  const input = [width];
  const dense: DenseLayer[] = [];
  const n = rng.int(1, 3);
  for (let i = 0; i < n; i++) {
    const residual = rng.bool(0.25);
    const out = residual ? width : rng.int(1, 10);
    dense.push({ kind: 'dense', out, act: i === n - 1 ? 'none' : activation(rng, floatOps), residual });
    width = out;
  }
  return { batch: rng.bool(0.2) ? -1 : rng.int(1, 3), input, convs: [], dense, softmax: floatOps && rng.bool(0.3) };
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d++) if (n % d === 0) out.push(d);
  return out;
}

function convLayer(rng: Rng, cin: number, h: number, w: number, floatOps: boolean): { layer: ConvLayer; h: number; w: number } | undefined {
  const residual = rng.bool(0.25);
  const groups = residual ? 1 : rng.pick(divisors(cin));
  const cout = residual ? cin : groups * rng.int(1, Math.max(1, Math.floor(6 / groups)));
  const kernel: [number, number] = residual ? [3, 3] : [rng.int(1, 3), rng.int(1, 3)];
  const strides: [number, number] = residual ? [1, 1] : [rng.int(1, 2), rng.int(1, 2)];
  const dilations: [number, number] = residual ? [1, 1] : [rng.bool(0.2) ? 2 : 1, rng.bool(0.2) ? 2 : 1];
  const pads: [number, number, number, number] = residual ? [1, 1, 1, 1] : [rng.int(0, 1), rng.int(0, 1), rng.int(0, 1), rng.int(0, 1)];
  const oh = convOutSize(h, kernel[0], strides[0], dilations[0], pads[0], pads[2]);
  const ow = convOutSize(w, kernel[1], strides[1], dilations[1], pads[1], pads[3]);
  if (oh < 1 || ow < 1) return undefined;
  const canPool = oh >= 2 && ow >= 2;
  const pool = canPool && rng.bool(0.4) ? (floatOps && rng.bool(0.5) ? 'avg' : 'max') : 'none';
  const layer: ConvLayer = { kind: 'conv', cout, kernel, strides, dilations, pads, groups, act: activation(rng, floatOps), residual, pool };
  return { layer, h: pool === 'none' ? oh : Math.floor((oh - 2) / 2) + 1, w: pool === 'none' ? ow : Math.floor((ow - 2) / 2) + 1 };
}

export function cnnPlan(seed: number, opts: PlanOptions = {}): Plan {
  const rng = new Rng(seed);
  const floatOps = opts.floatOps ?? true;
  let [c, h, w] = [rng.int(1, 3), rng.int(3, 9), rng.int(3, 9)];
  const input = [c, h, w];
  const convs: ConvLayer[] = [];
  const n = rng.int(1, 2);
  for (let i = 0; i < n; i++) {
    const next = convLayer(rng, c, h, w, floatOps);
    if (!next) break;
    convs.push(next.layer);
    [c, h, w] = [next.layer.cout, next.h, next.w];
  }
  const dense: DenseLayer[] = [{ kind: 'dense', out: rng.int(1, 5), act: 'none', residual: false }];
  return { batch: rng.bool(0.2) ? -1 : rng.int(1, 2), input, convs, dense, softmax: floatOps && rng.bool(0.3) };
}
