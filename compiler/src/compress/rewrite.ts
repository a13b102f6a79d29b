/**
 * Writes TSVD layers back as plain ONNX (README.md, "The compressed-model convention"):
 *   Gemm/MatMul:   [Transpose] -> MatMul(Cast(V^T)) -> Mul(s) -> MatMul(Cast(U^T)) -> [Add(bias)]
 *   Conv:          Conv(Cast(V), pads, V strides) -> Mul(s) -> Conv(Cast(U), U strides) -> [Add(bias)]
 *   ConvTranspose: ConvTranspose(Cast(U)) -> Mul(s) -> ConvTranspose(Cast(V), pads, output_padding) -> [Add(bias)]
 * Ternary factors are INT8 initializers (1 byte per entry instead of 4) behind a Cast
 * to the layer's element type, which onnxruntime folds at load time; scales and bias
 * are stored in that type too (ONNX binds one T per MatMul/Mul/Add/Conv: a FLOAT factor
 * in a DOUBLE or FLOAT16 model is an invalid graph). The replaced node's input and
 * output names are kept; everything else in the graph is left as it was.
 */
import { ternaryToInt8, type TernaryTensor } from '@tsvdc/ir';
import { makeInt, makeInts, makeNode } from '../onnx/attrs.js';
import type { GraphIndex } from '../onnx/graph.js';
import type { ModelProto, NodeProto, TensorProto } from '../onnx/proto.js';
import { floatTensorOf, int8Tensor } from '../onnx/tensor.js';
import { tsvdInitName, tsvdNodeName, type CompressedLayer } from '../onnx/tsvd-meta.js';
import type { LayerResult, TsvdOptions } from './job.js';
import type { LayerSite } from './select.js';

interface Built {
  nodes: NodeProto[];
  inits: TensorProto[];
  meta: CompressedLayer;
}

/** int8 values of a ternary matrix, transposed when asked (linear factors are stored as V^T, U^T). */
function int8Of(t: TernaryTensor, transpose: boolean): { dims: number[]; data: Int8Array } {
  const v = ternaryToInt8(t);
  if (!transpose) return { dims: [...t.shape], data: v };
  const out = new Int8Array(v.length);
  for (let i = 0; i < t.rows; i++) for (let j = 0; j < t.cols; j++) out[j * t.rows + i] = v[i * t.cols + j]!;
  return { dims: [t.cols, t.rows], data: out };
}

/** Builds the replacement of one layer. `fresh` makes value names unique in the graph. */
function build(site: LayerSite, r: LayerResult, o: TsvdOptions, fresh: (base: string) => string): Built {
  const L = site.name;
  const node = (part: string): string => tsvdNodeName(L, part);
  const init = (part: string): string => tsvdInitName(L, part);
  const conv = r.conv;
  const linear = !conv;
  const [firstPart, secondPart] = conv?.transposed ? ['U', 'V'] : ['V', 'U'];
  const factor = (part: 'U' | 'V'): { dims: number[]; data: Int8Array } => int8Of(part === 'U' ? r.U : r.V, linear);
  const inits: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  const cast = (part: 'U' | 'V'): string => {
    const f = factor(part);
    inits.push(int8Tensor(init(linear ? `${part}t` : part), f.dims, f.data));
    const out = fresh(`${L}/tsvd/${part}_float`);
    nodes.push(makeNode('Cast', node(`${part}_cast`), [init(linear ? `${part}t` : part)], [out], [makeInt('to', site.dtype)]));
    return out;
  };
  let x = site.input;
  if (site.transA) {
    x = fresh(`${L}/tsvd/transA_output`);
    nodes.push(makeNode('Transpose', node('transA'), [site.input], [x], [makeInts('perm', [1, 0])]));
  }
  const hasBias = site.bias !== undefined;
  const t1 = fresh(`${L}/tsvd/${firstPart}_output`);
  const f1 = cast(firstPart as 'U' | 'V');
  nodes.push(makeNode(linear ? 'MatMul' : site.op, node(firstPart), [x, f1], [t1], conv ? stageAttrs(conv, true) : []));
  const sDims = linear ? [r.s.length] : [1, r.s.length, 1, 1];
  inits.push(floatTensorOf(init('s'), sDims, r.s, site.dtype));
  const t2 = fresh(`${L}/tsvd/s_output`);
  nodes.push(makeNode('Mul', node('s'), [t1, init('s')], [t2]));
  const f2 = cast(secondPart as 'U' | 'V');
  const t3 = hasBias ? fresh(`${L}/tsvd/${secondPart}_output`) : site.output;
  nodes.push(makeNode(linear ? 'MatMul' : site.op, node(secondPart), [t2, f2], [t3], conv ? stageAttrs(conv, false) : []));
  if (hasBias) {
    inits.push(floatTensorOf(init('bias'), linear ? [site.bias!.length] : [1, site.bias!.length, 1, 1], site.bias!, site.dtype));
    nodes.push(makeNode('Add', node('bias'), [t3, init('bias')], [site.output]));
  }
  const meta: CompressedLayer = {
    node: L, op: site.op, input: site.input, output: site.output, nodes: nodes.map((n) => n.name!),
    U: init(linear ? 'Ut' : 'U'), s: init('s'), V: init(linear ? 'Vt' : 'V'), ...(hasBias ? { bias: init('bias') } : {}),
    weightShape: site.weightShape, rank: r.rank, ...(conv ? { form: conv.form, groups: conv.groups } : {}),
    error: r.error, frobeniusError: r.frobeniusError, tol: o.tol, cosThresh: o.cosThresh,
    nnzU: r.nnzU, nnzV: r.nnzV, sparsity: r.sparsity, reachedMaxRank: r.reachedMaxRank,
  };
  return { nodes, inits, meta };
}

