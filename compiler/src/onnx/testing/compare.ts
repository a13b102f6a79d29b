/**
 * The importer's differential check: run a model with onnxruntime (the float reference)
 * and the imported module with the IR interpreter (float64) on the same inputs.
 * Test support only.
 */
import { interpret, tensor, verify, type Diagnostic, type Module, type Stage } from '@tsvdc/ir';
import { importOnnx } from '../import/index.js';
import { readModel } from '../read.js';
import { loadOrt, type FloatTensor } from '../../report/ort.js';

export interface Comparison {
  readonly module: Module;
  /** Verifier diagnostics at the module's own stage (or the one asked for). */
  readonly diagnostics: readonly Diagnostic[];
  /** max |ort - interp| / max(1, max |ort|) over all outputs. */
  readonly error: number;
  readonly ort: Record<string, FloatTensor>;
}

export interface CompareOptions {
  /** The stage to verify the module at (default: its own). */
  readonly stage?: Stage;
  /** Import keeps a dynamic batch dimension dynamic (the interpreter gets the feeds' size). */
  readonly dynamicBatch?: boolean;
}

export async function compareWithOrt(bytes: Uint8Array, feeds: Readonly<Record<string, FloatTensor>>, opts: CompareOptions = {}): Promise<Comparison> {
  const model = readModel(bytes, { file: 'test.onnx' });
  const module = importOnnx(model, opts.dynamicBatch ? {} : { batch: feeds[Object.keys(feeds)[0]!]!.dims[0]! });
  const diagnostics = verify(module, opts.stage ?? module.stage);
  const session = await loadOrt(bytes);
  const ort = await session.run(feeds);
  const ins = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, tensor(v.dims, Float64Array.from(v.data))]));
  const mine = interpret(module, ins, { mode: 'f64' });
  let error = 0;
  for (const name of session.outputNames) {
    const a = ort[name]!.data;
    const b = mine[name]!.data;
    if (a.length !== b.length) return { module, diagnostics, error: Infinity, ort };
    let scale = 1;
    for (const x of a) scale = Math.max(scale, Math.abs(x));
    for (let i = 0; i < a.length; i++) error = Math.max(error, Math.abs(a[i]! - b[i]!) / scale);
  }
  return { module, diagnostics, error, ort };
}

/** Random feeds for every graph input of a spec-built model (seeded). */
export function randomFeeds(inputs: ReadonlyArray<readonly [string, readonly number[]]>, seed = 7): Record<string, FloatTensor> {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  };
  return Object.fromEntries(inputs.map(([name, dims]) => [name, { dims, data: Float32Array.from({ length: dims.reduce((p, d) => p * d, 1) }, next) }]));
}
