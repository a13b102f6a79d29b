/**
 * Where calibration inputs come from (`tsvdc compile --calib N --calib-data PATH`):
 * a .npy array of samples [N, ...input dims], an MNIST-layout directory (its training
 * images, scaled to [0, 1] then normalised by --calib-norm), or, without data, N
 * seeded uniform samples in [-1, 1]. Samples go out in batches of the input's batch
 * size (64 when it is dynamic).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { numel, TsvdcError, type Module, type Tensor } from '@tsvdc/ir';
import { parseNpy } from '../../npy/npy.js';
import { loadImageSet } from '../../train/fashion-mnist.js';
import { PASS_CODES } from '../codes.js';
import type { CalibrationData } from './calibrate.js';

export interface CalibrationSource {
  /** Samples to use (default 256). */
  readonly count?: number;
  /** .npy file or MNIST-layout directory; random inputs when absent. */
  readonly path?: string;
  /** (x - mean) / std applied to dataset images (default 0, 1). */
  readonly norm?: readonly [number, number];
  readonly seed?: number;
}

/** The calibration batches for `m` (whose single input takes one sample per batch row). */
export function calibrationBatches(m: Module, src: CalibrationSource = {}): { data: CalibrationData; description: string } {
  const count = src.count ?? 256;
  if (!Number.isInteger(count) || count < 1) throw new TsvdcError(PASS_CODES.badCalibration, `--calib must be a positive integer, got ${count}`);
  if (src.path === undefined) return { data: randomBatches(m, count, src.seed ?? 1), description: `${count} random samples in [-1, 1]` };
  if (m.inputs.length !== 1) throw new TsvdcError(PASS_CODES.badCalibration, `calibration files need a model with one input, it has ${m.inputs.length}`, { file: src.path });
  const input = m.inputs[0]!;
  const dims = m.values.get(input)!.shape.slice(1);
  const per = numel(dims);
  const samples = isMnistDir(src.path) ? mnistSamples(src.path, per, count, src.norm ?? [0, 1]) : npySamples(src.path, dims);
  const n = Math.min(count, samples.length / per);
  return { data: batches(m, input, samples.subarray(0, n * per), n), description: `${n} samples from ${src.path}` };
}

function isMnistDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'train-images-idx3-ubyte.gz'));
}

/** The first `count` training images, normalised (only those: all 60 000 as float64 took ~9 s and 376 MB). */
function mnistSamples(dir: string, per: number, count: number, [mean, std]: readonly [number, number]): Float64Array {
  const set = loadImageSet(dir, 'train');
  if (set.pixels !== per) throw new TsvdcError(PASS_CODES.badCalibration, `images have ${set.pixels} pixels, the model input takes ${per} values per sample`, { file: dir });
  const out = new Float64Array(Math.min(count, set.count) * per);
  for (let i = 0; i < out.length; i++) out[i] = (set.images[i]! - mean) / std;
  return out;
}

function npySamples(path: string, dims: readonly number[]): Float64Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new TsvdcError(PASS_CODES.badCalibration, `cannot read calibration data (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: path });
  }
  const arr = parseNpy(bytes, path, ['f4', 'f8']);
  const ok = arr.shape.length === dims.length + 1 && arr.shape.slice(1).every((d, i) => dims[i] === -1 || d === dims[i]);
  if (!ok) throw new TsvdcError(PASS_CODES.badCalibration, `shape (${arr.shape.join(', ')}) is not [N, ${dims.join(', ')}] for the model input`, { file: path });
  return arr.data;
}

function batches(m: Module, input: string, samples: Float64Array, n: number): CalibrationData {
  const shape = m.values.get(input)!.shape;
  const size = shape[0]! > 0 ? shape[0]! : 64;
  const per = samples.length / n;
  const out: Array<Record<string, Tensor>> = [];
  for (let i = 0; i + (shape[0]! > 0 ? size : 1) <= n; i += size) {
    const k = Math.min(size, n - i);
    out.push({ [input]: { shape: [k, ...shape.slice(1)], data: samples.slice(i * per, (i + k) * per) } });
  }
  if (out.length === 0) throw new TsvdcError(PASS_CODES.badCalibration, `the model input takes batches of ${size}; ${n} calibration samples are not enough`);
  return out;
}

function randomBatches(m: Module, count: number, seed: number): CalibrationData {
  let s = seed >>> 0;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const out: Array<Record<string, Tensor>> = [];
  const dyn = m.inputs.every((v) => m.values.get(v)!.shape[0] === -1);
  const size = dyn ? 64 : m.values.get(m.inputs[0]!)!.shape[0]!;
  for (let i = 0; i < count; i += size) {
    const k = dyn ? Math.min(size, count - i) : size;
    const batch: Record<string, Tensor> = {};
    for (const v of m.inputs) {
      const shape = [k, ...m.values.get(v)!.shape.slice(1).map((d) => (d === -1 ? 1 : d))];
      batch[v] = { shape, data: Float64Array.from({ length: numel(shape) }, next) };
    }
    out.push(batch);
  }
  return out;
}