/**
 * Attributes of a conv stage. Conv: the first (V) stage pads; ConvTranspose: the
 * second (V) stage crops and adds output_padding. Each stage gets its own strides.
 */
function stageAttrs(g: NonNullable<LayerResult['conv']>, first: boolean): ReturnType<typeof makeInt>[] {
  const onV = g.transposed ? !first : first;
  const attrs = [
    makeInt('group', g.groups),
    makeInts('strides', onV ? g.vStrides : g.uStrides),
    makeInts('dilations', onV ? g.vDilations : g.uDilations),
  ];
  if (onV && g.pads.some((p) => p !== 0)) attrs.push(makeInts('pads', g.pads));
  if (g.transposed && onV && g.outputPadding.some((p) => p !== 0)) attrs.push(makeInts('output_padding', g.outputPadding));
  return attrs;
}

/**
 * Replaces every compressed site in `proto` (in place) and returns the layer records.
 * Initializers and Constant nodes that only the replaced nodes read are removed.
 */
export function rewriteModel(proto: ModelProto, g: GraphIndex, done: ReadonlyArray<{ site: LayerSite; result: LayerResult }>, o: TsvdOptions): CompressedLayer[] {
  const graph = proto.graph!;
  const taken = new Set<string>([...g.producer.keys(), ...g.initializers.keys(), ...g.inputs.map((i) => i.name ?? '')]);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
    taken.add(name);
    return name;
  };
  const replaced = new Map<NodeProto, Built>();
  for (const { site, result } of done) replaced.set(g.nodes[site.index]!, build(site, result, o, fresh));
  // keep the file's node order; the replacement goes where the node was
  graph.node = graph.node.flatMap((n) => replaced.get(n)?.nodes ?? [n]);
  const readers = new Set(graph.node.flatMap((n) => n.input));
  for (const o2 of graph.output) readers.add(o2.name ?? '');
  const dropped = new Set(done.flatMap((d) => d.site.constInputs).filter((v) => !readers.has(v)));
  graph.initializer = [...graph.initializer.filter((t) => !dropped.has(t.name ?? '')), ...[...replaced.values()].flatMap((b) => b.inits)];
  graph.input = graph.input.filter((i) => !dropped.has(i.name ?? ''));
  graph.node = graph.node.filter((n) => !(n.opType === 'Constant' && dropped.has(n.output[0] ?? '')));
  return [...replaced.values()].map((b) => b.meta);
}
