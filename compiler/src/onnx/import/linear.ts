/**
 * Gemm and MatMul with a constant operand -> `linear` (W [out, in], optional bias).
 * Gemm: Y = alpha * op(A) op(B) + beta * C; alpha and beta are folded into W and
 * bias, transA becomes a transpose node. MatMul: a constant right operand B [K, N]
 * gives W = B^T; a constant left operand A [M, K] with X [K, N] is transposed around
 * a linear (Y = (X^T A^T)^T). A following Add of a bias is folded by the Add handler.
 */
import { dense } from '@tsvdc/ir';
import { ONNX_CODES } from '../codes.js';
import { DTYPE } from '../proto.js';
import type { NodeCtx } from './context.js';
import { perChannel } from './fold.js';

/** Float32 unless the source tensor is DOUBLE (keeps the model's own precision). */
export function weightArray(data: Float64Array, dtype: number): Float32Array | Float64Array {
  return dtype === DTYPE.DOUBLE ? data : Float32Array.from(data);
}

/** [rows, cols] row-major -> its transpose, scaled. */
function transposed(data: Float64Array, rows: number, cols: number, scale = 1): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]! * scale;
  return out;
}

export function importGemm(c: NodeCtx): void {
  const x = c.type(0);
  if (x.shape.length !== 2) c.fail(ONNX_CODES.shapeMismatch, `input A must be a matrix, got [${x.shape}]`);
  const b = c.weights(1, 'weight B');
  if (b.dims.length !== 2) c.fail(ONNX_CODES.shapeMismatch, `weight B must be a matrix, got [${b.dims}]`);
  const alpha = c.float('alpha', 1);
  const beta = c.float('beta', 1);
  const transB = c.int('transB', 0) !== 0;
  const [n, k] = transB ? [b.dims[0]!, b.dims[1]!] : [b.dims[1]!, b.dims[0]!];
  const w = transB ? Float64Array.from(b.data, (v) => v * alpha) : transposed(b.data, b.dims[0]!, b.dims[1]!, alpha);
  let input = c.value(0);
  if (c.int('transA', 0) !== 0) input = c.emit('transpose', [input], { perm: [1, 0] }, { outputs: [c.temp('/transA')], suffix: '/transA' })[0]!;
  const attrs: Record<string, string> = { W: c.st.addConst(`${c.name}.W`, dense([n, k], weightArray(w, b.dtype))) };
  if (c.has(2) && beta !== 0) {
    const cc = c.constant(2);
    if (!cc) c.unsupported('a computed bias C is not supported (a constant C is)');
    const cv = c.weights(2, 'bias C');
    const bias = perChannel(cv.dims, cv.data.map((v) => v * beta), [x.shape[0]!, n], 1);
    if (!bias) c.unsupported(`bias C of shape [${cv.dims}] is not one value per output feature`);
    attrs['bias'] = c.st.addConst(`${c.name}.bias`, dense([n], weightArray(bias, cv.dtype)));
  }
  c.emit('linear', [input], attrs);
}

export function importMatMul(c: NodeCtx): void {
  const right = c.constant(1);
  const left = c.constant(0);
  if (right && left) c.unsupported('both operands are constants (fold them before import)');
  if (!right && !left) c.unsupported('MatMul of two computed tensors (tsvdc imports MatMul with one constant operand)');
  if (right) {
    const b = c.weights(1, 'weight B');
    if (b.dims.length !== 2) c.unsupported(`a constant operand of rank ${b.dims.length} (batched MatMul) is not supported`);
    const [k, n] = [b.dims[0]!, b.dims[1]!];
    const W = c.st.addConst(`${c.name}.W`, dense([n, k], weightArray(transposed(b.data, k, n), b.dtype)));
    c.emit('linear', [c.value(0)], { W });
    return;
  }
  const a = c.weights(0, 'weight A');
  const x = c.type(1);
  if (a.dims.length !== 2 || x.shape.length !== 2) c.unsupported(`a constant left operand needs both operands to be matrices, got [${a.dims}] and [${x.shape}]`);
  const W = c.st.addConst(`${c.name}.W`, dense(a.dims, weightArray(a.data, a.dtype)));
  const xt = c.emit('transpose', [c.value(1)], { perm: [1, 0] }, { outputs: [c.temp('/xT')], suffix: '/xT' })[0]!;
  const yt = c.emit('linear', [xt], { W }, { outputs: [c.temp('/yT')] })[0]!;
  c.emit('transpose', [yt], { perm: [1, 0] }, { suffix: '/yT' });
}
