import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../run.js';

const golden = fileURLToPath(new URL('../../../../ir/src/text/golden/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tsvdc-ir-'));

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

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const BAD_OP = 'module "m" stage graph\nfunc (%x : f32[2]) -> (%y) {\n  %y = rleu(%x) : f32[2]\n}\n';

describe('tsvdc ir check', () => {
  it('prints nothing and exits 0 on every golden module', async () => {
    for (const f of ['graph', 'ternary', 'addtree', 'integer', 'scheduled']) {
      expect(await cli(['ir', 'check', join(golden, `${f}.tir`)])).toEqual({ code: 0, stdout: '', stderr: '' });
    }
  });

  it('reports a parse error at file:line:col with its code and exits 1', async () => {
    const p = file('bad-op.tir', BAD_OP);
    expect(await cli(['ir', 'check', p])).toEqual({ code: 1, stdout: '', stderr: `${p}:3:8: TSVDC004: unknown op 'rleu'\n` });
  });

  it('reports verifier diagnostics at the line of the node they concern', async () => {
    // the U stage's output type is one bit too narrow for the values it can take
    const text = readFileSync(join(golden, 'integer.tir'), 'utf8').replace('fx<9,4>[1,2]', 'fx<8,4>[1,2]');
    const p = file('narrow.tir', text);
    const { code, stderr } = await cli(['ir', 'check', p]);
    expect(code).toBe(1);
    expect(stderr).toBe(`${p}:29:3: TSVDC150: %u can reach [-175, 175] (channel 0), fx<8,4> holds [-128, 127] (node "/fc1/Gemm", part U)\n`);
  });

  it('a missing file is a CLI error (TSVDC501)', async () => {
    const p = join(dir, 'missing.tir');
    expect(await cli(['ir', 'check', p])).toEqual({ code: 1, stdout: '', stderr: `${p}: TSVDC501: cannot read the file (no such file)\n` });
  });
});

describe('tsvdc ir fmt', () => {
  it('prints the canonical form to stdout', async () => {
    const res = await cli(['ir', 'fmt', join(golden, 'addtree.tir')]);
    expect(res).toEqual({ code: 0, stdout: readFileSync(join(golden, 'addtree.expected.tir'), 'utf8'), stderr: '' });
  });

  it('writes -o atomically, and its output is canonical (fmt --check passes, fmt is idempotent)', async () => {
    const out = join(dir, 'sub', 'integer.tir');
    expect(await cli(['ir', 'fmt', join(golden, 'integer.tir'), '-o', out])).toEqual({ code: 0, stdout: '', stderr: '' });
    const first = readFileSync(out, 'utf8');
    expect(first).toBe(readFileSync(join(golden, 'integer.expected.tir'), 'utf8'));
    expect(await cli(['ir', 'fmt', '--check', out])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await cli(['ir', 'fmt', out])).stdout).toBe(first);
  });

  it('--check fails on a file that is not canonical, naming the first differing line', async () => {
    const p = join(dir, 'graph.tir');
    copyFileSync(join(golden, 'graph.tir'), p);
    expect(await cli(['ir', 'fmt', '--check', p])).toEqual({
      code: 1, stdout: '',
      stderr: `${p}:1:1: TSVDC504: not in canonical form (first difference on this line; \`tsvdc ir fmt ${p} -o ${p}\` rewrites it)\n`,
    });
  });

  it('refuses --check with -o, and reports an output it cannot write', async () => {
    const src = join(golden, 'graph.tir');
    expect(await cli(['ir', 'fmt', '--check', src, '-o', join(dir, 'x.tir')])).toEqual({
      code: 1, stdout: '', stderr: 'TSVDC503: --check writes nothing; it cannot be combined with -o\n',
    });
    const blocker = file('blocker', 'a file, not a directory');
    const { code, stderr } = await cli(['ir', 'fmt', src, '-o', join(blocker, 'out.tir')]);
    expect(code).toBe(1);
    expect(stderr).toBe(`${join(blocker, 'out.tir')}: TSVDC502: cannot write the file (EEXIST: file already exists, mkdir '${blocker}')\n`);
    expect(existsSync(join(blocker, 'out.tir'))).toBe(false);
  });
});

describe('usage errors in process', () => {
  it('an unknown option of a subcommand returns 1 (a usage error), not 70 (an internal error)', async () => {
    const r = await cli(['ir', 'check', 'x.tir', '--bogus']);
    expect([r.code, r.stdout, r.stderr.split('\n')[0]]).toEqual([1, '', "error: unknown option '--bogus'"]);
  });
});

describe('the built binary', () => {
  const main = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

  it('exits 1 with the diagnostic on stderr, and 0 with the canonical text on stdout', () => {
    expect(existsSync(main), 'run `npm run build` first').toBe(true);
    const p = file('bin-bad.tir', BAD_OP);
    const bad = spawnSync(process.execPath, [main, 'ir', 'check', p], { encoding: 'utf8' });
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([1, '', `${p}:3:8: TSVDC004: unknown op 'rleu'\n`]);
    const good = spawnSync(process.execPath, [main, 'ir', 'fmt', join(golden, 'scheduled.tir')], { encoding: 'utf8' });
    expect([good.status, good.stdout, good.stderr]).toEqual([0, readFileSync(join(golden, 'scheduled.expected.tir'), 'utf8'), '']);
  });

  it('is the installed `tsvdc` command: --version is the package version, --help lists the commands', () => {
    const bin = fileURLToPath(new URL('../../../../node_modules/.bin/tsvdc', import.meta.url));
    expect(existsSync(bin), 'npm ci links the tsvdc bin (compiler/bin/tsvdc.js)').toBe(true);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    expect([v.status, v.stdout, v.stderr]).toEqual([0, `${pkg.version}\n`, '']);
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    // a command's line starts at column 2; wrapped descriptions are indented further
    const commands = help.stdout.split('Commands:\n')[1]!.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().split(/\s+/)[0]);
    expect([help.status, commands.sort()]).toEqual([0, ['compile', 'compress', 'decompose', 'help', 'ir', 'report']]);
  });
});

describe('tsvdc ir stats', () => {
  it('counts the golden integer module as worked out by hand', async () => {
    // V (3x4): rows of 2, 3, 3 non-zeros -> 1 + 2 + 2 = 5 additions unshared; its tree has
    // 4 add/sub nodes (%2 is reused by row 2), depth 2. U (2x3, no tree): 2 + 2 non-zeros ->
    // 2 additions. bias: 2 additions. requant: 3 multiplications.
    const { code, stdout } = await cli(['ir', 'stats', join(golden, 'integer.tir'), '--json']);
    expect(code).toBe(0);
    const { totals } = JSON.parse(stdout) as { totals: Record<string, number> };
    expect([totals['muls'], totals['addsBefore'], totals['addsAfter'], totals['depth'], totals['nnz']]).toEqual([3, 9, 8, 2, 12]);
  });

  it('prints a table ending in a newline, and refuses an invalid file like check does', async () => {
    const table = await cli(['ir', 'stats', join(golden, 'integer.tir')]);
    expect([table.code, table.stdout.endsWith('\n'), table.stdout.split('\n')[0]!.split(/\s+/).slice(0, 3)]).toEqual([0, true, ['layer', 'op', 'x']]);
    const p = file('bad-stats.tir', BAD_OP);
    expect(await cli(['ir', 'stats', p])).toEqual({ code: 1, stdout: '', stderr: `${p}:3:8: TSVDC004: unknown op 'rleu'\n` });
  });
});
