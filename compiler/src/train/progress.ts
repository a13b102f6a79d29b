/**
 * Progress of long training runs: a cli-progress bar on a terminal, a line every
 * few seconds otherwise (CI logs), nothing when silenced.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Starts a phase of `total` units. */
  start(phase: string, total: number): void;
  /** Reports `done` units of the phase, with a short status. */
  update(done: number, status?: string): void;
  stop(): void;
  /** A line of its own (phase results). */
  log(line: string): void;
}

export const silentProgress: Progress = { start() {}, update() {}, stop() {}, log() {} };

export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '{phase} [{bar}] {value}/{total} {status} eta {eta_formatted}', stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    return {
      start(phase, total) {
        bar.start(total, 0, { phase, status: '' });
        running = true;
      },
      update(done, status = '') {
        bar.update(done, { status });
      },
      stop() {
        if (running) bar.stop();
        running = false;
      },
      log(line) {
        stream.write(`${line}\n`);
      },
    };
  }
  let phase = '';
  let total = 0;
  let last = 0;
  return {
    start(p, t) {
      [phase, total, last] = [p, t, Date.now()];
    },
    update(done, status = '') {
      if (Date.now() - last < 10_000 && done < total) return;
      last = Date.now();
      stream.write(`${phase}: ${done}/${total} ${status}\n`);
    },
    stop() {},
    log(line) {
      stream.write(`${line}\n`);
    },
  };
}
