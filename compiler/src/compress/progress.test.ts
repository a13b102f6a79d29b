import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ternaryZeros } from '@tsvdc/ir';
import { layerProgress } from './progress.js';

function fakeTerminal(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({ write(chunk: Buffer, _enc, done) { out += chunk.toString(); done(); } }) as unknown as NodeJS.WriteStream;
  Object.assign(w, { isTTY, columns: 120, rows: 40, cursorTo: () => true, moveCursor: () => true, clearLine: () => true, clearScreenDown: () => true });
  return { stream: w, text: () => out };
}

// eslint-disable-next-line no-control-regex
const plain = (s: string): string[] => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').split(/[\r\n]+/).map((l) => l.trimEnd()).filter((l) => l !== '');

describe('compress progress bars', () => {
  it('draw nothing off a terminal, or with no layers', () => {
    expect(layerProgress(['/fc'], 0.01, fakeTerminal(false).stream)).toBeUndefined();
    expect(layerProgress([], 0.01, fakeTerminal(true).stream)).toBeUndefined();
  });

  it('on a terminal: one bar per layer, filled on a log scale from error 1 to tol', () => {
    const t = fakeTerminal(true);
    const p = layerProgress(['/fc'], 0.01, t.stream)!;
    p.onStart!(0);
    p.onStep!(0, { rank: 4, error: 0.1, frobeniusError: 0.1, sparsity: 0.5, seconds: 0.1 });
    p.onDone!({ id: 0, U: ternaryZeros([2, 4]), s: new Float64Array(4), V: ternaryZeros([4, 3]), rank: 4, error: 0.00912, frobeniusError: 0.01, nnzU: 4, nnzV: 6, sparsity: 0.5, reachedMaxRank: false, seconds: 1.25 });
    p.stop();
    const lines = plain(t.text());
    expect(lines.slice(-2)).toEqual([
      'layers done [████████████████████████] 1/1',
      '/fc         [████████████████████████] rank 4  error 0.00912  1.3 s',
    ]);
  });
});
