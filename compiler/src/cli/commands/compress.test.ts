import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { readModelFile } from '../../onnx/read.js';
import { FASHION_MLP, wakeWordModels } from '../../onnx/testing/fixtures.js';
import { buildModel, floatTensor, node, rng, valueInfo, weight } from '../../onnx/testing/builder.js';
import { writeModel } from '../../onnx/write.js';
import { loadOrt } from '../../report/ort.js';
import { runCli } from '../run.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvdc-compress-'));
const MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { stdout += c.toString(); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { stderr += c.toString(); return true; });
  try {
    return { code: await runCli(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('tsvdc compress', () => {
  it('writes the model and a JSON report whose layers match the metadata', async () => {
    const out = join(dir, 'wake.tsvd.onnx');
    const json = join(dir, 'wake.json');
    const r = await cli(['compress', wakeWordModels()[0]!, '-o', out, '--tol', '0.05', '--jobs', '0', '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(json, 'utf8')) as { layers: Array<{ name: string; rank: number; error: number; meta: { rank: number } }>; errorSource: string; options: { tol: number } };
    expect(rep.options.tol).toBe(0.05);
    expect(rep.errorSource).toBe('recomputed');
    expect(rep.layers.map((l) => l.name)).toEqual(['/layer1/Gemm', '/blocks.0/fcn_layer/Gemm', '/last_layer/Gemm']);
    for (const l of rep.layers) {
      expect(l.rank).toBe(l.meta.rank);
      expect(l.error).toBeLessThan(0.05);
    }
    expect((await loadOrt(out)).outputNames).toEqual(['39']);
  });

  it('passes ops it cannot import through untouched', async () => {
    const src = join(dir, 'erf.onnx');
    writeFileSync(src, writeModel(buildModel({
      inputs: [valueInfo('x', [2, 16])], outputs: [valueInfo('y', [2, 8])],
      initializers: [floatTensor('Wt', [16, 8], Float32Array.from({ length: 128 }, (_, i) => Math.sin(i)))],
      nodes: [node('Erf', ['x'], ['e'], {}, 'erf'), node('MatMul', ['e', 'Wt'], ['y'], {}, 'mm')],
    })));
    const out = join(dir, 'erf.tsvd.onnx');
    expect((await cli(['compress', src, '-o', out, '--jobs', '0'])).code).toBe(0);
    const ops = readModelFile(out).proto.graph!.node.map((n) => n.opType);
    expect(ops).toEqual(['Erf', 'Cast', 'MatMul', 'Mul', 'Cast', 'MatMul']);
    const y = (await (await loadOrt(out)).run({ x: { dims: [2, 16], data: new Float32Array(32).fill(0.3) } })).y!;
    expect(y.dims).toEqual([2, 8]);
  });

  it('compresses convs whose pads need the input size (auto_pad SAME_*, output_shape) and reports them against the original', async () => {
    const r = rng(5);
    const src = join(dir, 'same.onnx');
    writeFileSync(src, writeModel(buildModel({
      inputs: [valueInfo('x', [1, 8, 6, 6])], outputs: [valueInfo('y', [1, 8, 6, 6])],
      initializers: [weight('W', [16, 8, 3, 3], r), weight('K', [16, 8, 3, 3], r)],
      nodes: [
        node('Conv', ['x', 'W'], ['c'], { auto_pad: 'SAME_LOWER', strides: [2, 2] }, 'conv'),
        node('ConvTranspose', ['c', 'K'], ['y'], { strides: [2, 2], output_shape: [6, 6] }, 'deconv'),
      ],
    })));
    const out = join(dir, 'same.tsvd.onnx');
    const c = await cli(['compress', src, '-o', out, '--jobs', '0', '--json', join(dir, 'same.json')]);
    expect([c.code, c.stderr]).toEqual([0, '']);
    const rep = JSON.parse(readFileSync(join(dir, 'same.json'), 'utf8')) as { layers: Array<{ name: string; compressed: boolean; errorSource: string }> };
    expect(rep.layers.map((l) => [l.name, l.compressed, l.errorSource])).toEqual([['conv', true, 'recomputed'], ['deconv', true, 'recomputed']]);
    const again = await cli(['report', out, '--original', src, '--json']);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect((JSON.parse(again.stdout) as { errorSource: string }).errorSource).toBe('recomputed');
  });

  it('compresses a partly compressed model: the rest is compressed, earlier layers keep their stored error', async () => {
    const r = rng(6);
    const src = join(dir, 'two.onnx');
    writeFileSync(src, writeModel(buildModel({
      inputs: [valueInfo('x', [2, 16])], outputs: [valueInfo('y', [2, 8])],
      initializers: [weight('W1', [24, 16], r), weight('W2', [8, 24], r)],
      nodes: [node('Gemm', ['x', 'W1'], ['h'], { transB: 1 }, 'fc1'), node('Relu', ['h'], ['a']), node('Gemm', ['a', 'W2'], ['y'], { transB: 1 }, 'fc2')],
    })));
    const part = join(dir, 'two.part.onnx');
    expect((await cli(['compress', src, '-o', part, '--jobs', '0', '--include', 'fc1'])).code).toBe(0);
    type Rep = { layers: Array<{ name: string; errorSource?: string }>; errorSource: string; skipped: unknown[] };
    const json = join(dir, 'two.json');
    const none = await cli(['compress', part, '-o', join(dir, 'two.none.onnx'), '--jobs', '0', '--exclude', '.', '--json', json]);
    expect([none.code, none.stderr]).toEqual([0, '']);
    const r0 = JSON.parse(readFileSync(json, 'utf8')) as Rep;
    expect([r0.errorSource, r0.layers.map((l) => [l.name, l.errorSource ?? 'dense']), r0.skipped])
      .toEqual(['stored', [['fc1', 'stored'], ['fc2', 'dense']], [{ node: 'fc2', op: 'Gemm', reason: 'matched by --exclude' }]]);
    const full = join(dir, 'two.full.onnx');
    const rest = await cli(['compress', part, '-o', full, '--jobs', '0', '--json', json]);
    expect([rest.code, rest.stderr]).toEqual([0, '']);
    const r1 = JSON.parse(readFileSync(json, 'utf8')) as Rep;
    expect([r1.errorSource, r1.layers.map((l) => [l.name, l.errorSource])]).toEqual(['mixed', [['fc1', 'stored'], ['fc2', 'recomputed']]]);
    expect(rest.stdout.trimEnd().split('\n').at(-1)).toBe('rel. error: relative operator-norm error recomputed from the written factors against the input model (layers without a time were compressed by an earlier run: their stored error)');
    const y = (await (await loadOrt(full)).run({ x: { dims: [2, 16], data: new Float32Array(32).fill(0.3) } })).y!;
    expect(y.dims).toEqual([2, 8]);
  });

  it('bad options: TSVDC503, nothing written', async () => {
    const out = join(dir, 'never.onnx');
    expect(await cli(['compress', FASHION_MLP, '-o', out, '--tol', '0'])).toEqual({ code: 1, stdout: '', stderr: "TSVDC503: --tol: invalid value '0'\n" });
    expect(await cli(['compress', FASHION_MLP, '-o', out, '--include', '(']))
      .toEqual({ code: 1, stdout: '', stderr: "TSVDC503: --include: invalid regular expression '(' (Invalid regular expression: /(/: Unterminated group)\n" });
    expect(existsSync(out)).toBe(false);
  });

  it('garbage input: TSVDC200, exit 1, no output file', async () => {
    const bad = join(dir, 'garbage.onnx');
    writeFileSync(bad, 'hello world, this is not onnx');
    const out = join(dir, 'garbage.tsvd.onnx');
    expect(await cli(['compress', bad, '-o', out])).toEqual({
      code: 1, stdout: '', stderr: `${bad}: TSVDC200: cannot decode the file as protobuf (truncated or corrupt): invalid wire type 4 at offset 3\n`,
    });
    expect(existsSync(out)).toBe(false);
  });

  it('NaN weights: TSVDC206 naming file and node, no output file', async () => {
    const bad = join(dir, 'nan.onnx');
    writeFileSync(bad, writeModel(buildModel({
      inputs: [valueInfo('x', [1, 2])], outputs: [valueInfo('y', [1, 2])],
      initializers: [floatTensor('W', [2, 2], [1, NaN, 0, 1])], nodes: [node('Gemm', ['x', 'W'], ['y'], {}, 'fc')],
    })));
    const out = join(dir, 'nan.tsvd.onnx');
    expect(await cli(['compress', bad, '-o', out, '--jobs', '0'])).toEqual({
      code: 1, stdout: '', stderr: `${bad}: TSVDC206: weight tensor "W" has a non-finite value (NaN) at flat index 1 (node "fc")\n`,
    });
    expect(existsSync(out)).toBe(false);
  });

  const W = floatTensor('W', [3, 4], new Float32Array(12).fill(0.5));
  const BAD: Array<[string, Parameters<typeof buildModel>[0], string]> = [
    ['a cycle', { inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 3])], initializers: [W], nodes: [node('Add', ['x', 'b'], ['a'], {}, 'add'), node('Relu', ['a'], ['b'], {}, 'relu'), node('Gemm', ['b', 'W'], ['y'], { transB: 1 }, 'fc')] },
      'TSVDC207: the graph has a cycle: "add" -> "relu" -> "add" (node "add")'],
    ['a missing initializer', { inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 3])], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] },
      'TSVDC208: input "W" of Gemm is not defined by any initializer, graph input or node (node "fc")'],
    ['an unknown dtype', { inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 3])], initializers: [{ ...W, dataType: 17 }], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] },
      'TSVDC204: weight tensor "W" has data type FLOAT8E4M3FN, expected FLOAT, FLOAT16, BFLOAT16 or DOUBLE (node "fc")'],
    ['a shape mismatch', { inputs: [valueInfo('x', [1, 5])], outputs: [valueInfo('y', [1, 3])], initializers: [W], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] },
      'TSVDC210: Gemm: input features 5 != W columns 4 (node "fc")'],
    ['short tensor data', { inputs: [valueInfo('x', [1, 4])], outputs: [valueInfo('y', [1, 3])], initializers: [{ ...W, rawData: new Uint8Array(8) }], nodes: [node('Gemm', ['x', 'W'], ['y'], { transB: 1 }, 'fc')] },
      'TSVDC205: tensor "W" has 8 bytes of FLOAT data, its shape [3,4] needs 48 (node "fc")'],
  ];
  for (const [what, spec, diag] of BAD) {
    it(`${what}: compress and report exit 1 with the diagnostic, no output file`, async () => {
      const src = join(dir, `${what.replace(/ /g, '_')}.onnx`);
      writeFileSync(src, writeModel(buildModel(spec)));
      const out = join(dir, `${what.replace(/ /g, '_')}.tsvd.onnx`);
      expect(await cli(['compress', src, '-o', out, '--jobs', '0'])).toEqual({ code: 1, stdout: '', stderr: `${src}: ${diag}\n` });
      expect(existsSync(out)).toBe(false);
      expect(await cli(['report', src])).toEqual({ code: 1, stdout: '', stderr: `${src}: ${diag}\n` });
    });
  }

  it('an unwritable output: TSVDC502 before any work, nothing left behind', async () => {
    writeFileSync(join(dir, 'plain'), 'a file, not a folder');
    const out = join(dir, 'plain', 'm.onnx');
    expect(await cli(['compress', FASHION_MLP, '-o', out])).toEqual({ code: 1, stdout: '', stderr: `${out}: TSVDC502: cannot write the output (ENOTDIR)\n` });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a failed run leaves no output folder behind; the output folder is made when the model is written', async () => {
    const bad = join(dir, 'garbage2.onnx');
    writeFileSync(bad, 'hello world, this is not onnx');
    expect((await cli(['compress', bad, '-o', join(dir, 'made', 'm.onnx')])).code).toBe(1);
    expect(existsSync(join(dir, 'made'))).toBe(false);
    expect((await cli(['compress', FASHION_MLP, '-o', join(dir, 'made', 'deep', 'm.onnx'), '--include', '/6/', '--tol', '0.2', '--jobs', '0'])).code).toBe(0);
    expect(existsSync(join(dir, 'made', 'deep', 'm.onnx'))).toBe(true);
  });

  it('a --json report that cannot be written says the model was', async () => {
    const json = join(dir, 'a-folder.json');
    mkdirSync(json);
    const out = join(dir, 'json-fails.onnx');
    const r = await cli(['compress', FASHION_MLP, '-o', out, '--include', '/6/', '--tol', '0.2', '--jobs', '0', '--json', json]);
    expect(r).toEqual({ code: 1, stdout: '', stderr: `${json}: TSVDC502: cannot write the JSON report (EISDIR); the compressed model was written to ${out}\n` });
    expect(existsSync(out)).toBe(true);
  });

  it('the built binary compresses and reports (exit codes 0, then 1 on a missing file)', () => {
    const out = join(dir, 'bin.tsvd.onnx');
    const ok = spawnSync(process.execPath, [MAIN, 'compress', wakeWordModels()[1]!, '-o', out, '--tol', '0.1'], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const rep = spawnSync(process.execPath, [MAIN, 'report', out, '--json'], { encoding: 'utf8' });
    expect(rep.status).toBe(0);
    expect((JSON.parse(rep.stdout) as { layers: unknown[] }).layers.length).toBe(3);
    const missing = spawnSync(process.execPath, [MAIN, 'report', join(dir, 'missing.onnx')], { encoding: 'utf8' });
    expect([missing.status, missing.stderr]).toEqual([1, `${join(dir, 'missing.onnx')}: TSVDC501: cannot read the model (ENOENT)\n`]);
  });
});
