/**
 * The verifier: `verify(m, stage)` returns every violated invariant as a Diagnostic
 * (one stable code per invariant, see codes.ts; what holds per stage: README.md);
 * `assertValid` throws them as one error. Passes do not re-check invariants; pipelines
 * and tests call this at stage boundaries.
 */
import { TsvdcError } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Module, Stage } from '../module.js';
import { stageIndex } from '../module.js';
import type { TernaryTensor } from '../ternary.js';
import { checkConsts } from './consts.js';
import { checkIntervals } from './intervals.js';
import { checkNodes, type NodeInfo } from './nodes.js';
import { Reporter } from './report.js';
import { checkSchedules } from './schedule.js';
import { checkStageRules } from './stage.js';
import { checkTreeMap } from './treemap.js';
import { checkTrees } from './trees.js';
import { checkValues } from './values.js';

export * as VerifyCodes from './codes.js';

/** All diagnostics of `m` checked against `stage` (default: the stage the module claims). */
export function verify(m: Module, stage: Stage = m.stage): Diagnostic[] {
  const r = new Reporter(m.source);
  checkValues(m, r);
  const okConsts = checkConsts(m, r);
  const okTrees = checkTrees(m, r);
  const infos = checkNodes(m, stage, r);
  checkStageRules(m, stage, infos, r);
  checkTreeMaps(m, infos, okConsts, okTrees, r);
  if (stageIndex(stage) >= stageIndex('integer')) checkIntervals(m, infos, r);
  checkSchedules(m, stage, infos, r);
  return r.diagnostics;
}

/** Throws one TsvdcError carrying every diagnostic as `related` unless `m` is valid at `stage`. */
export function assertValid(m: Module, stage: Stage = m.stage): void {
  const ds = verify(m, stage);
  if (ds.length === 0) return;
  const first = ds[0]!;
  const more = ds.length > 1 ? ` (and ${ds.length - 1} more)` : '';
  throw new TsvdcError(first.code, `${first.message}${more}`, first.origin, ds);
}

/** Each (tree, weights) pair used by a well-typed tmatvec / tconv is checked once. */
function checkTreeMaps(m: Module, infos: readonly NodeInfo[], okConsts: Set<string>, okTrees: Set<string>, r: Reporter): void {
  const seen = new Set<string>();
  for (const info of infos) {
    const a = info.node.attrs;
    if (!info.typed || (info.node.op !== 'tmatvec' && info.node.op !== 'tconv')) continue;
    const [tree, weights] = [a['tree'], a['weights']];
    if (typeof tree !== 'string' || typeof weights !== 'string' || !okTrees.has(tree) || !okConsts.has(weights)) continue;
    const key = `${tree}\u0000${weights}`;
    if (seen.has(key)) continue;
    seen.add(key);
    checkTreeMap(tree, m.trees.get(tree)!, weights, m.consts.get(weights) as TernaryTensor, info.origin, r);
  }
}
