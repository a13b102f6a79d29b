/** Scheduled-stage modules: an integer module with a consistent schedule on every ternary stage. */
import type { Module, Node } from '../../module.js';
import type { TernaryTensor } from '../../ternary.js';
import { Rng } from './rng.js';

export function scheduledModule(m: Module, seed: number): Module {
  const rng = new Rng(seed ^ 0x165667b1);
  const nodes = m.nodes.map((n): Node => {
    if (n.op !== 'tmatvec' && n.op !== 'tconv') return n;
    const w = m.consts.get(n.attrs['weights'] as string) as TernaryTensor;
    const spatial = n.attrs['tree'] !== undefined && rng.bool();
    const sched = spatial
      ? { arch: 'spatial', regEvery: rng.int(1, 3) }
      : { arch: 'folded', pe: rng.int(1, w.rows), simd: rng.int(1, w.cols), ...(rng.bool() ? { regEvery: rng.int(1, 4) } : {}) };
    return { ...n, attrs: { ...n.attrs, ...sched } };
  });
  return { ...m, stage: 'scheduled', nodes };
}
