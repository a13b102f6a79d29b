/**
 * add-tree-cse: shares partial sums between the rows of every add tree by greedy pairwise,
 * sign-aware sharing (addtree/pair-sharing.ts); never adds adders. Expects stage addtree or
 * integer; produces the same stage (integer trees re-typed from their lane intervals).
 */
import { countAddersByGroup, type AddTree, type Module } from '@tsvdc/ir';
import { treeForms, type LinearForms } from './addtree/linear-forms.js';
import { sharePairs, type SharedSums, type SymbolRows } from './addtree/pair-sharing.js';
import { SumBuilder, type SignedNode } from './addtree/sum-builder.js';
import { expectStage, mapTrees, treeGroups } from './stage-check.js';
import { retypeLike } from './widths/tree-types.js';

export function addTreeCse(m: Module): Module {
  expectStage('add-tree-cse', m, ['addtree', 'integer']);
  const groups = treeGroups(m);
  return mapTrees(m, (tree, name) => retypeLike(cseTree(tree, groups.get(name) ?? 1), tree));
}

/**
 * One tree with its partial sums shared; the input tree itself if sharing would not
 * save an adder. With `groups` > 1 (a grouped conv evaluates each group's block of
 * rows on its own window) rows share only within their block.
 */
export function cseTree(tree: AddTree, groups = 1): AddTree {
  const forms = treeForms(tree);
  const { rows, multiples } = symbolRows(forms);
  const per = rows.rows / groups;
  const blocks = Array.from({ length: groups }, (_, g) => sharePairs(rowBlock(rows, g * per, (g + 1) * per)));
  const out = buildShared(forms.lanes, rows.atoms, blocks, multiples, tree);
  return countAddersByGroup(out, groups) <= countAddersByGroup(tree, groups) ? out : tree;
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

function rowBlock(rows: SymbolRows, from: number, to: number): SymbolRows {
  const base = rows.start[from]!;
  const start = rows.start.slice(from, to + 1).map((s) => s - base);
  return { atoms: rows.atoms, rows: to - from, start, term: rows.term.slice(base, rows.start[to]!) };
}

/**
 * Builds the tree of shared symbols: every symbol is made once, attributed to the
 * first row that needs it; each row sums what is left of it in minimum depth. Blocks
 * are consecutive row ranges shared separately (their atoms are common).
 */
export function buildShared(lanes: number, atoms: number, blocks: readonly SharedSums[], multiples: ReadonlyArray<readonly [number, number]>, like: AddTree): AddTree {
  const rows = blocks.reduce((n, s) => n + s.rows, 0);
  const size = blocks.reduce((n, s) => n + s.defA.length + s.term.length, atoms);
  const b = new SumBuilder(lanes, rows, Math.max(1024, size));
  const atomNode = new Int32Array(atoms).fill(-1);
  const atom = (sym: number): number => {
    if (atomNode[sym] === -1) {
      if (sym < lanes) atomNode[sym] = b.lane(sym);
      else { const [lane, mult] = multiples[sym - lanes]!; atomNode[sym] = b.multiple(b.lane(lane), mult); }
    }
    return atomNode[sym]!;
  };
  let row0 = 0;
  for (const s of blocks) {
    const total = atoms + s.defA.length;
    const first = firstUse(s, total);
    const node = new Int32Array(total).fill(-1);
    const flip = flips(s, total);
    for (let sym = 0; sym < total; sym++) {
      if (first[sym] === 0x7fffffff) continue;
      b.b.currentRow = row0 + first[sym]!;
      if (sym < atoms) node[sym] = atom(sym);
      else {
        const i = sym - atoms;
        const [x, y] = [node[s.defA[i]!]!, node[s.defB[i]!]!];
        node[sym] = !s.defNeg[i] ? b.add(x, y) : flip[sym] ? b.sub(y, x) : b.sub(x, y);
      }
    }
    for (let r = 0; r < s.rows; r++) {
      b.b.currentRow = row0 + r;
      const terms: SignedNode[] = [];
      for (let i = s.start[r]!; i < s.start[r + 1]!; i++) {
        const sym = s.term[i]! >>> 1;
        terms.push({ node: node[sym]!, neg: ((s.term[i]! & 1) ^ flip[sym]!) === 1 });
      }
      b.setOutput(row0 + r, b.value(terms));
    }
    row0 += s.rows;
  }
  return b.finish(like.origin);
}

/**
 * Differences p - q used only by rows, mostly with a minus sign, are built as q - p
 * instead (the same one subtraction): a row whose terms all end up negative needs a
 * negation, so the orientation most rows want saves them.
 */
function flips(s: SharedSums, total: number): Uint8Array {
  const flip = new Uint8Array(total);
  const balance = new Int32Array(total);
  const operand = new Uint8Array(total);
  for (let i = 0; i < s.defA.length; i++) { operand[s.defA[i]!] = 1; operand[s.defB[i]!] = 1; }
  for (let i = 0; i < s.term.length; i++) balance[s.term[i]! >>> 1]! += s.term[i]! & 1 ? -1 : 1;
  for (let i = 0; i < s.defA.length; i++) {
    const sym = s.atoms + i;
    if (s.defNeg[i] && !operand[sym] && balance[sym]! < 0) flip[sym] = 1;
  }
  return flip;
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
