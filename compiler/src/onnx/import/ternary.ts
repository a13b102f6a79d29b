/**
 * Re-import of layers `tsvdc compress` wrote (tsvd-meta.ts): the chain
 * [Transpose] -> MatMul/Conv(V) -> Mul(s) -> MatMul/Conv(U) -> [Add(bias)] becomes one
 * `tlinear` / `tconv2d`. The chain is checked against the metadata (every listed node
 * used, factors ternary, shapes consistent); any mismatch is TSVDC215, because a tool
 * that rewrote the graph may have changed what the layer computes.
 * A compressed ConvTranspose has no ternary IR op yet: it is imported as a dense
 * `convtranspose2d` whose weight is U diag(s) V (the same function, in float).
 */
import { dense, ternaryFromValues, TsvdcError, type TernaryTensor } from '@tsvdc/ir';
import { ONNX_CODES } from '../codes.js';
import type { NodeProto } from '../proto.js';
import { tensorValues } from '../tensor.js';
import type { CompressedLayer } from '../tsvd-meta.js';
import { convWeightFromFactors } from '../../tsvd/conv-forms.js';
import type { NodeCtx } from './context.js';

/** The layer's nodes: `first` reads the input (V, or U for a ConvTranspose), `second` follows the scaling. */
interface Chain {
  transA?: NodeProto;
  first: NodeProto;
  s: NodeProto;
  second: NodeProto;
  bias?: NodeProto;
  used: Set<number>;
}

function fail(c: NodeCtx, l: CompressedLayer, why: string): never {
  throw new TsvdcError(ONNX_CODES.badCompressedLayer, `compressed layer ${JSON.stringify(l.node)}: ${why}`, { file: c.st.file, node: l.node });
}

/** Follows the chain from the layer input through the listed nodes. */
function followChain(c: NodeCtx, l: CompressedLayer, members: ReadonlyMap<string, number>): Chain {
  const used = new Set<number>();
  const g = c.st.g;
  const next = (value: string, ops: readonly string[], what: string): NodeProto => {
    for (const i of g.consumers.get(value) ?? []) {
      const n = g.nodes[i]!;
      if (members.get(g.names[i]!) === i && ops.includes(n.opType ?? '') && n.input[0] === value) {
        used.add(i);
        return n;
      }
    }
    return fail(c, l, `no ${what} node (${ops.join('/')}) of the layer reads ${JSON.stringify(value)}`);
  };
  // a factor is read from its initializer, directly or through a Cast listed in the layer
  const factor = (n: NodeProto, init: string, what: string): void => {
    const src = n.input[1] ?? '';
    if (src === init) return;
    const p = g.producer.get(src);
    const cast = p === undefined ? undefined : g.nodes[p]!;
    if (!cast || cast.opType !== 'Cast' || cast.input[0] !== init || members.get(g.names[p!]!) !== p) {
      fail(c, l, `the ${what} node does not read initializer ${JSON.stringify(init)}`);
    }
    used.add(p!);
  };
  const isConv = l.op === 'Conv' || l.op === 'ConvTranspose';
  const mm = isConv ? [l.op] : ['MatMul'];
  let cur = l.input;
  let transA: NodeProto | undefined;
  const transposeFirst = (g.consumers.get(cur) ?? []).some((i) => g.nodes[i]!.opType === 'Transpose' && members.get(g.names[i]!) === i);
  if (transposeFirst) {
    transA = next(cur, ['Transpose'], 'transA');
    cur = transA.output[0]!;
  }
  const [firstInit, secondInit] = l.op === 'ConvTranspose' ? [l.U, l.V] : [l.V, l.U];
  const first = next(cur, mm, 'first factor');
  factor(first, firstInit, 'first factor');
  const s = next(first.output[0]!, ['Mul'], 's');
  if (s.input[1] !== l.s) fail(c, l, `the s node does not read initializer ${JSON.stringify(l.s)}`);
  const second = next(s.output[0]!, mm, 'second factor');
  factor(second, secondInit, 'second factor');
  let bias: NodeProto | undefined;
  if (l.bias !== undefined) {
    bias = next(second.output[0]!, ['Add'], 'bias');
    if (bias.input[1] !== l.bias) fail(c, l, `the bias node does not read initializer ${JSON.stringify(l.bias)}`);
  }
  const last = bias ?? second;
  if (last.output[0] !== l.output) fail(c, l, `the chain ends in ${JSON.stringify(last.output[0])}, the metadata says ${JSON.stringify(l.output)}`);
  if (used.size !== members.size) fail(c, l, `${members.size - used.size} of its listed nodes are not on the chain from ${JSON.stringify(l.input)}`);
  return { ...(transA ? { transA } : {}), first, s, second, ...(bias ? { bias } : {}), used };
}

function initializer(c: NodeCtx, l: CompressedLayer, name: string): { dims: number[]; data: Float64Array } {
  const t = c.st.g.initializers.get(name);
  if (!t) fail(c, l, `initializer ${JSON.stringify(name)} is missing`);
  return { dims: [...t.dims], data: tensorValues(t, { file: c.st.file, node: l.node }) };
}

