/** Test support for the bit-widths tests: one ternary stage on fixed-point inputs. */
import { fixedElem, maxOf, minOf, ternaryFromValues, type Module } from '@tsvdc/ir';
import { ModuleBuilder } from '@tsvdc/ir/testing/models';
import { addTreeBalance } from '../add-tree-balance.js';
import { addTreeCse } from '../add-tree-cse.js';
import { buildNaive } from '../addtree/naive.js';
import { rowsFromTernary } from '../addtree/linear-forms.js';
import { typeTree } from './tree-types.js';

/** x : fx<bits,0>[?, lanes] -> tmatvec with a typed tree (types filled by bit-widths) -> dequantize. */
export function stageModule(rows: number, lanes: number, values: number[], bits: number, shape: 'cse' | 'chain'): Module {
  const b = new ModuleBuilder('w', 'integer');
  const x = b.input([-1, lanes], fixedElem(bits, 0), 'x');
  const w = ternaryFromValues([rows, lanes], values);
  // typed from the declared input range only (wider than the rows need); bit-widths refines it
  const full = { lo: new Float64Array(lanes).fill(minOf(bits)), hi: new Float64Array(lanes).fill(maxOf(bits)) };
  const tree = b.tree('t', typeTree(buildNaive(rowsFromTernary(w), 'chain'), full, 0));
  const y = b.op('tmatvec', [x], { weights: b.constant('W', w), tree }, fixedElem(bits + 8, 0));
  const m = b.output(b.op('dequantize', [y])).build();
  return shape === 'cse' ? addTreeBalance(addTreeCse(m), { slack: 0 }) : m;
}
