import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TsvdcError } from '@tsvdc/ir';
import { FASHION_MNIST_DIR, loadImageSet } from './fashion-mnist.js';
import { decodeIdx, readIdxFile } from './idx.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('decodeIdx', () => {
  it('reads a u8 matrix', () => {
    const a = decodeIdx(bytes(0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255));
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 255]);
  });
  it('reads big-endian i16 and f32', () => {
    expect(Array.from(decodeIdx(bytes(0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x00)).data)).toEqual([-2, 256]);
    expect(Array.from(decodeIdx(bytes(0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0)).data)).toEqual([1.5]);
  });
  it('rejects a bad magic, an unknown type and a wrong length with exact messages', () => {
    const msg = (b: Uint8Array): string => {
      try {
        decodeIdx(b, 'x.idx');
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(msg(bytes(1, 0, 8, 1))).toBe('x.idx: TSVDC390: not an IDX file: magic starts with 1, 0 instead of 0, 0');
    expect(msg(bytes(0, 0, 7, 1))).toBe('x.idx: TSVDC390: not an IDX file: unknown element type 0x07');
    expect(msg(bytes(0, 0, 8, 1, 0, 0, 0, 3, 1, 2))).toBe('x.idx: TSVDC390: not an IDX file: shape [3] of u8 needs 11 bytes, got 10');
    expect(msg(bytes(0, 0, 8, 2, 0, 0))).toBe('x.idx: TSVDC390: not an IDX file: truncated header (2 dimensions need 12 bytes, got 6)');
  });
  it('never throws anything but a TsvdcError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (b, header) => {
        const input = header && b.length >= 4 ? Uint8Array.from([0, 0, 8, b[3]! % 4, ...b.slice(4)]) : b;
        try {
          decodeIdx(input);
        } catch (e) {
          expect(e).toBeInstanceOf(TsvdcError);
        }
      }),
      { numRuns: 500 },
    );
  });
  it('reads gzip files and reports broken gzip', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    writeFileSync(join(dir, 'a.gz'), gzipSync(bytes(0, 0, 8, 1, 0, 0, 0, 1, 42)));
    expect(Array.from(readIdxFile(join(dir, 'a.gz')).data)).toEqual([42]);
    writeFileSync(join(dir, 'b.gz'), bytes(1, 2, 3));
    expect(() => readIdxFile(join(dir, 'b.gz'))).toThrow(/b\.gz: TSVDC390: not an IDX file: gzip: /);
  });
});

describe('Fashion-MNIST on this machine', () => {
  it('has 10 000 test images, 1 000 per class, pixels in [0, 1]', () => {
    const t = loadImageSet(FASHION_MNIST_DIR, 't10k');
    expect([t.count, t.pixels]).toEqual([10000, 784]);
    const perClass = new Array<number>(10).fill(0);
    for (const l of t.labels) perClass[l]!++;
    expect(perClass).toEqual(new Array(10).fill(1000));
    let max = 0;
    for (const v of t.images) max = Math.max(max, v);
    expect(max).toBe(1);
  });
});
