/**
 * Beyond the paper (option `refine`): alternating refinement of the k new ternary
 * components of a step before the joint refit. The paper ternarizes the singular
 * vectors u, v of the residual R independently; but once v is ternary, the best
 * direction for u is R v (and then R^T u for v), not the singular vector. Each
 * pass re-ternarizes u_a = policy(R v_a), then v_a = policy(R^T u_a), for all new
 * components at once (two block products of width k). R is the residual before
 * the step; the new components come from orthogonal singular directions, so
 * their mutual interference is ignored here and settled by the joint refit.
 */
import type { LinearOperator } from '../linalg/operator.js';
import { ternaryPolicy } from './policy.js';

export function refineComponents(op: LinearOperator, us: Int8Array[], vs: Int8Array[], passes: number, cosThresh: number): void {
  const k = us.length;
  const { rows: m, cols: n } = op;
  if (k === 0 || passes <= 0) return;
  const X = new Float64Array(n * k);
  const Y = new Float64Array(m * k);
  const col = (P: Float64Array, len: number, a: number): Float64Array => {
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = P[i * k + a]!;
    return out;
  };
  for (let pass = 0; pass < passes; pass++) {
    for (let a = 0; a < k; a++) for (let j = 0; j < n; j++) X[j * k + a] = vs[a]![j]!;
    op.apply(X, Y, k);
    for (let a = 0; a < k; a++) us[a] = ternaryPolicy(col(Y, m, a), cosThresh);
    for (let a = 0; a < k; a++) for (let i = 0; i < m; i++) Y[i * k + a] = us[a]![i]!;
    op.applyT(Y, X, k);
    for (let a = 0; a < k; a++) vs[a] = ternaryPolicy(col(X, n, a), cosThresh);
  }
}
