/**
 * External tensor data (TensorProto.data_location = EXTERNAL): the bytes live in a
 * file next to the model (`location`, `offset`, `length` entries). Following it is a
 * file-system access chosen by the model's author, so the path must stay inside the
 * model's folder (no absolute paths, no `..`, no symlink out) and the range inside
 * the file. The data is read into raw_data, so the rest of tsvdc sees inline tensors.
 */
import { TsvdcError } from '@tsvdc/ir';
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ONNX_CODES } from './codes.js';
import type { AttributeProto, GraphProto, ModelProto, TensorProto } from './proto.js';

export type ExternalDataPolicy = 'follow' | 'refuse';

interface Ctx {
  readonly file: string;
  readonly baseDir: string | undefined;
  readonly policy: ExternalDataPolicy;
}

const EXTERNAL = 1;

/** Replaces every external tensor of the model by an inline one, or refuses. */
export function resolveExternalData(model: ModelProto, ctx: Ctx): void {
  if (model.graph) visitGraph(model.graph, ctx);
}

function visitGraph(g: GraphProto, ctx: Ctx): void {
  for (const t of g.initializer) resolveTensor(t, ctx, undefined);
  for (const n of g.node) {
    for (const a of n.attribute) visitAttribute(a, ctx, n.name);
  }
}

function visitAttribute(a: AttributeProto, ctx: Ctx, node: string | undefined): void {
  if (a.t) resolveTensor(a.t, ctx, node);
  for (const t of a.tensors) resolveTensor(t, ctx, node);
  if (a.g) visitGraph(a.g, ctx);
  for (const g of a.graphs) visitGraph(g, ctx);
}

function entry(t: TensorProto, key: string): string | undefined {
  return t.externalData.find((e) => e.key === key)?.value;
}

function resolveTensor(t: TensorProto, ctx: Ctx, node: string | undefined): void {
  if (t.dataLocation !== EXTERNAL) return;
  const name = t.name ?? '';
  const origin = { file: ctx.file, ...(node ? { node } : {}) };
  const fail = (why: string): never => {
    throw new TsvdcError(ONNX_CODES.externalData, `tensor ${JSON.stringify(name)}: ${why}`, origin);
  };
  if (ctx.policy === 'refuse' || ctx.baseDir === undefined) {
    fail('its data is stored in an external file, which this reader was told not to follow (read the model from a file, or save it with the data inline)');
  }
  const location = entry(t, 'location');
  if (!location) fail('external data without a location');
  const path = safePath(ctx.baseDir!, location!, fail);
  const offset = parseField(entry(t, 'offset'), 0, 'offset', fail);
  const length = parseField(entry(t, 'length'), -1, 'length', fail);
  try {
    t.rawData = readRange(path, location!, offset, length, fail);
  } catch (e) {
    if (e instanceof TsvdcError) throw e;
    fail(`cannot read external data file ${JSON.stringify(location)} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  t.dataLocation = 0;
  t.externalData = [];
}

function safePath(baseDir: string, location: string, fail: (why: string) => never): string {
  if (isAbsolute(location) || location.includes('\0')) fail(`external data location ${JSON.stringify(location)} must be a relative path`);
  const base = resolve(baseDir);
  const path = resolve(base, location);
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) fail(`external data location ${JSON.stringify(location)} leaves the model's folder`);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return fail(`external data file ${JSON.stringify(location)} does not exist`);
  }
  const realBase = realpathSync(base);
  if (!(real + sep).startsWith(join(realBase, sep)) && real !== realBase) {
    fail(`external data location ${JSON.stringify(location)} leaves the model's folder (through a link)`);
  }
  return real;
}

function parseField(v: string | undefined, dflt: number, what: string, fail: (why: string) => never): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) fail(`external data ${what} ${JSON.stringify(v)} is not a non-negative integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) fail(`external data ${what} ${v} is too large`);
  return n;
}

function readRange(path: string, location: string, offset: number, length: number, fail: (why: string) => never): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = length < 0 ? size - offset : length;
    if (offset > size || len < 0 || offset + len > size) {
      fail(`external data range [${offset}, ${offset + len}) is outside ${JSON.stringify(location)} (${size} bytes)`);
    }
    const buf = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const n = readSync(fd, buf, done, len - done, offset + done);
      if (n === 0) fail(`external data file ${JSON.stringify(location)} ended early`);
      done += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}
