/**
 * Recomputing a compressed layer's error against the original model (report
 * --original): rebuild U diag(s) V from the factors in the compressed file and take
 * the relative operator-norm error ||W - W'||_2 / ||W||_2 (Lanczos, converged to
 * 1e-6 relative). Conv layers: per group, in the matrix layout of the stored form,
 * the largest over groups, which is how compress measured it.
 * The original's layers are selected once, with the shapes its (lenient) import
 * computed: a SAME-padded conv or a ConvTranspose with output_shape needs them.
 */
import { numel, ternaryFromValues, ternaryToInt8, TsvdcError, type TernaryTensor } from '@tsvdc/ir';
import type { Selection } from '../compress/select.js';
import { denseOperator } from '../linalg/operator.js';
import { sigmaMax } from '../linalg/lanczos.js';
import { ONNX_CODES } from '../onnx/codes.js';
import type { GraphIndex } from '../onnx/graph.js';
import { tensorValues } from '../onnx/tensor.js';
import type { CompressedLayer } from '../onnx/tsvd-meta.js';
import { convWeightFromFactors, formLayout, groupMatrix, type ConvForm, type WeightShape } from '../tsvd/conv-forms.js';

function norm2(data: Float64Array, rows: number, cols: number): number {
  return sigmaMax(denseOperator(data, rows, cols), { tol: 1e-6, maxIter: 500 }).sigma;
}

function factor(g: GraphIndex, name: string, transpose: boolean): TernaryTensor {
  const t = g.initializers.get(name)!;
  const v = tensorValues(t, { file: g.file });
  if (!transpose) return ternaryFromValues(t.dims, v);
  const [r, c] = [t.dims[0]!, t.dims[1]!];
  const out = new Float64Array(v.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = v[i * c + j]!;
  return ternaryFromValues([c, r], out);
}

/** U diag(s) V of a linear layer, [m, n] row-major. */
function linearApprox(U: TernaryTensor, s: Float64Array, V: TernaryTensor): Float64Array {
  const [m, r, n] = [U.rows, U.cols, V.cols];
  const u = ternaryToInt8(U);
  const v = ternaryToInt8(V);
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < r; k++) {
      const a = u[i * r + k]! * s[k]!;
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += a * v[k * n + j]!;
    }
  }
  return out;
}

/** The original model's weight layers, as compress selects them (planCompression). */
export type OriginalLayers = Selection & { readonly file: string };

/** The layer's error recomputed against the original model's layers. */
export function recomputeError(compressed: GraphIndex, orig: OriginalLayers, l: CompressedLayer): number {
  const site = orig.sites.find((s) => s.name === l.node);
  const fail = (why: string): never => {
    throw new TsvdcError(ONNX_CODES.originalMismatch, `layer ${JSON.stringify(l.node)}: ${why}`, { file: orig.file, node: l.node });
  };
  const skipped = orig.skipped.find((s) => s.node === l.node);
  if (!site && skipped) return fail(`the original ${skipped.op} of that name is not a layer tsvdc can read back: ${skipped.reason}`);
  if (!site) return fail('the original model has no Gemm/MatMul/Conv/ConvTranspose of that name with a constant weight');
  const job = orig.jobs[site.id]!;
  if (site.op !== l.op || site.weightShape.join() !== l.weightShape.join()) {
    fail(`the original is a ${site.op} with weight [${site.weightShape}], the compressed layer was a ${l.op} with [${l.weightShape}]`);
  }
  const s = tensorValues(compressed.initializers.get(l.s)!, { file: compressed.file });
  if (job.kind === 'matrix') {
    const approx = linearApprox(factor(compressed, l.U, true), s, factor(compressed, l.V, true));
    if (approx.length !== job.data.length) fail('factor shapes do not match the original weight');
    const diff = job.data.map((w, i) => w - approx[i]!);
    const ref = norm2(job.data, job.rows, job.cols);
    return ref === 0 ? 0 : norm2(diff, job.rows, job.cols) / ref;
  }
  const groups = l.groups ?? 1;
  const w = convWeightFromFactors({ U: factor(compressed, l.U, false), s, V: factor(compressed, l.V, false) }, groups);
  if (numel(w.shape) !== job.data.length) fail('factor shapes do not match the original weight');
  const shape = job.shape as WeightShape;
  const layout = formLayout((l.form ?? 0) as ConvForm, shape, groups);
  const diff = job.data.map((x, i) => x - w.data[i]!);
  let worst = 0;
  for (let g = 0; g < groups; g++) {
    const a = groupMatrix(layout, shape, job.data, g);
    const d = groupMatrix(layout, shape, diff, g);
    const ref = norm2(a.data, a.rows, a.cols);
    if (ref > 0) worst = Math.max(worst, norm2(d.data, d.rows, d.cols) / ref);
  }
  return worst;
}
