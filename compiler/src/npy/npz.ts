/**
 * NumPy .npz archives: a zip file whose members are .npy files. We write stored
 * (uncompressed) members, as numpy.savez does; we read stored and deflated
 * members (numpy.savez_compressed) through the central directory, including the
 * zip64 fields numpy writes for large members.
 */
import { inflateRawSync } from 'node:zlib';
import { TsvdcError } from '@tsvdc/ir';
import { TSVD_CODES } from '../tsvd/codes.js';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Builds a zip archive of stored members (name -> bytes), in the given order. */
export function formatZip(members: ReadonlyArray<readonly [string, Uint8Array]>): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    if (data.length >= 0xffffffff || offset >= 0xffffffff) throw new Error('formatZip: members over 4 GiB need zip64');
    const nameBytes = new TextEncoder().encode(name);
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true); // version needed
    lv.setUint16(8, 0, true); // stored
    lv.setUint16(10, 0, true); // time
    lv.setUint16(12, 0x21, true); // date 1980-01-01
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(12, 0, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concat([...locals, ...centrals, end]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Reads every member of a zip archive (stored or deflated). `name` is for messages. */
export function parseZip(bytes: Uint8Array, name: string): Map<string, Uint8Array> {
  const fail = (why: string): never => {
    throw new TsvdcError(TSVD_CODES.npzBadArchive, `${why}`, { file: name });
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 65535); p--) {
    if (view.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) fail('not a zip archive (no end-of-central-directory record)');
  let count = view.getUint16(eocd + 10, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || cdOffset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const e64 = Number(view.getBigUint64(eocd - 12, true));
    if (e64 + 56 > bytes.length || view.getUint32(e64, true) !== 0x06064b50) fail('bad zip64 end-of-central-directory record');
    count = Number(view.getBigUint64(e64 + 32, true));
    cdOffset = Number(view.getBigUint64(e64 + 48, true));
  }
  const out = new Map<string, Uint8Array>();
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) fail(`bad central directory entry ${i}`);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let csize = view.getUint32(p + 20, true);
    let usize = view.getUint32(p + 24, true);
    const nlen = view.getUint16(p + 28, true);
    const xlen = view.getUint16(p + 30, true);
    const clen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    const entry = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nlen));
    ({ csize, usize, local } = zip64Extra(view, p + 46 + nlen, xlen, { csize, usize, local }));
    p += 46 + nlen + xlen + clen;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) fail(`member ${entry}: bad local header`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + csize > bytes.length) fail(`member ${entry}: truncated (needs ${csize} bytes at ${start}, file has ${bytes.length})`);
    const raw = bytes.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) {
      try {
        data = new Uint8Array(inflateRawSync(raw));
      } catch (e) {
        return fail(`member ${entry}: corrupt deflate data (${(e as Error).message})`);
      }
    } else return fail(`member ${entry}: unsupported compression method ${method}`);
    if (data.length !== usize) fail(`member ${entry}: size ${data.length}, directory says ${usize}`);
    if (crc32(data) !== crc) fail(`member ${entry}: CRC mismatch`);
    out.set(entry, data);
  }
  return out;
}

/** Applies the zip64 extended-information extra field (id 1) to 0xffffffff fields. */
function zip64Extra(view: DataView, off: number, len: number, f: { csize: number; usize: number; local: number }): typeof f {
  const end = off + len;
  while (off + 4 <= end) {
    const id = view.getUint16(off, true);
    const size = view.getUint16(off + 2, true);
    if (id === 1) {
      let q = off + 4;
      const next = (): number => {
        const v = Number(view.getBigUint64(q, true));
        q += 8;
        return v;
      };
      // fields appear only for the headers that overflowed, in this order
      const usize = f.usize === 0xffffffff ? next() : f.usize;
      const csize = f.csize === 0xffffffff ? next() : f.csize;
      const local = f.local === 0xffffffff ? next() : f.local;
      return { csize, usize, local };
    }
    off += 4 + size;
  }
  return f;
}
