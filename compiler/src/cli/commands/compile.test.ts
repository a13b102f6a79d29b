import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { interpret, moduleEquals, parseModule, verify, type IntConst } from '@tsvdc/ir';
import { compressModel } from '../../compress/index.js';
import { formatNpy } from '../../npy/npy.js';
import { csdDigits } from '../../passes/quant/fixed-point.js';
import { importOnnx } from '../../onnx/import/index.js';
import { readModelFile } from '../../onnx/read.js';
import { FASHION_CNN, FASHION_MLP, fashionTestSet } from '../../onnx/testing/fixtures.js';
import { buildModel, node, rng, valueInfo, weight } from '../../onnx/testing/builder.js';
import { writeModelFile } from '../../onnx/write.js';
import { FASHION_MNIST_DIR } from '../../train/fashion-mnist.js';
import { runCli } from '../run.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvdc-compile-'));
const mlp = join(dir, 'mlp.tsvd.onnx');
const cnn = join(dir, 'cnn.tsvd.onnx');
const calib = ['--calib', '128', '--calib-data', FASHION_MNIST_DIR, '--calib-norm', '0.5,0.5'];

/** Runs the CLI in-process, capturing what it prints. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

let compiled: { code: number; out: string; err: string };
const mlpOut = join(dir, 'mlp');

beforeAll(async () => {
  // the Fashion-MNIST fixtures, compressed the way `tsvdc compress` does (a coarse tolerance keeps it quick)
  for (const [src, dst] of [[FASHION_MLP, mlp], [FASHION_CNN, cnn]] as const) {
    const res = await compressModel(readModelFile(src), { tol: 0.1, cosThresh: 0.8386, jobs: 0 });
    writeModelFile(dst, res.proto);
  }
  compiled = await cli('compile', mlp, '--target', 'ir', '-o', mlpOut, ...calib, '--verify-each');
}, 300_000);

afterEach(() => vi.restoreAllMocks());

describe('tsvdc compile --target ir', () => {
  it('says so when the model has no TSVD layers (an uncompressed model compiles, without add trees)', async () => {
    const r = await cli('compile', FASHION_MLP, '--target', 'ir', '-o', join(dir, 'dense'), '--calib', '8');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[1]).toBe('note: the model has no TSVD layers, so there are no add trees; compress it first (tsvdc compress)');
    expect(compiled.out.split('\n')[1]).toBe('');
  });

  it('compiles the compressed Fashion-MNIST MLP to a valid integer program and prints the per-layer report', async () => {
    const [out, r] = [mlpOut, compiled];
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`${mlp}: integer module, mode int, calibrated on 128 samples from ${FASHION_MNIST_DIR}`);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['layer', 'part', 'rows x lanes', 'nnz', '+ unshared', '+ lowered', '+ cse', 'saved', '+ balanced', 'depth', 'width']);
    // one row per V and U stage of the three Gemm layers, then the totals
    expect(lines.slice(3, 9).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '/1/Gemm V', '/1/Gemm U', '/4/Gemm V', '/4/Gemm U', '/6/Gemm V', '/6/Gemm U',
    ]);
    expect(lines[9]!.startsWith('total')).toBe(true);
    expect(lines.at(-2)).toBe(`wrote ${join(out, 'mlp.tsvd.tir')}`);
    const m = parseModule(readFileSync(join(out, 'mlp.tsvd.tir'), 'utf8'));
    expect(m.stage).toBe('integer');
    expect(verify(m)).toEqual([]);
  });

  it('the integer MLP classifies Fashion-MNIST within a point of the float model it came from', async () => {
    expect(compiled.code).toBe(0);
    const q = parseModule(readFileSync(join(mlpOut, 'mlp.tsvd.tir'), 'utf8'));
    const f = importOnnx(readModelFile(mlp));
    const test = fashionTestSet(500);
    const x = { [f.inputs[0]!]: { shape: [test.count, 1, 28, 28], data: Float64Array.from(test.images) } };
    const [yf, yq] = [interpret(f, x, { mode: 'f64' }), interpret(q, x, { mode: 'exact' })].map((y) => y[f.outputs[0]!]!.data);
    const acc = (y: Float64Array): number => {
      let ok = 0;
      for (let s = 0; s < test.count; s++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (y[s * 10 + c]! > y[s * 10 + best]!) best = c;
        if (best === test.labels[s]) ok++;
      }
      return (100 * ok) / test.count;
    };
    expect(acc(yf!)).toBeGreaterThan(80);
    expect(Math.abs(acc(yq!) - acc(yf!))).toBeLessThanOrEqual(1);
  });

  it('compiles the CNN (tconv stages, a dense depthwise conv) and --print-after shows a pass result that parses back', async () => {
    const out = join(dir, 'cnn');
    const r = await cli('compile', cnn, '-o', out, '--mode', 'float', '--print-after', 'add-tree-cse', '--stop-after', 'add-tree-cse');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('// ---- IR after add-tree-cse ----\n')).toBe(true);
    const printed = parseModule(r.out.slice(r.out.indexOf('\n') + 1, r.out.indexOf(`\n${cnn}: `)));
    const written = parseModule(readFileSync(join(out, 'cnn.tsvd.tir'), 'utf8'));
    expect(printed.stage).toBe('addtree');
    expect(moduleEquals(printed, written)).toBe(true);
  });

  it('calibrates from a .npy file and restricts multipliers to CSD digits (--csd)', async () => {
    const test = fashionTestSet(40);
    const npy = join(dir, 'calib.npy');
    writeFileSync(npy, formatNpy({ dtype: 'f4', shape: [40, 1, 28, 28], data: test.images }));
    const r = await cli('compile', cnn, '-o', join(dir, 'cnn-int'), '--calib', '32', '--calib-data', npy, '--csd', '2');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`${cnn}: integer module, mode int, calibrated on 32 samples from ${npy}`);
    const rq = lines.find((l) => l.startsWith('requant multipliers: '))!;
    expect(rq.slice(rq.indexOf(','))).toBe(', at most 2 non-zero CSD digits each (shift-add: 1 adders per multiplier)');
    const m = parseModule(readFileSync(join(dir, 'cnn-int', 'cnn.tsvd.tir'), 'utf8'));
    for (const n of m.nodes.filter((k) => k.op === 'requant')) {
      const c = m.consts.get(n.attrs['c'] as string) as IntConst;
      for (const v of c.data) expect(csdDigits(v).length).toBeLessThanOrEqual(2);
    }
  });

  it('a compressed PyTorch Linear on [B, T, C] (MatMul + bias Add) compiles like the original', async () => {
    const r = rng(9);
    const src = join(dir, 'seq.onnx');
    writeModelFile(src, buildModel({
      inputs: [valueInfo('x', ['batch', 7, 16])], outputs: [valueInfo('y', ['batch', 7, 24])],
      initializers: [weight('W', [16, 24], r), weight('b', [24], r)],
      nodes: [node('MatMul', ['x', 'W'], ['h'], {}, 'fc'), node('Add', ['h', 'b'], ['y'], {}, 'fc_bias')],
    }));
    const dst = join(dir, 'seq.tsvd.onnx');
    writeModelFile(dst, (await compressModel(readModelFile(src), { tol: 0.05, cosThresh: 0.8386, jobs: 0 })).proto);
    // the bias Add folds into the TSVD layer, one tlinear on the [batch, 7, 16] tensor (lowering works on rows)
    const f = importOnnx(readModelFile(dst));
    expect(f.nodes.map((n) => [n.name, n.op, n.attrs['bias'] !== undefined])).toEqual([['fc', 'tlinear', true]]);
    expect([f.values.get(f.nodes[0]!.inputs[0]!)!.shape, f.values.get('y')!.shape]).toEqual([[-1, 7, 16], [-1, 7, 24]]);
    for (const path of [src, dst]) expect((await cli('compile', path, '-o', join(dir, 'seq'), '--calib', '16')).code).toBe(0);
    const q = parseModule(readFileSync(join(dir, 'seq', 'seq.tsvd.tir'), 'utf8'));
    const x = { x: { shape: [3, 7, 16], data: Float64Array.from({ length: 336 }, (_, i) => Math.sin(i)) } };
    const [yf, yq] = [interpret(f, x, { mode: 'f64' }).y!, interpret(q, x, { mode: 'exact' }).y!];
    expect(yq.shape).toEqual([3, 7, 24]);
    const worst = yf.data.reduce((m, v, i) => Math.max(m, Math.abs(v - yq.data[i]!)), 0);
    expect(worst).toBeLessThan(0.1 * Math.max(...yf.data.map(Math.abs)));
  });

  it('an op tsvdc cannot import before a compressed layer: TSVDC209 naming it (was: the output "is a constant")', async () => {
    const src = join(dir, 'erf.onnx');
    writeModelFile(src, buildModel({
      inputs: [valueInfo('x', [2, 16])], outputs: [valueInfo('y', [2, 24])], initializers: [weight('W', [16, 24], rng(2))],
      nodes: [node('Erf', ['x'], ['e'], {}, 'erf'), node('MatMul', ['e', 'W'], ['y'], {}, 'fc')],
    }));
    const dst = join(dir, 'erf.tsvd.onnx');
    writeModelFile(dst, (await compressModel(readModelFile(src), { tol: 0.05, cosThresh: 0.8386, jobs: 0 })).proto);
    const r = await cli('compile', dst, '-o', join(dir, 'erf'), '--calib', '8');
    expect([r.code, r.out, r.err]).toEqual([1, '', `${dst}: TSVDC209: 1 node cannot be imported: "erf" (Erf)\n${dst}: TSVDC209: op Erf is not supported (node "erf")\n`]);
  });

  it('--calib-method percentile: the report counts the calibration values clipped, and the bound says it does not cover them', async () => {
    const r = await cli('compile', mlp, '-o', join(dir, 'pct'), ...calib, '--calib-method', 'percentile', '--percentile', '99.9');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const head = lines.findIndex((l) => l.startsWith('calibration clipped '));
    expect(lines[head]).toMatch(/^calibration clipped [1-9]\d* of \d+ values at saturating ops \([\d.]+%\); per layer:$/);
    const layers = lines.slice(head + 1, lines.findIndex((l) => l.startsWith('quantization error bound')));
    expect(layers.length).toBeGreaterThan(0);
    for (const l of layers) expect(l).toMatch(/^ {2}\/\d+\/\w+ +[1-9]\d* of \d+ \([\d.]+%\)$/);
    const noNumber = (l: string): string => l.replace(/: [\d.e+]+ \(/, ': B (');
    expect(noNumber(lines[head + 1 + layers.length]!)).toBe(
      'quantization error bound on %logits: B (max over channels; holds only for inputs within the calibrated ranges, which the clipped calibration values are not)');
    // min/max clips nothing and prints no such lines
    expect(compiled.out.split('\n').filter((l) => l.startsWith('calibration clipped') || l.startsWith('quantization error bound')).map(noNumber)).toEqual([
      'quantization error bound on %logits: B (max over channels; holds for inputs within the calibrated ranges)']);
  });

  it('rejects unknown passes, targets and modes with exact messages', async () => {
    const pass = await cli('compile', mlp, '--print-after', 'cse');
    expect([pass.code, pass.err]).toEqual([1,
      'TSVDC402: --print-after cse: no such pass (passes: lower-ternary-to-add-trees, add-tree-cse, add-tree-balance, quantize, bit-widths)\n']);
    const target = await cli('compile', mlp, '--target', 'wasm');
    expect([target.code, target.err]).toEqual([1, 'TSVDC403: --target wasm: no such target (targets: ir)\n']);
    const mode = await cli('compile', mlp, '--mode', 'fixed');
    expect([mode.code, mode.err]).toEqual([1, 'TSVDC503: --mode must be int or float, got "fixed"\n']);
    // a pass of the other mode would print nothing (or not stop) if let through
    const printFloat = await cli('compile', mlp, '--mode', 'float', '--print-after', 'quantize');
    expect([printFloat.code, printFloat.out, printFloat.err]).toEqual([1, '',
      'TSVDC411: --print-after quantize: quantize does not run in mode float (its passes: lower-ternary-to-add-trees, add-tree-cse, add-tree-balance)\n']);
    const stopFloat = await cli('compile', mlp, '--mode', 'float', '--stop-after', 'bit-widths');
    expect([stopFloat.code, stopFloat.out, stopFloat.err]).toEqual([1, '',
      'TSVDC411: --stop-after bit-widths: bit-widths does not run in mode float (its passes: lower-ternary-to-add-trees, add-tree-cse, add-tree-balance)\n']);
    const data = await cli('compile', mlp, '--calib-data', join(dir, 'missing.npy'));
    expect([data.code, data.err]).toEqual([1, `${join(dir, 'missing.npy')}: TSVDC404: cannot read calibration data (ENOENT)\n`]);
  });

  it('the built binary compiles too (float mode, no calibration needed)', () => {
    const bin = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
    const r = spawnSync(process.execPath, [bin, 'compile', mlp, '--mode', 'float', '-o', join(dir, 'bin')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'bin', 'mlp.tsvd.tir'))).toBe(true);
  });
});
