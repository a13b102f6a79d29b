/**
 * Schedules of lowered ternary stages (tmatvec, tconv). Required at the scheduled stage,
 * checked for consistency wherever present:
 *   spatial: the tree unrolled; needs `tree` and `regEvery` >= 1; no pe / simd.
 *   folded:  a pe x simd matrix-vector unit over the packed weights; 1 <= pe <= rows,
 *            1 <= simd <= columns (lanes); `regEvery` >= 1 if given.
 * Later issues (backends, simulator) extend this; the attribute names are fixed here.
 */
import type { Module, Stage } from '../module.js';
import * as C from './codes.js';
import type { NodeInfo } from './nodes.js';
import type { Reporter } from './report.js';

const SCHEDULE_KEYS = ['arch', 'pe', 'simd', 'regEvery'] as const;

export function checkSchedules(m: Module, stage: Stage, infos: readonly NodeInfo[], r: Reporter): void {
  for (const info of infos) {
    const n = info.node;
    if (n.op !== 'tmatvec' && n.op !== 'tconv') continue;
    const a = n.attrs;
    const present = SCHEDULE_KEYS.filter((k) => a[k] !== undefined);
    if (a['arch'] === undefined) {
      if (stage === 'scheduled') r.add(C.SCHEDULE_MISSING, `${n.op} has no schedule (arch) at the scheduled stage`, info.origin);
      else if (present.length > 0) r.add(C.SCHEDULE_PARAMS, `${n.op} has ${present.join(', ')} but no arch`, info.origin);
      continue;
    }
    const arch = a['arch'];
    if (arch !== 'spatial' && arch !== 'folded') {
      r.add(C.SCHEDULE_ARCH, `${n.op}: arch ${JSON.stringify(arch)} is neither "spatial" nor "folded"`, info.origin);
      continue;
    }
    const problems = arch === 'spatial' ? spatialProblems(a) : foldedProblems(m, a);
    for (const [code, msg] of problems) r.add(code, `${n.op} (${arch}): ${msg}`, info.origin);
  }
}

type Problem = [typeof C.SCHEDULE_PARAMS | typeof C.SCHEDULE_RANGE, string];
type Attrs = NodeInfo['node']['attrs'];

function regEveryProblem(a: Attrs, required: boolean): Problem[] {
  const L = a['regEvery'];
  if (L === undefined) return required ? [[C.SCHEDULE_PARAMS, 'regEvery is required']] : [];
  return (L as number) < 1 ? [[C.SCHEDULE_RANGE, `regEvery ${L} must be >= 1`]] : [];
}

function spatialProblems(a: Attrs): Problem[] {
  const out: Problem[] = [];
  if (a['tree'] === undefined) out.push([C.SCHEDULE_PARAMS, 'a spatial stage unrolls its tree, but there is none']);
  for (const k of ['pe', 'simd'] as const) if (a[k] !== undefined) out.push([C.SCHEDULE_PARAMS, `${k} belongs to the folded arch`]);
  return [...out, ...regEveryProblem(a, true)];
}

function foldedProblems(m: Module, a: Attrs): Problem[] {
  const out: Problem[] = [];
  const w = m.consts.get(a['weights'] as string);
  // rows and columns of the weight matrix (a conv's columns are one window: Cin/g * K1 * K2)
  const rows = w?.shape[0];
  const cols = w ? w.shape.slice(1).reduce((p, d) => p * d, 1) : undefined;
  for (const [k, max] of [['pe', rows], ['simd', cols]] as const) {
    const v = a[k] as number | undefined;
    if (v === undefined) out.push([C.SCHEDULE_PARAMS, `${k} is required`]);
    else if (v < 1 || (max !== undefined && v > max)) out.push([C.SCHEDULE_RANGE, `${k} ${v} must be within 1..${max ?? '?'}`]);
  }
  return [...out, ...regEveryProblem(a, false)];
}
