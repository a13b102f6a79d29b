/** Dropping the nodes no output reaches (rewrites leave some behind); ids stay in order. */
import { liveNodes, TreeOp, type AddTree } from '@tsvdc/ir';

export function compactTree(t: AddTree): AddTree {
  const live = liveNodes(t);
  let n = 0;
  for (let i = 0; i < t.size; i++) if (live[i]) n++;
  if (n === t.size) return t;
  const id = new Int32Array(t.size).fill(-1);
  const op = new Uint8Array(n);
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const row = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < t.size; i++) {
    if (!live[i]) continue;
    id[i] = k;
    op[k] = t.op[i]!;
    // an In node's operand is its lane; others are node ids
    a[k] = op[k] === TreeOp.In ? t.a[i]! : id[t.a[i]!]!;
    b[k] = t.b[i]! < 0 ? -1 : id[t.b[i]!]!;
    row[k] = t.row[i]!;
    k++;
  }
  const outputs = t.outputs.map((o) => (o < 0 ? -1 : id[o]!));
  const types = t.types && {
    frac: t.types.frac,
    width: t.types.width.filter((_, i) => live[i] === 1),
    lo: t.types.lo.filter((_, i) => live[i] === 1),
    hi: t.types.hi.filter((_, i) => live[i] === 1),
  };
  return { ...t, size: n, op, a, b, row, outputs, ...(types ? { types } : {}) };
}
