import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNpy, parseMatrixNpy, parseNpy, parseZip, formatZip, crc32, readNpz, writeNpz } from './index.js';

const PY = '/usr/bin/python3';
const hasNumpy = existsSync(PY) && (() => {
  try {
    execFileSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dir = mkdtempSync(join(tmpdir(), 'tsvdc-npy-'));

/** Hand-built .npy bytes: header text as given, padded to 64. */
function npyBytes(header: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  h += ' '.repeat((64 - ((pre + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[pre + i] = h.charCodeAt(i);
  out.set(data, pre + h.length);
  return out;
}
const f64 = (xs: number[], little = true) => {
  const b = new Uint8Array(8 * xs.length);
  xs.forEach((x, i) => new DataView(b.buffer).setFloat64(8 * i, x, little));
  return b;
};

describe('npy', () => {
  it('round-trips float64, float32 and int8 arrays', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.array(fc.double({ noNaN: true }), { minLength: 36, maxLength: 36 }), (r, c, xs) => {
      const data = Float64Array.from(xs.slice(0, r * c));
      const back = parseNpy(formatNpy({ dtype: 'f8', shape: [r, c], data }), 'x.npy');
      expect(back.shape).toEqual([r, c]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
      const f32 = Float32Array.from(data);
      expect(Array.from(parseNpy(formatNpy({ dtype: 'f4', shape: [r, c], data: f32 }), 'x.npy').data)).toEqual(Array.from(f32));
      const i8 = Int8Array.from(data.map((x) => Math.sign(x)));
      expect(Array.from(parseNpy(formatNpy({ dtype: 'i1', shape: [r * c], data: i8 }), 'x.npy').data)).toEqual(Array.from(i8));
    }), { numRuns: 100 });
  });
  it('pads the header so the data starts at a multiple of 64', () => {
    const b = formatNpy({ dtype: 'f8', shape: [2, 3], data: new Float64Array(6) });
    const hl = new DataView(b.buffer).getUint16(8, true);
    expect((10 + hl) % 64).toBe(0);
    expect(new TextDecoder().decode(b.subarray(10, 10 + hl)).trimEnd()).toBe("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
  });
  it('reads Fortran order, big endian, and version 2.0 headers', () => {
    // column-major [[1, 2, 3], [4, 5, 6]] is stored 1 4 2 5 3 6
    const fortran = npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", f64([1, 4, 2, 5, 3, 6]));
    expect(Array.from(parseMatrixNpy(fortran, 'f.npy').data)).toEqual([1, 2, 3, 4, 5, 6]);
    const big = npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (1, 2), }", f64([1.5, -2], false));
    expect(Array.from(parseMatrixNpy(big, 'b.npy').data)).toEqual([1.5, -2]);
    const v2 = npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", f64([7]), 2);
    expect(Array.from(parseMatrixNpy(v2, 'v2.npy').data)).toEqual([7]);
  });
  it('rejects bad input with a code, the file name and the reason', () => {
    const ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
    expect(() => parseMatrixNpy(new TextEncoder().encode('PK\x03\x04 not npy at all'), 'a.npy'))
      .toThrow('a.npy: TSVDC301: not a .npy file (bad magic; expected \\x93NUMPY)');
    expect(() => parseMatrixNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(16)), 'i.npy'))
      .toThrow("i.npy: TSVDC303: unsupported dtype '<i4' (need float32 or float64)");
    expect(() => parseMatrixNpy(npyBytes("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(4)), 'q.npy'))
      .toThrow("q.npy: TSVDC303: unsupported dtype '|i1' (need float32 or float64)");
    expect(() => parseMatrixNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", f64([1, 2, 3, 4])), 'v.npy'))
      .toThrow('v.npy: TSVDC304: expected a 2-D matrix, got shape (4)');
    expect(() => parseMatrixNpy(npyBytes(ok, f64([1, 2, 3])), 't.npy'))
      .toThrow('t.npy: TSVDC305: truncated data: shape (2, 2) of <f8 needs 32 bytes, found 24');
    expect(() => parseMatrixNpy(npyBytes(ok, f64([1, 2, Infinity, 4])), 'n.npy'))
      .toThrow('n.npy: TSVDC306: entry (1, 0) is Infinity');
    expect(() => parseMatrixNpy(npyBytes(ok, f64([1, NaN, 3, 4])), 'n.npy'))
      .toThrow('n.npy: TSVDC306: entry (0, 1) is NaN');
    expect(() => parseMatrixNpy(npyBytes("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", f64([1, 2])), 's.npy'))
      .toThrow("s.npy: TSVDC302: header has no 'descr' string (a structured dtype is not supported)");
    expect(() => parseMatrixNpy(formatNpy({ dtype: 'f8', shape: [2, 2], data: new Float64Array(4) }).subarray(0, 40), 'h.npy'))
      .toThrow('h.npy: TSVDC305: truncated header (40 bytes, header needs 128)');
  });
});

describe('npz', () => {
  it('round-trips stored members and reads deflated ones', () => {
    const a = new TextEncoder().encode('hello hello hello');
    const zip = formatZip([['a.npy', a], ['b.npy', new Uint8Array([1, 2, 3])]]);
    const back = parseZip(zip, 'z.npz');
    expect([...back.keys()]).toEqual(['a.npy', 'b.npy']);
    expect(Array.from(back.get('a.npy')!)).toEqual(Array.from(a));
    // turn member a into a deflated one by hand and check the reader inflates it
    const deflated = new Uint8Array(deflateRawSync(a));
    const rebuilt = formatZip([['a.npy', deflated]]);
    const v = new DataView(rebuilt.buffer);
    const cd = v.getUint32(rebuilt.length - 6, true);
    for (const [off, method] of [[8, 8], [cd + 10, 8]] as const) v.setUint16(off, method, true);
    for (const off of [14, cd + 16]) v.setUint32(off, crc32(a), true);
    for (const off of [22, cd + 24]) v.setUint32(off, a.length, true);
    expect(new TextDecoder().decode(parseZip(rebuilt, 'd.npz').get('a.npy'))).toBe('hello hello hello');
  });
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('rejects a non-zip and a corrupted member', () => {
    expect(() => parseZip(new Uint8Array(100), 'x.npz')).toThrow('x.npz: TSVDC307: not a zip archive (no end-of-central-directory record)');
    const zip = formatZip([['a.npy', new Uint8Array([1, 2, 3, 4])]]);
    zip[31 + 'a.npy'.length - 1] ^= 0xff; // flip a data byte
    expect(() => parseZip(zip, 'c.npz')).toThrow('c.npz: TSVDC307: member a.npy: CRC mismatch');
  });
});

describe('npy/npz against numpy', () => {
  it(hasNumpy ? 'numpy reads our .npz and we read numpy .npy/.npz files' : 'our reader reads our own .npz (numpy not installed)', () => {
    const U = Int8Array.from([1, 0, -1, 1, 1, 0]);
    const s = Float64Array.from([0.5, -2.25]);
    const path = join(dir, 'f.npz');
    writeNpz(path, [['U', { dtype: 'i1', shape: [3, 2], data: U }], ['s', { dtype: 'f8', shape: [2], data: s }]]);
    const own = readNpz(path);
    expect(Array.from(own.get('U')!.data)).toEqual(Array.from(U));
    expect(own.get('U')!.shape).toEqual([3, 2]);
    expect(Array.from(own.get('s')!.data)).toEqual([0.5, -2.25]);
    if (!hasNumpy) return;
    const script = `
import numpy as np, json, sys
z = np.load(sys.argv[1])
print(json.dumps({k: [str(z[k].dtype), list(z[k].shape), z[k].ravel().tolist()] for k in z.files}))
a = (np.arange(12, dtype=np.float64).reshape(3, 4) - 5) / 7
np.save(sys.argv[2] + '/c.npy', a)
np.save(sys.argv[2] + '/f.npy', np.asfortranarray(a))
np.save(sys.argv[2] + '/f32.npy', a.astype(np.float32))
np.save(sys.argv[2] + '/be.npy', a.astype('>f8'))
np.savez(sys.argv[2] + '/plain.npz', A=a, B=np.int8([1, -1]))
np.savez_compressed(sys.argv[2] + '/comp.npz', A=a, B=np.int8([1, -1]))
`;
    const out = JSON.parse(execFileSync(PY, ['-c', script, path, dir], { encoding: 'utf8' }));
    expect(out).toEqual({ U: ['int8', [3, 2], [1, 0, -1, 1, 1, 0]], s: ['float64', [2], [0.5, -2.25]] });
    const expected = Array.from({ length: 12 }, (_, i) => (i - 5) / 7);
    for (const name of ['c', 'f', 'be']) {
      expect(Array.from(parseMatrixNpy(readFileSync(join(dir, `${name}.npy`)), name).data)).toEqual(expected);
    }
    expect(Array.from(parseMatrixNpy(readFileSync(join(dir, 'f32.npy')), 'f32').data)).toEqual(expected.map(Math.fround));
    for (const name of ['plain', 'comp']) {
      const z = readNpz(join(dir, `${name}.npz`));
      expect(Array.from(z.get('A')!.data)).toEqual(expected);
      expect(z.get('A')!.shape).toEqual([3, 4]);
      expect(Array.from(z.get('B')!.data)).toEqual([1, -1]);
    }
  });
  it('writes nothing when the output directory cannot be created', () => {
    const blocker = join(dir, 'file');
    writeFileSync(blocker, 'x');
    expect(() => writeNpz(join(blocker, 'sub', 'o.npz'), [])).toThrow(/^.*o\.npz: TSVDC502: cannot write \(ENOTDIR\)$/);
  });
});
