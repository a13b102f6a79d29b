import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TsvdcError } from '@tsvdc/ir';
import protobuf from 'protobufjs';
import { readModel, readModelFile } from './read.js';
import { buildModel, floatTensor, node, valueInfo } from './testing/builder.js';
import type { ModelProto, TensorProto } from './proto.js';
import { writeModel } from './write.js';
import { floatTensorOf, floatToHalf, halfToFloat, tensorValues, weightValues } from './tensor.js';

const WAKE = join(import.meta.dirname, '../../../node_modules/openwakeword-js/models/hello_deepa.onnx');

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof TsvdcError) return e.message;
    throw e;
  }
  throw new Error('expected a TsvdcError');
}

const read = (b: Uint8Array): unknown => readModel(b, { file: 'm.onnx' });

describe('reading real models', () => {
  it('decodes a PyTorch export and re-encodes it to the same bytes', () => {
    const bytes = readFileSync(WAKE);
    const m = readModel(bytes, { file: WAKE });
    expect(m.proto.irVersion).toBe(7);
    expect(m.proto.producerName).toBe('pytorch');
    expect(m.proto.graph!.node.length).toBe(29);
    expect(m.proto.graph!.initializer.map((t) => t.name)).toContain('layer1.weight');
    expect(Buffer.from(writeModel(m.proto)).equals(bytes)).toBe(true);
  });
});

/** The (field number, bytes) pairs of one protobuf message's length-delimited fields, and its other field numbers. */
function fields(bytes: Uint8Array): Array<[number, Uint8Array | undefined]> {
  const r = protobuf.Reader.create(bytes);
  const out: Array<[number, Uint8Array | undefined]> = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    if ((tag & 7) === 2) out.push([tag >>> 3, r.bytes()]);
    else {
      out.push([tag >>> 3, undefined]);
      r.skipType(tag & 7);
    }
  }
  return out;
}
const field = (bytes: Uint8Array, n: number): Uint8Array => fields(bytes).find(([k]) => k === n)![1]!;

describe('IR version 10 fields (onnx 1.16)', () => {
  const meta = [{ key: 'source', value: 'layer 3' }];
  const spec = {
    opset: 21, inputs: [{ ...valueInfo('x', [1, 2]), metadataProps: meta }], outputs: [valueInfo('y', [1, 2])],
    initializers: [{ ...floatTensor('k', [2], [1, 2]), metadataProps: meta }],
    nodes: [{ ...node('Mul', ['x', 'k'], ['y'], {}, 'mul'), overload: 'v2', metadataProps: meta }],
  };
  it('metadata_props of nodes, values, tensors and graphs and a node\'s overload survive a read/write round trip', () => {
    const p = buildModel(spec);
    p.graph!.metadataProps = meta;
    p.functions = [{ name: 'f', domain: 'local', overload: 'o', metadataProps: meta, valueInfo: [valueInfo('t', [1])], attributeProto: [] }];
    const bytes = writeModel(p);
    const back = readModel(bytes, { file: 'm.onnx' }).proto;
    const g = back.graph!;
    expect([g.node[0]!.metadataProps, g.node[0]!.overload, g.input[0]!.metadataProps, g.initializer[0]!.metadataProps, g.metadataProps])
      .toEqual([meta, 'v2', meta, meta, meta]);
    expect(back.functions).toEqual([{ name: 'f', domain: 'local', overload: 'o', metadataProps: meta, valueInfo: [{ ...valueInfo('t', [1]), metadataProps: [] }], input: [], output: [], attribute: [], attributeProto: [], node: [], opsetImport: [] }]);
    expect(Buffer.from(writeModel(back)).equals(Buffer.from(bytes))).toBe(true);
  });
  it('uses the official field numbers: NodeProto overload 8, metadata_props 9; GraphProto metadata_props 16', () => {
    const graph = field(writeModel(buildModel(spec)), 7);
    const n = field(graph, 1);
    expect(fields(n).map(([k]) => k)).toEqual([1, 1, 2, 3, 4, 8, 9]);
    expect(fields(field(n, 9)).map(([k, v]) => [k, new TextDecoder().decode(v)])).toEqual([[1, 'source'], [2, 'layer 3']]);
    expect(fields(field(graph, 5)).map(([k]) => k)).toEqual([1, 2, 8, 9, 16]);
  });
});

