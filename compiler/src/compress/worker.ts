/**
 * Worker-thread entry: decomposes the layers the pool sends, one message per job,
 * reporting each transition step (for progress bars) and the result. Errors travel
 * back as data; the pool rebuilds a TsvdcError so the CLI prints it as usual.
 */
import { TsvdcError } from '@tsvdc/ir';
import { parentPort } from 'node:worker_threads';
import { runJob } from './job.js';
import type { WorkerReply, WorkerRequest } from './pool.js';

const port = parentPort!;

port.on('message', (msg: WorkerRequest) => {
  const { job, options } = msg;
  try {
    const out = runJob(job, options, (rec) => port.postMessage({ type: 'step', id: job.id, rec } satisfies WorkerReply));
    const transfer = 'U' in out ? [out.U.data.buffer, out.V.data.buffer, out.s.buffer] : [];
    port.postMessage({ type: 'done', out } satisfies WorkerReply, transfer as ArrayBuffer[]);
  } catch (e) {
    const err = e instanceof TsvdcError
      ? { code: e.code, reason: e.message, origin: e.origin }
      : { reason: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    port.postMessage({ type: 'error', id: job.id, ...err } satisfies WorkerReply);
  }
});
