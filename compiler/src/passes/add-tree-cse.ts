/**
 * add-tree-cse: shares partial sums between the rows of every add tree, by greedy
 * pairwise sharing of signed operands (addtree/pair-sharing.ts); never adds adders.
 * Expects stage addtree or integer; produces the same stage, every row computing the
 * same value (integer trees are re-typed from their lane intervals).
 */
import { countAdders, type AddTree, type Module } from '@tsvdc/ir';
import { treeForms, type LinearForms } from './addtree/linear-forms.js';
import { sharePairs, type SharedSums, type SymbolRows } from './addtree/pair-sharing.js';
import { SumBuilder, type SignedNode } from './addtree/sum-builder.js';
import { expectStage, mapTrees } from './stage-check.js';
import { retypeLike } from './widths/tree-types.js';

export function addTreeCse(m: Module): Module {
  expectStage('add-tree-cse', m, ['addtree', 'integer']);
  return mapTrees(m, (tree) => retypeLike(cseTree(tree), tree));
}

/** One tree with its partial sums shared; the input tree itself if sharing would not save an adder. */
export function cseTree(tree: AddTree): AddTree {
  const forms = treeForms(tree);
  const { rows, multiples } = symbolRows(forms);
  const shared = sharePairs(rows);
  const out = buildShared(forms.lanes, shared, multiples, tree);
  return countAdders(out) <= countAdders(tree) ? out : tree;
}

/**
 * Rows as signed symbols: lane l is symbol l; a coefficient c with |c| > 1 (only in
 * trees that add a lane to itself) becomes its own symbol for |c| * lane.
 */
export function symbolRows(forms: LinearForms): { rows: SymbolRows; multiples: Array<readonly [number, number]> } {
  const multiples: Array<readonly [number, number]> = [];
  const multipleId = new Map<string, number>();
  const term = new Int32Array(forms.lane.length);
  for (let i = 0; i < forms.lane.length; i++) {
    const c = forms.coef[i]!;
    let sym = forms.lane[i]!;
    if (Math.abs(c) !== 1) {
      const key = `${sym}:${Math.abs(c)}`;
      let id = multipleId.get(key);
      if (id === undefined) {
        id = forms.lanes + multiples.length;
        multiples.push([sym, Math.abs(c)]);
        multipleId.set(key, id);
      }
      sym = id;
    }
    term[i] = sym * 2 + (c < 0 ? 1 : 0);
  }
  return { rows: { atoms: forms.lanes + multiples.length, rows: forms.rows, start: forms.start, term }, multiples };
}

/**
 * Builds the tree of shared symbols: every symbol is made once, attributed to the
 * first row that needs it; each row sums what is left of it in minimum depth.
 */
export function buildShared(lanes: number, s: SharedSums, multiples: ReadonlyArray<readonly [number, number]>, like: AddTree): AddTree {
  const total = s.atoms + s.defA.length;
  const first = firstUse(s, total);
  const b = new SumBuilder(lanes, s.rows, Math.max(1024, total + s.term.length));
  const node = new Int32Array(total).fill(-1);
  for (let sym = 0; sym < total; sym++) {
    if (first[sym] === 0x7fffffff) continue;
    b.b.currentRow = first[sym]!;
    if (sym < lanes) node[sym] = b.lane(sym);
    else if (sym < s.atoms) {
      const [lane, mult] = multiples[sym - lanes]!;
      node[sym] = b.multiple(b.lane(lane), mult);
    } else {
      const i = sym - s.atoms;
      const x = node[s.defA[i]!]!;
      const y = node[s.defB[i]!]!;
      node[sym] = s.defNeg[i] ? b.sub(x, y) : b.add(x, y);
    }
  }
  for (let r = 0; r < s.rows; r++) {
    b.b.currentRow = r;
    const terms: SignedNode[] = [];
    for (let i = s.start[r]!; i < s.start[r + 1]!; i++) terms.push({ node: node[s.term[i]! >>> 1]!, neg: (s.term[i]! & 1) === 1 });
    b.setOutput(r, b.value(terms));
  }
  return b.finish(like.origin);
}

/** The first row using each symbol, directly or through a symbol made from it. */
function firstUse(s: SharedSums, total: number): Int32Array {
  const first = new Int32Array(total).fill(0x7fffffff);
  for (let r = s.rows - 1; r >= 0; r--) {
    for (let i = s.start[r]!; i < s.start[r + 1]!; i++) first[s.term[i]! >>> 1] = r;
  }
  for (let sym = total - 1; sym >= s.atoms; sym--) {
    const f = first[sym]!;
    const i = sym - s.atoms;
    if (f < first[s.defA[i]!]!) first[s.defA[i]!] = f;
    if (f < first[s.defB[i]!]!) first[s.defB[i]!] = f;
  }
  return first;
}
