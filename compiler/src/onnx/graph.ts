/**
 * The structure of an ONNX graph that import, compress and report share: node display
 * names, who produces and who consumes each value, constants (initializers and Constant
 * nodes), and a topological order. Building it checks what every consumer relies on:
 * no value defined twice, no undefined input, no cycle.
 */
import { TsvdcError, type Origin } from '@tsvdc/ir';
import { ONNX_CODES } from './codes.js';
import type { NodeProto, TensorProto, ValueInfoProto } from './proto.js';
import type { OnnxModel } from './read.js';
import { constantNodeTensor } from './constant.js';

export interface GraphIndex {
  readonly file: string;
  /** Nodes in topological order (the file's order where it already is one). */
  readonly nodes: readonly NodeProto[];
  /** Display name per node (same index as `nodes`): its name, or `<OpType>_<index in file>`. */
  readonly names: readonly string[];
  readonly initializers: ReadonlyMap<string, TensorProto>;
  /** Outputs of Constant nodes. */
  readonly constants: ReadonlyMap<string, TensorProto>;
  /** Graph inputs that are not initializers. */
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly string[];
  /** Value -> index (in `nodes`) of the node producing it. */
  readonly producer: ReadonlyMap<string, number>;
  /** Value -> indices of the nodes reading it. */
  readonly consumers: ReadonlyMap<string, readonly number[]>;
}

/** Display name of a node: its own name, or `<OpType>_<position in the file>`. */
export function nodeDisplayName(n: NodeProto, index: number): string {
  return n.name ? n.name : `${n.opType ?? 'Node'}_${index}`;
}

/** Indexes and checks the main graph of a model. */
export function indexGraph(model: OnnxModel): GraphIndex {
  const g = model.proto.graph!;
  const file = model.file;
  const originalNames = g.node.map(nodeDisplayName);
  const initializers = new Map<string, TensorProto>();
  const defined = new Map<string, string>();
  const define = (v: string, by: string, node?: string): void => {
    const prev = defined.get(v);
    if (prev !== undefined) {
      throw new TsvdcError(ONNX_CODES.duplicateValue, `value ${JSON.stringify(v)} is defined twice (by ${prev} and by ${by})`, { file, ...(node ? { node } : {}) });
    }
    defined.set(v, by);
  };
  for (const t of g.initializer) {
    const name = t.name ?? '';
    define(name, `initializer ${JSON.stringify(name)}`);
    initializers.set(name, t);
  }
  const inputs = g.input.filter((i) => !initializers.has(i.name ?? ''));
  for (const i of inputs) define(i.name ?? '', `graph input ${JSON.stringify(i.name ?? '')}`);
  g.node.forEach((n, i) => {
    for (const o of n.output) if (o !== '') define(o, `node ${JSON.stringify(originalNames[i])}`, originalNames[i]);
  });
  g.node.forEach((n, i) => {
    for (const v of n.input) {
      if (v !== '' && !defined.has(v)) {
        throw new TsvdcError(ONNX_CODES.undefinedValue, `input ${JSON.stringify(v)} of ${n.opType ?? 'node'} is not defined by any initializer, graph input or node`, { file, node: originalNames[i]! });
      }
    }
  });
  const outputs = g.output.map((o) => o.name ?? '');
  for (const o of outputs) {
    if (!defined.has(o)) throw new TsvdcError(ONNX_CODES.undefinedValue, `graph output ${JSON.stringify(o)} is not defined by any node, input or initializer`, { file });
  }
  const order = topoOrder(g.node, originalNames, file);
  const nodes = order.map((i) => g.node[i]!);
  const names = order.map((i) => originalNames[i]!);
  const producer = new Map<string, number>();
  const consumers = new Map<string, number[]>();
  const constants = new Map<string, TensorProto>();
  nodes.forEach((n, i) => {
    for (const o of n.output) if (o !== '') producer.set(o, i);
    for (const v of n.input) if (v !== '') (consumers.get(v) ?? consumers.set(v, []).get(v)!).push(i);
    if (n.opType === 'Constant' && (n.domain ?? '') === '' && n.output[0]) {
      constants.set(n.output[0], constantNodeTensor(n, { file, node: names[i]! }));
    }
  });
  return { file, nodes, names, initializers, constants, inputs, outputs, producer, consumers };
}

/**
 * Depth-first topological order that keeps the file's order when it already is one
 * (ONNX requires it, but not every exporter complies). A cycle is an error naming it.
 */
function topoOrder(nodes: readonly NodeProto[], names: readonly string[], file: string): number[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => o !== '' && producer.set(o, i)));
  const state = new Uint8Array(nodes.length); // 0 new, 1 on stack, 2 done
  const order: number[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root] !== 0) continue;
    // explicit stack: a long chain must not overflow the JS stack
    const stack: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const ins = nodes[top.node]!.input;
      if (top.next < ins.length) {
        const p = producer.get(ins[top.next++]!);
        if (p === undefined || state[p] === 2) continue;
        if (state[p] === 1) throw cycleError(stack.map((s) => s.node), p, names, file);
        state[p] = 1;
        stack.push({ node: p, next: 0 });
      } else {
        state[top.node] = 2;
        order.push(top.node);
        stack.pop();
      }
    }
  }
  return order;
}

function cycleError(stack: readonly number[], back: number, names: readonly string[], file: string): TsvdcError {
  const cyc = stack.slice(stack.indexOf(back));
  // the stack holds consumers before producers: print in data-flow order, from `back`
  const path = [back, ...cyc.slice(1).reverse(), back].map((i) => JSON.stringify(names[i]));
  const origin: Origin = { file, node: names[back]! };
  return new TsvdcError(ONNX_CODES.cycle, `the graph has a cycle: ${path.join(' -> ')}`, origin);
}

/** The constant tensor behind a value, if it is an initializer or a Constant node's output. */
export function constantOf(g: GraphIndex, value: string): TensorProto | undefined {
  return g.initializers.get(value) ?? g.constants.get(value);
}
