/**
 * The verifier: `verify(m, stage)` returns every violated invariant as a Diagnostic
 * (one stable code per invariant, see codes.ts); `assertValid` throws them as one error.
 * Passes do not re-check invariants; pipelines call this at stage boundaries.
 */
import { TsvdcError } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Module, Stage } from '../module.js';

/** All diagnostics of `m` checked against `stage` (default: the stage the module claims). */
export function verify(m: Module, stage: Stage = m.stage): Diagnostic[] {
  void m;
  void stage;
  return [];
}

/** Throws one TsvdcError carrying every diagnostic as `related` unless `m` is valid at `stage`. */
export function assertValid(m: Module, stage: Stage = m.stage): void {
  const ds = verify(m, stage);
  if (ds.length === 0) return;
  const first = ds[0]!;
  const more = ds.length > 1 ? ` (and ${ds.length - 1} more)` : '';
  throw new TsvdcError(first.code, `${first.message}${more}`, first.origin, ds);
}