describe('recognizing what is not ONNX', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['an empty file', new Uint8Array(0), 'the file is empty'],
    ['a zip archive', Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), 'the file is a zip archive (a PyTorch .pt/.pth checkpoint, .npz or .keras file?)'],
    ['gzip', Uint8Array.from([0x1f, 0x8b, 8, 0]), 'the file is gzip-compressed data (decompress it first)'],
    ['HDF5', Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a]), 'the file is an HDF5 file (a Keras .h5 model?)'],
    ['.npy', Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), 'the file is a NumPy .npy array'],
    ['TFLite', Uint8Array.from([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33]), 'the file is a TensorFlow Lite flatbuffer'],
    ['a pickle', Uint8Array.from([0x80, 0x02, 0x63]), 'the file is a Python pickle (a legacy PyTorch checkpoint?)'],
    ['ONNX text', new TextEncoder().encode('<\n  ir_version: 8,\n  opset_import: ["" : 17]\n>'), 'the file is the ONNX text format (convert it to binary protobuf)'],
    ['JSON', new TextEncoder().encode('  {"graph": {}}'), 'the file is a JSON document'],
    ['a protobuf without a graph', Uint8Array.from([8, 7]), 'the protobuf has no graph (is it a ModelProto?)'],
  ];
  for (const [what, bytes, why] of cases) {
    it(`${what}: TSVDC201`, () => {
      expect(message(() => read(bytes))).toBe(`m.onnx: TSVDC201: not an ONNX model: ${why}`);
    });
  }

  it('garbage: TSVDC200 with protobuf\'s reason', () => {
    expect(message(() => read(new TextEncoder().encode('hello world, this is not onnx'))))
      .toBe('m.onnx: TSVDC200: cannot decode the file as protobuf (truncated or corrupt): invalid wire type 4 at offset 3');
  });

  it('a truncated real model: TSVDC200', () => {
    const bytes = readFileSync(WAKE);
    expect(message(() => read(bytes.subarray(0, bytes.length - 7))))
      .toBe('m.onnx: TSVDC200: cannot decode the file as protobuf (truncated or corrupt): index out of range');
  });

  it('no ir_version: TSVDC201', () => {
    const p = buildModel({ inputs: [], outputs: [], nodes: [] });
    delete p.irVersion;
    expect(message(() => read(writeModel(p)))).toBe('m.onnx: TSVDC201: not an ONNX model: ir_version is missing (3 or later expected)');
  });

  it('opsets outside 9..21: TSVDC202', () => {
    for (const v of [8, 22]) {
      const p = buildModel({ opset: v, inputs: [], outputs: [], nodes: [] });
      expect(message(() => read(writeModel(p)))).toBe(`m.onnx: TSVDC202: opset ${v} is not supported (tsvdc reads opsets 9 to 21)`);
    }
    const p: ModelProto = { ...buildModel({ inputs: [], outputs: [], nodes: [] }), opsetImport: [{ domain: 'ai.onnx.ml', version: 3 }] };
    expect(message(() => read(writeModel(p)))).toBe('m.onnx: TSVDC202: the model imports no opset of the default ONNX domain');
  });

  it('an unreadable file: TSVDC501', () => {
    expect(message(() => readModelFile('/nonexistent/model.onnx'))).toBe('/nonexistent/model.onnx: TSVDC501: cannot read the model (ENOENT)');
  });
});

describe('tensor data', () => {
  const t = (dataType: number, field: Partial<TensorProto>, dims = [2]): TensorProto => ({
    name: 'w', dims, dataType, floatData: [], int32Data: [], int64Data: [], doubleData: [], uint64Data: [], stringData: [], externalData: [], ...field,
  });
  const o = { file: 'm.onnx', node: 'n' };
  it('float16, bfloat16 and double, raw and typed', () => {
    expect([...tensorValues(t(10, { int32Data: [0x3c00, 0xc000] }), o)]).toEqual([1, -2]);
    expect([...tensorValues(t(10, { rawData: Uint8Array.from([0x00, 0x3c, 0x00, 0x38]) }), o)]).toEqual([1, 0.5]);
    expect([...tensorValues(t(16, { int32Data: [0x3f80, 0x4040] }), o)]).toEqual([1, 3]);
    expect([...tensorValues(t(11, { doubleData: [0.1, -2.5] }), o)]).toEqual([0.1, -2.5]);
    expect([...tensorValues(t(11, { rawData: new Uint8Array(Float64Array.of(0.1, 7).buffer) }), o)]).toEqual([0.1, 7]);
    expect([...tensorValues(t(7, { rawData: new Uint8Array(BigInt64Array.of(-3n, 5n).buffer) }), o)]).toEqual([-3, 5]);
  });
  it('float16 writing rounds to nearest even and round-trips every half exactly', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519.99, 0x7bff], [65520, 0x7c00], [-Infinity, 0xfc00], [-0, 0x8000],
      [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [2 ** -14 - 2 ** -25, 0x0400],
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [2 - 2 ** -12, 0x4000], [0.1, 0x2e66],
    ];
    expect(cases.map(([v]) => floatToHalf(v))).toEqual(cases.map(([, h]) => h));
    const bad: number[] = [];
    for (let h = 0; h < 0x10000; h++) if (!Number.isNaN(halfToFloat(h)) && floatToHalf(halfToFloat(h)) !== h) bad.push(h);
    expect(bad).toEqual([]);
  });
  it('float tensors of each float type read back their (rounded) values', () => {
    const v = [0.1, -2.5, 3];
    expect([...tensorValues(floatTensorOf('w', [3], v, 11), o)]).toEqual(v);
    expect([...tensorValues(floatTensorOf('w', [3], v, 1), o)]).toEqual([Math.fround(0.1), -2.5, 3]);
    expect([...tensorValues(floatTensorOf('w', [3], v, 10), o)]).toEqual([halfToFloat(0x2e66), -2.5, 3]);
    expect([...tensorValues(floatTensorOf('w', [3], v, 16), o)]).toEqual([new Float32Array(Uint32Array.of(0x3dcd0000).buffer)[0], -2.5, 3]);
  });
  it('a dtype tsvdc cannot read: TSVDC204', () => {
    expect(message(() => tensorValues(t(17, {}), o))).toBe('m.onnx: TSVDC204: tensor "w" has data type FLOAT8E4M3FN, which tsvdc cannot read (node "n")');
    expect(message(() => tensorValues(t(99, {}), o))).toBe('m.onnx: TSVDC204: tensor "w" has data type unknown data type 99, which tsvdc cannot read (node "n")');
    // the IR 9 and 10 types by their schema names
    expect([19, 20, 21, 22].map((d) => message(() => weightValues(t(d, {}), o)))).toEqual(['FLOAT8E5M2', 'FLOAT8E5M2FNUZ', 'UINT4', 'INT4']
      .map((n) => `m.onnx: TSVDC204: weight tensor "w" has data type ${n}, expected FLOAT, FLOAT16, BFLOAT16 or DOUBLE (node "n")`));
  });
  it('data that does not fill the shape: TSVDC205', () => {
    expect(message(() => tensorValues(t(1, { floatData: [1, 2, 3] }, [2, 2]), o))).toBe('m.onnx: TSVDC205: tensor "w" has 3 values, its shape [2,2] needs 4 (node "n")');
    expect(message(() => tensorValues(t(1, { rawData: new Uint8Array(12) }, [2, 2]), o))).toBe('m.onnx: TSVDC205: tensor "w" has 12 bytes of FLOAT data, its shape [2,2] needs 16 (node "n")');
  });
});

