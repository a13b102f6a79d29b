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
