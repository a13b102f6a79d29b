/** Stage guards and whole-module tree rewrites shared by the passes. */
import { TsvdcError, withModule, type AddTree, type Module, type Stage } from '@tsvdc/ir';
import { PASS_CODES } from './codes.js';

/** Throws TSVDC401 unless the module is at one of `stages`. */
export function expectStage(pass: string, m: Module, stages: readonly Stage[]): void {
  if (stages.includes(m.stage)) return;
  throw new TsvdcError(
    PASS_CODES.wrongStage,
    `${pass} expects a module at stage ${stages.join(' or ')}, got ${m.stage}`,
    m.source ? { file: m.source } : undefined,
  );
}

/** The module with every add tree replaced by `rewrite(tree, name)` (unchanged trees are shared). */
export function mapTrees(m: Module, rewrite: (tree: AddTree, name: string) => AddTree): Module {
  const trees = new Map<string, AddTree>();
  for (const [name, tree] of m.trees) trees.set(name, rewrite(tree, name));
  return withModule(m, { trees });
}

/**
 * How many row blocks each tree is evaluated in: a tconv with `groups` g computes its
 * tree's rows g blocks at a time, each on its own window, so partial sums are worth
 * sharing only within a block. A tree used with different groups gets the finest
 * blocks that serve every use.
 */
export function treeGroups(m: Module): Map<string, number> {
  const out = new Map<string, number>();
  for (const n of m.nodes) {
    const name = n.attrs['tree'];
    if (typeof name !== 'string') continue;
    const g = n.op === 'tconv' ? ((n.attrs['groups'] as number | undefined) ?? 1) : 1;
    const prev = out.get(name) ?? 1;
    const rows = m.trees.get(name)?.outputs.length ?? 1;
    const l = lcm(prev, g);
    out.set(name, rows % l === 0 ? l : rows);
  }
  return out;
}

function lcm(a: number, b: number): number {
  let [x, y] = [a, b];
  while (y !== 0) [x, y] = [y, x % y];
  return (a / x) * b;
}
