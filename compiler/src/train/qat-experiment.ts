/**
 * The training-transition experiment (the paper's "(F)" rows, in kind): train a
 * float MLP on Fashion-MNIST, then compare on the test set
 *   - the float network (and the float network trained as long as the fine-tuning),
 *   - the direct transition at a reference tolerance (1%) and at `tol` (7%),
 *   - the training transition at `tol`: fine-tuning with the TSVD form re-fitted
 *     after optimizer steps (retransition), starting from the direct transition.
 * Each row carries the multiplications, additions and ternary parameters per
 * inference of one image, as the paper's tables count them.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from './fashion-mnist.js';
import { FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.js';
import { evaluate, trainEpoch } from './loop.js';
import type { Mlp, MlpSnapshot } from './mlp.js';
import { createMlp, disposeMlp, restoreMlp, snapshotMlp } from './mlp.js';
import type { Progress } from './progress.js';
import type { LayerCounts, TsvdLayerState, TsvdOptions } from './tsvd-qat.js';
import { denseCounts, directTransition, retransitionLayers, tsvdCounts } from './tsvd-qat.js';

export interface QatConfig {
  readonly sizes: readonly number[];
  readonly epochs: number;
  readonly fineTuneEpochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly fineTuneLr: number;
  /** Tolerances of the direct and training transitions compared (e.g. 7%, and a larger one). */
  readonly tols: readonly number[];
  /** The direct transition at this tolerance is the reference row (1%). */
  readonly refTol: number;
  readonly pruneRate: number;
  /**
   * Training transition variants: retransition after every this many optimizer steps
   * (1 = after each, as TSVD.md says), and at each epoch end. One (F) run per tol and value.
   */
  readonly retransitionEvery: readonly number[];
  readonly seed: number;
  /** Use only this many training images per epoch (quick runs). */
  readonly trainLimit?: number;
  readonly dataDir?: string;
}

export const DEFAULT_QAT_CONFIG: QatConfig = {
  sizes: [784, 128, 64, 10], epochs: 2, fineTuneEpochs: 2, batchSize: 128, lr: 1e-3, fineTuneLr: 2e-4,
  tols: [0.07, 0.2], refTol: 0.01, pruneRate: 1, retransitionEvery: [1, 10], seed: 1,
};

export interface QatRow {
  readonly method: string;
  readonly tol?: number;
  readonly epochs: number;
  readonly accuracy: number;
  readonly layers: readonly LayerCounts[];
  readonly muls: number;
  readonly adds: number;
  readonly ternaryParams: number;
  /** Training transition: retransition after every this many steps. */
  readonly every?: number;
  /** Training transition: retransitions that re-decomposed / that ran, over all layers. */
  readonly redecompositions?: number;
  readonly retransitions?: number;
}

export interface QatReport {
  readonly config: QatConfig;
  readonly rows: readonly QatRow[];
  /** Test accuracy after each epoch: [epoch, accuracy]. */
  readonly curves: readonly { name: string; points: [number, number][] }[];
  readonly seconds: Readonly<Record<string, number>>;
}

function row(method: string, epochs: number, accuracy: number, layers: LayerCounts[], tol?: number, states?: readonly TsvdLayerState[], every?: number): QatRow {
  const sum = (f: (l: LayerCounts) => number): number => layers.reduce((a, l) => a + f(l), 0);
  return {
    method, tol, epochs, ...(every !== undefined ? { every } : {}), accuracy, layers, muls: sum((l) => l.muls), adds: sum((l) => l.adds), ternaryParams: sum((l) => l.ternaryParams),
    ...(states ? { redecompositions: states.reduce((a, s) => a + s.redecompositions, 0), retransitions: states.reduce((a, s) => a + s.retransitions, 0) } : {}),
  };
}

interface Ctx {
  cfg: QatConfig;
  train: ImageSet;
  test: ImageSet;
  progress: Progress;
  seconds: Record<string, number>;
}

/** Trains `epochs` epochs; returns the test accuracy after each, numbered from `first`. */
function trainEpochs(ctx: Ctx, mlp: Mlp, name: string, lr: number, epochs: number, first: number, afterStep?: (step: number) => void, afterEpoch?: () => void): [number, number][] {
  const opt = tf.train.adam(lr);
  const points: [number, number][] = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    const n = Math.min(ctx.train.count, ctx.cfg.trainLimit ?? ctx.train.count);
    ctx.progress.start(`${name} epoch ${first + e + 1}`, Math.ceil(n / ctx.cfg.batchSize));
    const loss = trainEpoch(mlp, ctx.train, opt, {
      batchSize: ctx.cfg.batchSize, seed: ctx.cfg.seed * 1000 + first + e, limit: ctx.cfg.trainLimit, afterStep,
      onBatch: (done, _total, l) => ctx.progress.update(done, `loss ${l.toFixed(3)}`),
    });
    afterEpoch?.();
    ctx.progress.stop();
    const acc = evaluate(mlp, ctx.test);
    points.push([first + e + 1, acc]);
    ctx.seconds[name] = (ctx.seconds[name] ?? 0) + (performance.now() - t0) / 1000;
    ctx.progress.log(`${name}: epoch ${first + e + 1}, mean loss ${loss.toFixed(4)}, test accuracy ${(100 * acc).toFixed(2)}%`);
  }
  opt.dispose();
  return points;
}

