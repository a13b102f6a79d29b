/**
 * onnxruntime-node, the float reference: load a model (file or bytes) and run it on
 * float32 inputs. The only module of tsvdc's compiler package that talks to onnxruntime.
 * Models whose inputs are float64 or float16 get the same float32 data converted (a
 * float16 input rounds it); their outputs come back as float32 (a float64 output is
 * rounded once), so callers compare every model the same way.
 */
import * as ort from 'onnxruntime-node';
import { floatToHalf, halfToFloat } from '../onnx/tensor.js';

export interface FloatTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface OrtModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, FloatTensor>>): Promise<Record<string, FloatTensor>>;
}

function toOrt(v: FloatTensor, type: string | undefined): ort.Tensor {
  if (type === 'float64') return new ort.Tensor('float64', Float64Array.from(v.data), [...v.dims]);
  // without a global Float16Array, onnxruntime takes float16 data as its bits
  if (type === 'float16') return new ort.Tensor('float16', Uint16Array.from(v.data, floatToHalf), [...v.dims]);
  return new ort.Tensor('float32', v.data, [...v.dims]);
}

function fromOrt(v: ort.Tensor): FloatTensor {
  const dims = [...v.dims];
  if (v.type === 'float16' && v.data instanceof Uint16Array) return { dims, data: Float32Array.from(v.data, halfToFloat) };
  return { dims, data: v.data instanceof Float32Array ? v.data : Float32Array.from(v.data as ArrayLike<number>) };
}

/** Opens a session on one thread per run (sessions run in parallel from the caller instead). */
export async function loadOrt(model: string | Uint8Array, threads = 1): Promise<OrtModel> {
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
  const types = new Map(session.inputMetadata.map((m) => [m.name, m.isTensor ? m.type : undefined]));
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const t: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) t[k] = toOrt(v, types.get(k));
      const out = await session.run(t);
      const res: Record<string, FloatTensor> = {};
      for (const [k, v] of Object.entries(out)) res[k] = fromOrt(v);
      return res;
    },
  };
}
