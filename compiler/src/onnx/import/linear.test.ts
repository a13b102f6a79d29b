import { describe, expect, it } from 'vitest';
import { buildModel, float, node, rng, valueInfo, weight } from '../testing/builder.js';
import { compareWithOrt, randomFeeds } from '../testing/compare.js';
import { writeModel } from '../write.js';

const r = rng(11);

describe('Gemm', () => {
  const cases = [
    { transA: 0, transB: 1, cDims: [5] },
    { transA: 0, transB: 0, cDims: [1, 5] },
    { transA: 1, transB: 1, cDims: [] },
    { transA: 1, transB: 0, cDims: undefined },
  ];
  for (const c of cases) {
    it(`transA=${c.transA} transB=${c.transB} C [${c.cDims ?? 'none'}] alpha 0.7 beta 1.3 matches onnxruntime`, async () => {
      const a = c.transA ? [4, 3] : [3, 4];
      const b = c.transB ? [5, 4] : [4, 5];
      const inits = [weight('B', b, r), ...(c.cDims ? [weight('C', c.cDims, r)] : [])];
      const bytes = writeModel(buildModel({
        inputs: [valueInfo('x', a)], outputs: [valueInfo('y', [3, 5])], initializers: inits,
        nodes: [node('Gemm', ['x', 'B', ...(c.cDims ? ['C'] : [])], ['y'], { transA: c.transA, transB: c.transB, alpha: float(0.7), beta: float(1.3) })],
      }));
      const res = await compareWithOrt(bytes, randomFeeds([['x', a]]));
      expect(res.diagnostics).toEqual([]);
      expect(res.module.nodes.map((n) => n.op)).toEqual(c.transA ? ['transpose', 'linear'] : ['linear']);
      expect(res.error).toBeLessThan(1e-5);
    });
  }
});

describe('MatMul with a constant operand', () => {
  it('x [2,3,4] @ B [4,6] + bias: the Add is folded into the linear', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [2, 3, 4])], outputs: [valueInfo('y', [2, 3, 6])],
      initializers: [weight('B', [4, 6], r), weight('b', [6], r)],
      nodes: [node('MatMul', ['x', 'B'], ['t']), node('Add', ['t', 'b'], ['y'])],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [2, 3, 4]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => [n.op, n.outputs[0], Object.keys(n.attrs).sort()])).toEqual([['linear', 'y', ['W', 'bias']]]);
    expect(res.error).toBeLessThan(1e-5);
  });

  it('A [3,4] @ x [4,5]: transposes around a linear', async () => {
    const bytes = writeModel(buildModel({
      inputs: [valueInfo('x', [4, 5])], outputs: [valueInfo('y', [3, 5])],
      initializers: [weight('A', [3, 4], r)],
      nodes: [node('MatMul', ['A', 'x'], ['y'])],
    }));
    const res = await compareWithOrt(bytes, randomFeeds([['x', [4, 5]]]));
    expect(res.diagnostics).toEqual([]);
    expect(res.module.nodes.map((n) => n.op)).toEqual(['transpose', 'linear', 'transpose']);
    expect(res.error).toBeLessThan(1e-5);
  });
});
