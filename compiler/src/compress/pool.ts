/**
 * Runs layer jobs on a pool of worker threads (largest layers first, so the pool
 * drains evenly), or on the calling thread when the pool size is 0. Workers load the
 * compiled JavaScript (dist/compress/worker.js): under vitest, which runs the
 * TypeScript sources, `npm run build` must have run first.
 */
import { InternalError, TsvdcError, type DiagnosticCode, type Origin } from '@tsvdc/ir';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StepRecord } from '../tsvd/types.js';
import { runJob, type JobOutcome, type TsvdOptions } from './job.js';
import type { LayerJob } from './select.js';

export interface WorkerRequest {
  readonly job: LayerJob;
  readonly options: TsvdOptions;
}

export type WorkerReply =
  | { readonly type: 'step'; readonly id: number; readonly rec: StepRecord }
  | { readonly type: 'done'; readonly out: JobOutcome }
  | { readonly type: 'error'; readonly id: number; readonly reason: string; readonly code?: DiagnosticCode; readonly origin?: Origin };

export interface PoolHooks {
  onStart?(id: number): void;
  onStep?(id: number, rec: StepRecord): void;
  onDone?(out: JobOutcome): void;
}

/** The compiled worker script next to this module's compiled form. */
export function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.endsWith('.ts') ? here.replace(/([\\/])src([\\/]compress[\\/])pool\.ts$/, '$1dist$2worker.js') : here.replace(/pool\.js$/, 'worker.js');
  if (!existsSync(js)) throw new InternalError(`worker script ${js} is missing (run \`npm run build\` first)`);
  return js;
}

function size(j: LayerJob): number {
  return j.data.length;
}

/** Runs every job; resolves with the outcomes in job order. */
export async function runJobs(jobs: readonly LayerJob[], options: TsvdOptions, poolSize: number, hooks: PoolHooks = {}): Promise<JobOutcome[]> {
  const order = [...jobs].sort((a, b) => size(b) - size(a) || a.id - b.id);
  const results = new Map<number, JobOutcome>();
  if (poolSize <= 0 || jobs.length === 0) {
    for (const j of order) {
      hooks.onStart?.(j.id);
      const out = runJob(j, options, (rec) => hooks.onStep?.(j.id, rec));
      results.set(j.id, out);
      hooks.onDone?.(out);
    }
  } else {
    await runOnWorkers(order, options, Math.min(poolSize, jobs.length), hooks, results);
  }
  return jobs.map((j) => results.get(j.id)!);
}

function rebuild(r: Extract<WorkerReply, { type: 'error' }>): Error {
  if (!r.code) return new InternalError(`a compress worker failed: ${r.reason}`);
  const e = new TsvdcError(r.code, '', r.origin);
  e.message = r.reason; // already formatted by the worker's TsvdcError
  return e;
}

function runOnWorkers(order: readonly LayerJob[], options: TsvdOptions, n: number, hooks: PoolHooks, results: Map<number, JobOutcome>): Promise<void> {
  const script = workerScript();
  const queue = [...order];
  const workers: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let active = 0;
    let failed = false;
    const stop = (e: Error): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) void w.terminate();
      reject(e);
    };
    const feed = (w: Worker): void => {
      const job = queue.shift();
      if (!job) {
        void w.terminate();
        if (--active === 0 && !failed) resolve();
        return;
      }
      hooks.onStart?.(job.id);
      w.postMessage({ job, options } satisfies WorkerRequest);
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(script);
      workers.push(w);
      active++;
      w.on('message', (r: WorkerReply) => {
        if (r.type === 'step') hooks.onStep?.(r.id, r.rec);
        else if (r.type === 'error') stop(rebuild(r));
        else {
          results.set(r.out.id, r.out);
          hooks.onDone?.(r.out);
          feed(w);
        }
      });
      w.on('error', (e) => stop(new InternalError(`a compress worker crashed: ${e.stack ?? e.message}`)));
      feed(w);
    }
  });
}
