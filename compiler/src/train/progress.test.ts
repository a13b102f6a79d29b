import { describe, expect, it } from 'vitest';
import { consoleProgress } from './progress.js';

describe('consoleProgress without a terminal', () => {
  it('prints the finished phase and log lines, not every update', () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const p = consoleProgress(stream);
    p.start('float epoch 1', 3);
    p.update(1, 'loss 0.9');
    p.update(2, 'loss 0.8');
    p.update(3, 'loss 0.7');
    p.stop();
    p.log('done');
    expect(out).toEqual(['float epoch 1: 3/3 loss 0.7\n', 'done\n']);
  });
});
