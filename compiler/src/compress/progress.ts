/**
 * Per-layer progress bars for `tsvdc compress` on a terminal: one bar per layer,
 * filled as its error falls from 1 to the tolerance on a log scale, plus a line for
 * the layers done. Off a terminal nothing is drawn.
 */
import cliProgress from 'cli-progress';
import type { StepRecord } from '../tsvd/types.js';
import type { JobOutcome } from './job.js';
import type { PoolHooks } from './pool.js';

export interface Progress extends PoolHooks {
  stop(): void;
}

const SCALE = 1000;

/** Progress hooks drawing bars on `stream` (a TTY), or undefined when it is not one. */
export function layerProgress(names: readonly string[], tol: number, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY || names.length === 0) return undefined;
  const width = Math.min(40, Math.max('layers done'.length, ...names.map((n) => n.length)));
  const multi = new cliProgress.MultiBar(
    { format: '{name} [{bar}] {status}', hideCursor: true, stream, clearOnComplete: false, barsize: 24 },
    cliProgress.Presets.shades_classic,
  );
  const total = multi.create(names.length, 0, { name: 'layers done'.padEnd(width), status: `0/${names.length}` });
  const bars = new Map<number, cliProgress.SingleBar>();
  let done = 0;
  const label = (id: number): string => {
    const n = names[id] ?? String(id);
    return (n.length > width ? `…${n.slice(n.length - width + 1)}` : n).padEnd(width);
  };
  return {
    onStart(id) {
      bars.set(id, multi.create(SCALE, 0, { name: label(id), status: 'starting' }));
    },
    onStep(id, rec: StepRecord) {
      const f = Math.min(1, Math.max(0, Math.log(Math.max(rec.error, 1e-300)) / Math.log(tol)));
      bars.get(id)?.update(Math.round(SCALE * f), { status: `rank ${rec.rank}  error ${rec.error.toPrecision(3)}` });
    },
    onDone(out: JobOutcome) {
      const status = 'declined' in out ? 'left dense' : `rank ${out.rank}  error ${out.error.toPrecision(3)}  ${out.seconds.toFixed(1)} s`;
      bars.get(out.id)?.update(SCALE, { status });
      done++;
      total.update(done, { status: `${done}/${names.length}` });
    },
    stop() {
      multi.stop();
    },
  };
}
