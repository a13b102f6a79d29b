/**
 * The decomposed LayerNorm that PyTorch exports below opset 17:
 *   m = ReduceMean(x, last axis); d = Sub(x, m); p = Pow(d, 2) (or Mul(d, d));
 *   v = ReduceMean(p, last axis); e = Add(v, eps); s = Sqrt(e); n = Div(d, s);
 *   then optionally Mul(n, gamma) and Add(., beta) with constant gamma/beta.
 * Matched from the first ReduceMean by following single consumers; every
 * intermediate value must be read only inside the pattern.
 */
import type { NodeProto } from '../proto.js';
import { tensorValues, weightValues } from '../tensor.js';
import type { NodeCtx } from './context.js';

export interface LayerNormMatch {
  /** ONNX node indices of the pattern after the first ReduceMean. */
  readonly nodes: number[];
  readonly epsilon: number;
  readonly gamma?: { values: Float64Array; dtype: number };
  readonly beta?: { values: Float64Array; dtype: number };
  /** The ONNX value the pattern's last node writes. */
  readonly output: string;
}

type Found = { index: number; node: NodeProto } | undefined;

/** The nodes reading `v` (distinct), or [] if `v` is also a graph output. */
function readers(c: NodeCtx, v: string): Array<{ index: number; node: NodeProto }> {
  if (c.st.g.outputs.includes(v)) return [];
  const idx = [...new Set(c.st.g.consumers.get(v) ?? [])];
  return idx.map((index) => ({ index, node: c.st.g.nodes[index]! }));
}

function soleReader(c: NodeCtx, v: string, op: string): Found {
  const r = readers(c, v);
  return r.length === 1 && r[0]!.node.opType === op && (r[0]!.node.domain ?? '') === '' ? r[0] : undefined;
}

function constScalar(c: NodeCtx, v: string): number | undefined {
  const t = c.st.constant(v);
  if (!t) return undefined;
  const vals = tensorValues(t, c.origin);
  return vals.length === 1 ? vals[0] : undefined;
}

/** Whether a ReduceMean reduces exactly the last axis of a rank-`rank` tensor, keeping dims. */
function reducesLast(c: NodeCtx, n: NodeProto, rank: number): boolean {
  const axesAttr = n.attribute.find((a) => a.name === 'axes');
  let axes = axesAttr?.ints;
  if (!axes && n.input[1]) {
    const t = c.st.constant(n.input[1]);
    axes = t ? Array.from(tensorValues(t, c.origin)) : undefined;
  }
  const keep = n.attribute.find((a) => a.name === 'keepdims')?.i ?? 1;
  return keep === 1 && axes !== undefined && axes.length === 1 && (axes[0] === -1 || axes[0] === rank - 1);
}

/** The constant operand of a binary node whose other operand is `v`. */
function otherConst(c: NodeCtx, n: NodeProto, v: string): { values: Float64Array; dtype: number } | undefined {
  const other = n.input[0] === v ? n.input[1] : n.input[1] === v ? n.input[0] : undefined;
  const t = other ? c.st.constant(other) : undefined;
  return t ? { values: weightValues(t, c.origin), dtype: t.dataType ?? 0 } : undefined;
}

export function matchLayerNorm(c: NodeCtx): LayerNormMatch | undefined {
  const x = c.node.input[0]!;
  const rank = c.type(0).shape.length;
  if (!reducesLast(c, c.node, rank)) return undefined;
  const sub = soleReader(c, c.node.output[0]!, 'Sub');
  if (!sub || sub.node.input[0] !== x) return undefined;
  const d = sub.node.output[0]!;
  const dReaders = readers(c, d);
  const sq = dReaders.find((r) => (r.node.opType === 'Pow' && r.node.input[0] === d && constScalar(c, r.node.input[1]!) === 2) ||
    (r.node.opType === 'Mul' && r.node.input[0] === d && r.node.input[1] === d));
  const div = dReaders.find((r) => r.node.opType === 'Div' && r.node.input[0] === d);
  if (dReaders.length !== 2 || !sq || !div) return undefined;
  const rm2 = soleReader(c, sq.node.output[0]!, 'ReduceMean');
  if (!rm2 || !reducesLast(c, rm2.node, rank)) return undefined;
  const add = soleReader(c, rm2.node.output[0]!, 'Add');
  const v = rm2.node.output[0]!;
  const eps = add ? constScalar(c, add.node.input[0] === v ? add.node.input[1]! : add.node.input[0]!) : undefined;
  if (!add || eps === undefined || !(eps >= 0)) return undefined;
  const sqrt = soleReader(c, add.node.output[0]!, 'Sqrt');
  if (!sqrt || soleReader(c, sqrt.node.output[0]!, 'Div')?.index !== div.index || div.node.input[1] !== sqrt.node.output[0]) return undefined;
  const nodes = [sub, sq, rm2, add, sqrt, div].map((f) => f.index);
  let out = div.node.output[0]!;
  const mul = soleReader(c, out, 'Mul');
  const gamma = mul ? otherConst(c, mul.node, out) : undefined;
  if (mul && gamma) {
    nodes.push(mul.index);
    out = mul.node.output[0]!;
  }
  const addB = gamma ? soleReader(c, out, 'Add') : undefined;
  const beta = addB ? otherConst(c, addB.node, out) : undefined;
  if (addB && beta) {
    nodes.push(addB.index);
    out = addB.node.output[0]!;
  }
  return { nodes, epsilon: eps, ...(gamma && mul ? { gamma } : {}), ...(beta ? { beta } : {}), output: out };
}
