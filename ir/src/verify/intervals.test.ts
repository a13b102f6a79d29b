// The interval analysis against exhaustive evaluation at small widths: every 4-bit input of
// 4 lanes (65 536 vectors) through the exact interpreter.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { liveNodes } from '../addtree.js';
import { widthFor } from '../fixed.js';
import { interpret } from '../interp/index.js';
import { fixedElem } from '../tensor.js';
import { ternaryFromValues } from '../ternary.js';
import { ModuleBuilder, outputInterval, Rng, treeOf, typedTree } from '../testing/models.js';
import { verify } from './index.js';

const LANES = 4;
const ALL = 16 ** LANES;

/** Every vector of LANES 4-bit integers, as a [ALL, LANES] tensor. */
function allInputs(): Float64Array {
  const x = new Float64Array(ALL * LANES);
  for (let v = 0; v < ALL; v++) for (let l = 0; l < LANES; l++) x[v * LANES + l] = ((v >> (4 * l)) & 15) - 8;
  return x;
}

describe('interval analysis is sound and, for row trees, tight', () => {
  const x = allInputs();
  it('declared = computed intervals: verify accepts, exact never throws, every bound is reached', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1 << 30 }), fc.integer({ min: 1, max: 4 }), (s, rows) => {
      const rng = new Rng(s);
      const w = ternaryFromValues([rows, LANES], rng.trits(rows * LANES, 0.3));
      const t = typedTree(treeOf(w, rng.bool() ? 'chain' : 'balanced'), 0, -8, 7);
      const [lo, hi] = outputInterval(t);
      const b = new ModuleBuilder('e', 'integer');
      const inp = b.input([ALL, LANES], fixedElem(4, 0), 'x');
      const m = b.output(b.op('tmatvec', [inp], { weights: b.constant('w', w), tree: b.tree('t', t) }, fixedElem(widthFor(lo, hi), 0))).build();
      expect(verify(m)).toEqual([]);
      // exhaustive: no input overflows any node or the result
      const y = Object.values(interpret(m, { x: { shape: [ALL, LANES], data: x } }, { mode: 'exact' }))[0]!.data;
      // tightness: each output row reaches both ends of its node's declared interval
      const live = liveNodes(t);
      for (let o = 0; o < rows; o++) {
        const id = t.outputs[o]!;
        if (id < 0) continue;
        expect(live[id]).toBe(1);
        let [mn, mx] = [Infinity, -Infinity];
        for (let v = 0; v < ALL; v++) { const q = y[v * rows + o]!; if (q < mn) mn = q; if (q > mx) mx = q; }
        expect([mn, mx]).toEqual([t.types!.lo[id], t.types!.hi[id]]);
      }
    }), { numRuns: 40 });
  });
});
