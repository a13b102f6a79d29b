/**
 * Naive add trees (no sharing): every row summed on its own, either as one chain
 * left to right (`buildRowChain`, depth = terms - 1) or as a balanced sum (depth
 * ceil(log2 terms)). The starting point of CSE and the "before sharing" baseline.
 */
import { AddTreeBuilder, buildRowChain, type AddTree, type Origin } from '@tsvdc/ir';
import type { LinearForms } from './linear-forms.js';
import { SumBuilder, type SignedNode } from './sum-builder.js';

export type NaiveShape = 'balanced' | 'chain';

/** The tree computing `forms` row by row (coefficients must be +-1). */
export function buildNaive(forms: LinearForms, shape: NaiveShape, origin?: Origin): AddTree {
  if (shape === 'chain') {
    const b = new AddTreeBuilder(forms.lanes, forms.rows, forms.lane.length + forms.rows + 16);
    for (let r = 0; r < forms.rows; r++) {
      b.currentRow = r;
      const plus: number[] = [];
      const minus: number[] = [];
      for (let i = forms.start[r]!; i < forms.start[r + 1]!; i++) (forms.coef[i]! > 0 ? plus : minus).push(forms.lane[i]!);
      b.setOutput(r, buildRowChain(b, plus, minus));
    }
    return b.finish(origin);
  }
  const b = new SumBuilder(forms.lanes, forms.rows, forms.lane.length + forms.rows + 16);
  for (let r = 0; r < forms.rows; r++) {
    b.b.currentRow = r;
    const terms: SignedNode[] = [];
    for (let i = forms.start[r]!; i < forms.start[r + 1]!; i++) terms.push({ node: b.lane(forms.lane[i]!), neg: forms.coef[i]! < 0 });
    b.setOutput(r, b.value(terms));
  }
  return b.finish(origin);
}
