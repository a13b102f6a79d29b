import { describe, expect, it } from 'vitest';
import { TsvdcError } from './diagnostics.js';

describe('TsvdcError', () => {
  it('formats code and origin into `message` and keeps the bare text in `reason`', () => {
    const e = new TsvdcError('TSVDC003', "expected '->'", { file: 'm.tir', line: 3, col: 20, node: 'fc1', row: 2 });
    expect([e.message, e.reason, e.code]).toEqual([`m.tir:3:20: TSVDC003: expected '->' (node "fc1", row 2)`, "expected '->'", 'TSVDC003']);
  });
});