describe('external data', () => {
  function modelWithExternal(location: string, offset?: number, length?: number): Uint8Array {
    const w: TensorProto = {
      ...floatTensor('W', [3, 2], []), dataLocation: 1,
      externalData: [{ key: 'location', value: location }, ...(offset !== undefined ? [{ key: 'offset', value: String(offset) }] : []), ...(length !== undefined ? [{ key: 'length', value: String(length) }] : [])],
    };
    delete w.rawData;
    return writeModel(buildModel({ inputs: [valueInfo('x', [1, 3])], outputs: [valueInfo('y', [1, 2])], initializers: [w], nodes: [node('MatMul', ['x', 'W'], ['y'])] }));
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsvdc-ext-'));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'w.bin'), Buffer.concat([Buffer.alloc(8), Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer)]));
  writeFileSync(join(dir, 'secret.bin'), Buffer.alloc(64));
  symlinkSync(join(dir, 'secret.bin'), join(dir, 'model', 'link.bin'));
  const at = (bytes: Uint8Array): string => {
    const p = join(dir, 'model', 'm.onnx');
    writeFileSync(p, bytes);
    return p;
  };

  it('is followed relative to the model, with offset and length', () => {
    const m = readModelFile(at(modelWithExternal('w.bin', 8, 24)));
    const w = m.proto.graph!.initializer[0]!;
    expect([...tensorValues(w, {})]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(w.dataLocation).toBe(0);
  });

  it('is refused when asked, and when reading bytes without a folder', () => {
    const bytes = modelWithExternal('w.bin', 8, 24);
    const why = 'its data is stored in an external file, which this reader was told not to follow (read the model from a file, or save it with the data inline)';
    expect(message(() => readModelFile(at(bytes), { externalData: 'refuse' }))).toBe(`${join(dir, 'model', 'm.onnx')}: TSVDC203: tensor "W": ${why}`);
    expect(message(() => readModel(bytes, { file: 'm.onnx' }))).toBe(`m.onnx: TSVDC203: tensor "W": ${why}`);
  });

  it('may not leave the model folder, by path or by link', () => {
    const p = join(dir, 'model', 'm.onnx');
    expect(message(() => readModelFile(at(modelWithExternal('../secret.bin'))))).toBe(`${p}: TSVDC203: tensor "W": external data location "../secret.bin" leaves the model's folder`);
    expect(message(() => readModelFile(at(modelWithExternal('/etc/passwd'))))).toBe(`${p}: TSVDC203: tensor "W": external data location "/etc/passwd" must be a relative path`);
    expect(message(() => readModelFile(at(modelWithExternal('link.bin'))))).toBe(`${p}: TSVDC203: tensor "W": external data location "link.bin" leaves the model's folder (through a link)`);
  });

  it('must exist and hold the range', () => {
    const p = join(dir, 'model', 'm.onnx');
    expect(message(() => readModelFile(at(modelWithExternal('nope.bin'))))).toBe(`${p}: TSVDC203: tensor "W": external data file "nope.bin" does not exist`);
    expect(message(() => readModelFile(at(modelWithExternal('w.bin', 16, 24))))).toBe(`${p}: TSVDC203: tensor "W": external data range [16, 40) is outside "w.bin" (32 bytes)`);
  });
});
