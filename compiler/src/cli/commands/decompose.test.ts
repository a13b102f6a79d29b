import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ternaryToInt8 } from '@tsvdc/ir';
import { describe, expect, it, vi } from 'vitest';
import { Rng } from '../../linalg/random.js';
import { formatNpy, readNpz } from '../../npy/index.js';
import { decompose } from '../../tsvd/decompose.js';
import { runCli } from '../run.js';

const dir = mkdtempSync(join(tmpdir(), 'tsvdc-decompose-'));
const rows = 12;
const cols = 20;
const data = new Rng(42).fillGaussian(new Float64Array(rows * cols));
const input = join(dir, 'A.npy');
writeFileSync(input, formatNpy({ dtype: 'f8', shape: [rows, cols], data }));

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    return { code: await runCli(args), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('tsvdc decompose', () => {
  it('writes U, s, V as an .npz and the statistics as JSON, matching decompose()', async () => {
    const out = join(dir, 'f.npz');
    const json = join(dir, 'f.json');
    const { code, stderr } = await cli(['decompose', input, '--tol', '0.05', '--seed', '3', '-o', out, '--json', json]);
    expect(stderr).toBe(''); // not a TTY: silent
    expect(code).toBe(0);
    const ref = decompose({ rows, cols, data }, { tol: 0.05, seed: 3 });
    const z = readNpz(out);
    expect([...z.keys()]).toEqual(['U', 's', 'V']);
    expect(z.get('U')!.dtype).toBe('i1');
    expect(z.get('U')!.shape).toEqual([rows, ref.rank]);
    expect(Array.from(z.get('U')!.data)).toEqual(Array.from(ternaryToInt8(ref.U)));
    expect(Array.from(z.get('s')!.data)).toEqual(Array.from(ref.s));
    expect(z.get('V')!.shape).toEqual([ref.rank, cols]);
    expect(Array.from(z.get('V')!.data)).toEqual(Array.from(ternaryToInt8(ref.V)));
    const stats = JSON.parse(readFileSync(json, 'utf8'));
    expect(stats).toMatchObject({ rows, cols, rank: ref.rank, error: ref.error, frobeniusError: ref.frobeniusError, nnzU: ref.nnzU, nnzV: ref.nnzV, muls: ref.rank, reachedMaxRank: false });
    expect(stats.error).toBeLessThan(0.05);
    expect(stats.seconds).toBeGreaterThan(0);
    // adds: per row of U and of V, nnz - 1 two-input additions
    const U = ternaryToInt8(ref.U);
    const V = ternaryToInt8(ref.V);
    let adds = 0;
    for (let i = 0; i < rows; i++) adds += Math.max(0, U.subarray(i * ref.rank, (i + 1) * ref.rank).filter((x) => x !== 0).length - 1);
    for (let l = 0; l < ref.rank; l++) adds += Math.max(0, V.subarray(l * cols, (l + 1) * cols).filter((x) => x !== 0).length - 1);
    expect(stats.adds).toBe(adds);
  });

  it('honours --max-rank, --steps and --cos-thresh', async () => {
    const json = join(dir, 'm.json');
    const { code } = await cli(['decompose', input, '--max-rank', '7', '--steps', '2', '--cos-thresh', '0', '-o', join(dir, 'm.npz'), '--json', json]);
    expect(code).toBe(0);
    const stats = JSON.parse(readFileSync(json, 'utf8'));
    expect(stats).toMatchObject({ rank: 7, reachedMaxRank: true, sparsity: 0, maxRank: 7, steps: 2, cosThresh: 0 });
    const plain = join(dir, 'p.json');
    expect((await cli(['decompose', input, '--refine', '0', '-o', join(dir, 'p.npz'), '--json', plain])).code).toBe(0);
    const ref = decompose({ rows, cols, data }, { refine: 0 });
    expect(JSON.parse(readFileSync(plain, 'utf8'))).toMatchObject({ rank: ref.rank, nnzU: ref.nnzU, refine: 0 });
  });

  it('fails with a code and leaves no output on bad input', async () => {
    const before = readdirSync(dir).length;
    const missing = join(dir, 'nope.npy');
    expect(await cli(['decompose', missing, '-o', join(dir, 'x.npz')]))
      .toEqual({ code: 1, stderr: `${missing}: TSVDC501: cannot read (ENOENT)\n` });
    const vec = join(dir, 'vec.npy');
    writeFileSync(vec, formatNpy({ dtype: 'f8', shape: [3], data: new Float64Array(3) }));
    expect(await cli(['decompose', vec, '-o', join(dir, 'x.npz')]))
      .toEqual({ code: 1, stderr: `${vec}: TSVDC304: expected a 2-D matrix, got shape (3)\n` });
    expect(await cli(['decompose', input, '--tol', 'abc', '-o', join(dir, 'x.npz')]))
      .toEqual({ code: 1, stderr: "TSVDC503: --tol: invalid value 'abc'\n" });
    expect(await cli(['decompose', input, '--max-rank', '2.5', '-o', join(dir, 'x.npz')]))
      .toEqual({ code: 1, stderr: "TSVDC503: --max-rank: invalid value '2.5'\n" });
    expect(readdirSync(dir).length).toBe(before + 1); // only vec.npy was added
  });

  it('has no --policy option: the efficiency policy was measured, did not win, and was removed (bench/RESULTS.md)', async () => {
    const r = await cli(['decompose', input, '--policy', 'efficiency', '-o', join(dir, 'policy.npz')]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe("error: unknown option '--policy'");
    expect(existsSync(join(dir, 'policy.npz'))).toBe(false);
  });

  it('runs as the built binary', () => {
    const main = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
    expect(existsSync(main)).toBe(true); // `npm run build` runs before the tests
    const out = join(dir, 'bin.npz');
    const r = spawnSync(process.execPath, [main, 'decompose', input, '-o', out, '--json', join(dir, 'bin.json')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const stats = JSON.parse(readFileSync(join(dir, 'bin.json'), 'utf8'));
    expect(stats.error).toBeLessThan(0.01);
    expect(readNpz(out).get('s')!.shape).toEqual([stats.rank]);
  });
});