/** Direct transition of the snapshot; leaves the TSVD weights in `mlp`. */
function directRow(ctx: Ctx, mlp: Mlp, snap: MlpSnapshot, tol: number, epochs: number): { row: QatRow; states: TsvdLayerState[] } {
  restoreMlp(mlp, snap);
  const t0 = performance.now();
  const states = directTransition(mlp, { tol, seed: ctx.cfg.seed });
  ctx.seconds[`direct ${tol} after ${epochs} epochs`] = (performance.now() - t0) / 1000;
  const r = row(`direct transition`, epochs, evaluate(mlp, ctx.test), tsvdCounts(mlp, states), tol);
  ctx.progress.log(`direct transition at tol ${tol} after ${epochs} epochs: test accuracy ${(100 * r.accuracy).toFixed(2)}%, ranks ${r.layers.map((l) => l.rank).join('/')}`);
  return { row: r, states };
}

/** Runs the whole experiment (see the file header). */
export function runQatExperiment(cfg: QatConfig, progress: Progress): QatReport {
  const { train, test } = loadFashionMnist(cfg.dataDir ?? FASHION_MNIST_DIR);
  const ctx: Ctx = { cfg, train, test, progress, seconds: {} };
  const mlp = createMlp(cfg.sizes, cfg.seed);
  const floatCurve: [number, number][] = [[0, evaluate(mlp, test)], ...trainEpochs(ctx, mlp, 'float', cfg.lr, cfg.epochs, 0)];
  const snap = snapshotMlp(mlp);
  const total = cfg.epochs + cfg.fineTuneEpochs;
  const rows: QatRow[] = [row('float', cfg.epochs, floatCurve[floatCurve.length - 1]![1], denseCounts(mlp))];
  rows.push(directRow(ctx, mlp, snap, cfg.refTol, cfg.epochs).row);
  // the direct transition at each tol: where its fine-tuning starts
  const starts = cfg.tols.map((tol) => {
    const d = directRow(ctx, mlp, snap, tol, cfg.epochs);
    rows.push(d.row);
    return { tol, row: d.row, states: d.states, weights: snapshotMlp(mlp) };
  });
  // the float control: trained as long as the fine-tuning, then also transitioned directly
  restoreMlp(mlp, snap);
  const longer = trainEpochs(ctx, mlp, 'float fine-tune', cfg.fineTuneLr, cfg.fineTuneEpochs, cfg.epochs);
  rows.push(row('float', total, longer[longer.length - 1]?.[1] ?? rows[0]!.accuracy, denseCounts(mlp)));
  const longerSnap = snapshotMlp(mlp);
  for (const tol of [cfg.refTol, ...cfg.tols]) rows.push(directRow(ctx, mlp, longerSnap, tol, total).row);
  const curves = [{ name: 'float', points: [...floatCurve, ...longer] }];
  for (const start of starts) {
    for (const every of cfg.retransitionEvery) {
      const f = fineTune(ctx, mlp, start, every);
      rows.push(f.row);
      curves.push({ name: `(F) tol ${+(100 * start.tol).toFixed(2)}%, every ${every}`, points: f.points });
    }
  }
  disposeMlp(mlp);
  return { config: cfg, rows, seconds: ctx.seconds, curves };
}

/** Fine-tuning with the training transition from a direct transition's weights and factors. */
function fineTune(ctx: Ctx, mlp: Mlp, start: { tol: number; row: QatRow; states: readonly TsvdLayerState[]; weights: MlpSnapshot }, every: number): { row: QatRow; points: [number, number][] } {
  const cfg = ctx.cfg;
  restoreMlp(mlp, start.weights);
  const states: TsvdLayerState[] = start.states.map((s) => ({ ...s, residual: Float64Array.from(s.residual) }));
  const opts: TsvdOptions = { tol: start.tol, seed: cfg.seed, pruneRate: cfg.pruneRate };
  let dirty = false; // optimizer steps since the last retransition
  const project = (): void => {
    retransitionLayers(mlp, states, opts);
    dirty = false;
  };
  const afterStep = (step: number): void => {
    dirty = true;
    if ((step + 1) % every === 0) project();
  };
  // at each epoch end the evaluated weights must be exactly U diag(s) V
  const afterEpoch = (): void => {
    if (dirty) project();
  };
  const name = `training transition ${+(100 * start.tol).toFixed(2)}% every ${every}`;
  const ft = trainEpochs(ctx, mlp, name, cfg.fineTuneLr, cfg.fineTuneEpochs, cfg.epochs, afterStep, afterEpoch);
  const total = cfg.epochs + cfg.fineTuneEpochs;
  const r = row('training transition (F)', total, ft[ft.length - 1]?.[1] ?? start.row.accuracy, tsvdCounts(mlp, states), start.tol, states, every);
  return { row: r, points: [[cfg.epochs, start.row.accuracy], ...ft] };
}
