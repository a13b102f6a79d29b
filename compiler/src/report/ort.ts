/**
 * onnxruntime-node, the float reference: load a model (file or bytes) and run it on
 * float32 inputs. The only module of tsvdc's compiler package that talks to onnxruntime.
 */
import * as ort from 'onnxruntime-node';

export interface FloatTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface OrtModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, FloatTensor>>): Promise<Record<string, FloatTensor>>;
}

/** Opens a session on one thread per run (sessions run in parallel from the caller instead). */
export async function loadOrt(model: string | Uint8Array, threads = 1): Promise<OrtModel> {
  const opts: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1 };
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(model, opts);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const t: Record<string, ort.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) t[k] = new ort.Tensor('float32', v.data, [...v.dims]);
      const out = await session.run(t);
      const res: Record<string, FloatTensor> = {};
      for (const [k, v] of Object.entries(out)) res[k] = { dims: [...v.dims], data: v.data as Float32Array };
      return res;
    },
  };
}
