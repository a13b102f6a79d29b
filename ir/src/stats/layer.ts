/**
 * Cost of one node, per inference of one sample (the batch dimension, dimension 0, is
 * left out; a dynamic batch counts as 1):
 *   muls        multiplications (dense MACs; TSVD scalings; scale / mul / mulconst / requant)
 *   addsBefore  additions without sharing: dense MACs, a ternary stage's nnz - non-zero rows
 *               per window, plus bias and add elementwise additions
 *   addsAfter   the same with each add tree counted as its adders (countAdders: add, sub, neg
 *               nodes reachable from the rows a window computes)
 * Pooling, softmax, layernorm and activations are not counted (they are neither x nor + of
 * the paper's tables).
 */
import type { AddTree } from '../addtree.js';
import { countAddersByGroup, treeDepths } from '../addtree.js';
import type { Module, Node } from '../module.js';
import { convOutSize } from '../ops.js';
import type { TensorType } from '../tensor.js';
import { numel } from '../tensor.js';
import type { TernaryTensor } from '../ternary.js';
import { ternaryNnz, ternaryRowTerms } from '../ternary.js';

export interface Counts {
  muls: number;
  addsBefore: number;
  addsAfter: number;
}

/** Elements per sample of a value (dimension 0 is the batch). */
export function perSample(t: TensorType): number {
  return t.shape.length <= 1 ? Math.max(1, numel(t.shape.map((d) => Math.max(d, 1)))) : numel(t.shape.slice(1).map((d) => Math.max(d, 1)));
}

/** nnz - non-zero rows: the additions of a ternary matrix summed row by row. */
export function ternaryAdds(t: TernaryTensor): number {
  let rows = 0;
  for (let o = 0; o < t.rows; o++) {
    const { plus, minus } = ternaryRowTerms(t, o);
    if (plus.length + minus.length > 0) rows++;
  }
  return ternaryNnz(t) - rows;
}

/** Depth of the deepest output of a tree (lanes at depth 0; -1 rows ignored). */
export function treeDepth(t: AddTree): number {
  const d = treeDepths(t);
  let max = 0;
  for (const o of t.outputs) if (o >= 0 && d[o]! > max) max = d[o]!;
  return max;
}

interface Env {
  readonly m: Module;
  readonly n: Node;
  readonly x: TensorType;
  readonly y: TensorType;
}

const cnst = <T>(e: Env, key: string): T | undefined => {
  const name = e.n.attrs[key];
  return (typeof name === 'string' ? e.m.consts.get(name) : undefined) as T | undefined;
};

/** Spatial positions per sample of an NCHW value. */
const positions = (t: TensorType): number => (t.shape.length === 4 ? Math.max(1, t.shape[2]!) * Math.max(1, t.shape[3]!) : 1);
/** Vectors per sample a matrix op is applied to ([N, ..., n]). */
const vectors = (t: TensorType): number => numel(t.shape.slice(1, -1).map((d) => Math.max(d, 1)));

function stageCounts(e: Env, adds: number, windows: number, groups: number): Counts {
  const t = typeof e.n.attrs['tree'] === 'string' ? e.m.trees.get(e.n.attrs['tree'] as string) : undefined;
  const before = adds * windows;
  return { muls: 0, addsBefore: before, addsAfter: t ? countAddersByGroup(t, groups) * windows : before };
}

function tconv2dCounts(e: Env): Counts {
  const [U, V] = [cnst<TernaryTensor>(e, 'U')!, cnst<TernaryTensor>(e, 'V')!];
  const a = e.n.attrs;
  const p = (a['pads'] as number[] | undefined) ?? [0, 0, 0, 0];
  const vs = (a['vStrides'] as number[] | undefined) ?? [1, 1];
  const vd = (a['vDilations'] as number[] | undefined) ?? [1, 1];
  const mid = convOutSize(e.x.shape[2]!, V.shape[2]!, vs[0]!, vd[0]!, p[0]!, p[2]!) * convOutSize(e.x.shape[3]!, V.shape[3]!, vs[1]!, vd[1]!, p[1]!, p[3]!);
  const bias = a['bias'] !== undefined ? perSample(e.y) : 0;
  const adds = ternaryAdds(V) * mid + ternaryAdds(U) * positions(e.y) + bias;
  return { muls: V.rows * mid, addsBefore: adds, addsAfter: adds };
}

/** The counts of one node (zeros for ops that are neither multiplications nor additions). */
export function nodeCounts(m: Module, n: Node): Counts {
  const x = m.values.get(n.inputs[0] ?? '');
  const y = m.values.get(n.outputs[0] ?? '');
  const zero = { muls: 0, addsBefore: 0, addsAfter: 0 };
  if (!x || !y) return zero;
  const e: Env = { m, n, x, y };
  const elems = perSample(y);
  const withBias = (c: number): Counts => {
    const b = n.attrs['bias'] !== undefined ? elems : 0;
    return { muls: c, addsBefore: c + b, addsAfter: c + b };
  };
  switch (n.op) {
    case 'linear': { const w = cnst<{ shape: number[] }>(e, 'W')!; return withBias(vectors(x) * w.shape[0]! * w.shape[1]!); }
    case 'conv2d': { const w = cnst<{ shape: number[] }>(e, 'W')!; return withBias(elems * numel(w.shape.slice(1))); }
    case 'convtranspose2d': { const w = cnst<{ shape: number[] }>(e, 'W')!; return withBias(perSample(x) * numel(w.shape.slice(1))); }
    case 'tlinear': {
      const [U, V] = [cnst<TernaryTensor>(e, 'U')!, cnst<TernaryTensor>(e, 'V')!];
      const adds = (ternaryAdds(V) + ternaryAdds(U)) * vectors(x) + (n.attrs['bias'] !== undefined ? elems : 0);
      return { muls: V.rows * vectors(x), addsBefore: adds, addsAfter: adds };
    }
    case 'tconv2d': return tconv2dCounts(e);
    case 'tmatvec': return stageCounts(e, ternaryAdds(cnst<TernaryTensor>(e, 'weights')!), vectors(x), 1);
    case 'tconv': return stageCounts(e, ternaryAdds(cnst<TernaryTensor>(e, 'weights')!), positions(y), (n.attrs['groups'] as number | undefined) ?? 1);
    case 'scale': case 'mul': case 'mulconst': case 'requant': return { muls: elems, addsBefore: 0, addsAfter: 0 };
    case 'bias': case 'add': return { muls: 0, addsBefore: elems, addsAfter: elems };
    default: return zero;
  }
}