function ternary(c: NodeCtx, l: CompressedLayer, name: string, shape: readonly number[], transpose: boolean): TernaryTensor {
  const t = initializer(c, l, name);
  const bad = t.data.findIndex((v) => v !== 0 && v !== 1 && v !== -1);
  if (bad >= 0) fail(c, l, `factor ${JSON.stringify(name)} holds ${t.data[bad]} at flat index ${bad}, not -1, 0 or 1`);
  if (!transpose) return ternaryFromValues(shape, t.data);
  const [rows, cols] = [shape[0]!, shape[1]!];
  const vals = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) vals[i * cols + j] = t.data[j * rows + i]!;
  return ternaryFromValues(shape, vals);
}

function attrInts(n: NodeProto, name: string, dflt: number[]): number[] {
  return n.attribute.find((a) => a.name === name)?.ints ?? dflt;
}

/** Emits the IR for one compressed layer; `c` is the layer's entry node. */
export function importCompressedLayer(c: NodeCtx, l: CompressedLayer, members: ReadonlyMap<string, number>): void {
  const ch = followChain(c, l, members);
  for (const i of ch.used) c.st.skip.add(i);
  const st = c.st;
  const name = (part: string): string => `${l.node}.tsvd.${part}`;
  const sv = initializer(c, l, l.s).data;
  const r = sv.length;
  const attrs: Record<string, string | number | number[]> = { s: st.addConst(name('s'), dense([r], Float32Array.from(sv))) };
  if (l.bias !== undefined) {
    const b = initializer(c, l, l.bias).data;
    attrs['bias'] = st.addConst(name('bias'), dense([b.length], Float32Array.from(b)));
  }
  let input = st.resolve(l.input);
  if (ch.transA) input = c.emit('transpose', [input], { perm: [1, 0] }, { outputs: [c.temp('/transA')], suffix: '/transA', as: l.node })[0]!;
  const vDims = initializer(c, l, l.V).dims;
  const uDims = initializer(c, l, l.U).dims;
  if (l.op === 'Gemm' || l.op === 'MatMul') {
    if (vDims.length !== 2 || uDims.length !== 2 || vDims[1] !== r || uDims[0] !== r) fail(c, l, `factor shapes [${vDims}], [${uDims}] do not fit rank ${r}`);
    attrs['V'] = st.addConst(name('V'), ternary(c, l, l.V, [r, vDims[0]!], true));
    attrs['U'] = st.addConst(name('U'), ternary(c, l, l.U, [uDims[1]!, r], true));
    st.ternary = true;
    c.emit('tlinear', [input], attrs, { outputs: [l.output], as: l.node });
    return;
  }
  const groups = ch.first.attribute.find((a) => a.name === 'group')?.i ?? 1;
  const U = ternary(c, l, l.U, uDims, false);
  const V = ternary(c, l, l.V, vDims, false);
  if (attrInts(ch.first, 'pads', [0, 0, 0, 0]).some((p) => p !== 0) && l.op === 'ConvTranspose') fail(c, l, 'the first transposed conv is padded (tsvdc crops once, in the second)');
  if (l.op === 'ConvTranspose') {
    const w = convWeightFromFactors({ U, s: sv, V }, groups);
    const W = st.addConst(name('W'), dense(w.shape, Float32Array.from(w.data)));
    c.emit('convtranspose2d', [input], {
      W, ...(attrs['bias'] ? { bias: attrs['bias'] } : {}), groups, pads: attrInts(ch.second, 'pads', [0, 0, 0, 0]),
      strides: mulPairs(attrInts(ch.first, 'strides', [1, 1]), attrInts(ch.second, 'strides', [1, 1])),
      dilations: mulPairs(attrInts(ch.first, 'dilations', [1, 1]), attrInts(ch.second, 'dilations', [1, 1])),
      outputPadding: attrInts(ch.second, 'output_padding', [0, 0]),
    }, { outputs: [l.output], as: l.node });
    return;
  }
  if (attrInts(ch.second, 'pads', [0, 0, 0, 0]).some((p) => p !== 0)) fail(c, l, 'the U conv is padded (tsvdc pads once, before the V conv)');
  Object.assign(attrs, {
    U: st.addConst(name('U'), U), V: st.addConst(name('V'), V), form: l.form ?? 0, groups,
    pads: attrInts(ch.first, 'pads', [0, 0, 0, 0]),
    vStrides: attrInts(ch.first, 'strides', [1, 1]), vDilations: attrInts(ch.first, 'dilations', [1, 1]),
    uStrides: attrInts(ch.second, 'strides', [1, 1]), uDilations: attrInts(ch.second, 'dilations', [1, 1]),
  });
  st.ternary = true;
  c.emit('tconv2d', [input], attrs, { outputs: [l.output], as: l.node });
}

/** Stride/dilation of the whole layer: each axis is carried by one stage, the other has 1. */
function mulPairs(a: readonly number[], b: readonly number[]): number[] {
  return [a[0]! * b[0]!, a[1]! * b[1]!];
}
