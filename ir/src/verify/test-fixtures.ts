/**
 * Small valid modules for the verifier's per-invariant tests, and ways to break them
 * minimally (every test starts from one of these, checks it is clean, then breaks one thing).
 */
import { AddTreeBuilder, buildRowChain, type AddTree } from '../addtree.js';
import type { AttrValue, Module, Node } from '../module.js';
import type { Const, TensorType } from '../tensor.js';
import { dense, F32, fixedElem, intConst } from '../tensor.js';
import { ternaryFromValues, ternaryRowTerms, type TernaryTensor } from '../ternary.js';
import { ModuleBuilder, typedTree } from '../testing/models.js';

export const W3x4 = [1, 0, -1, 1, 0, 1, 1, 0, -1, -1, 0, 1];

export function chainTree(w: TernaryTensor): AddTree {
  const b = new AddTreeBuilder(w.cols, w.rows);
  for (let o = 0; o < w.rows; o++) {
    b.currentRow = o;
    const { plus, minus } = ternaryRowTerms(w, o);
    b.setOutput(o, buildRowChain(b, plus, minus));
  }
  return b.finish({ node: 'fc1', part: 'V' });
}

/** graph: x f32[2,4] -> linear(W [3,4], bias) -> relu */
export function graphModule(): Module {
  const b = new ModuleBuilder('g', 'graph');
  const x = b.input([2, 4], F32, 'x');
  const W = b.constant('W', dense([3, 4], Float32Array.from(W3x4, (v) => v * 0.5)));
  const bias = b.constant('b', dense([3], Float32Array.of(0.1, 0.2, 0.3)));
  return b.output(b.op('relu', [b.op('linear', [x], { W, bias })])).build();
}

/** addtree: x f32[2,4] -> tmatvec(weights, tree) -> scale -> bias */
export function addtreeModule(): Module {
  const b = new ModuleBuilder('a', 'addtree');
  const x = b.input([2, 4], F32, 'x');
  const w = ternaryFromValues([3, 4], W3x4);
  const weights = b.constant('V', w);
  const tree = b.tree('t', chainTree(w));
  const y = b.op('tmatvec', [x], { weights, tree });
  const s = b.op('scale', [y], { s: b.constant('s', dense([3], Float32Array.of(0.5, 0.25, 2))) });
  return b.output(b.op('bias', [s], { b: b.constant('b', dense([3], Float32Array.of(1, 2, 3))) })).build();
}

/** integer: quantize fx<8,4> -> tmatvec (typed tree) fx<10,4> -> requant fx<8,3> -> relu -> dequantize */
export function integerModule(stage: 'integer' | 'scheduled' = 'integer'): Module {
  const b = new ModuleBuilder('i', stage);
  const x = b.input([2, 4], F32, 'x');
  const q = b.op('quantize', [x], { type: { width: 8, frac: 4 } });
  const w = ternaryFromValues([3, 4], W3x4);
  const weights = b.constant('V', w);
  const tree = b.tree('t', typedTree(chainTree(w), 4, -128, 127));
  const sched: Record<string, AttrValue> = stage === 'scheduled' ? { arch: 'spatial', regEvery: 2 } : {};
  const y = b.op('tmatvec', [q], { weights, tree, ...sched }, fixedElem(10, 4));
  const r = b.op('requant', [y], { c: b.constant('c', intConst([1], [3])), shift: 3, type: { width: 8, frac: 3 } });
  return b.output(b.op('dequantize', [b.op('relu', [r])])).build();
}

export function patchNode(m: Module, index: number, patch: Partial<Node>): Module {
  return { ...m, nodes: m.nodes.map((n, i) => (i === index ? { ...n, ...patch } : n)) };
}

export function patchAttrs(m: Module, index: number, attrs: Record<string, AttrValue | undefined>): Module {
  const merged = { ...m.nodes[index]!.attrs, ...attrs };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  return patchNode(m, index, { attrs: merged as Record<string, AttrValue> });
}

export function setValue(m: Module, name: string, t: TensorType): Module {
  return { ...m, values: new Map([...m.values, [name, t]]) };
}

export function setConst(m: Module, name: string, c: Const): Module {
  return { ...m, consts: new Map([...m.consts, [name, c]]) };
}

export function setTree(m: Module, name: string, t: AddTree): Module {
  return { ...m, trees: new Map([...m.trees, [name, t]]) };
}
