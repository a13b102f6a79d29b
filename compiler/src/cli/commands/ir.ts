/**
 * `tsvdc ir check FILE`, `tsvdc ir fmt FILE [-o OUT] [--check]` and
 * `tsvdc ir stats FILE [--json]`: the IR text form from the shell. Both parse and verify; a problem is reported at the `file:line:col`
 * of the definition it concerns (parse errors where they occur, verifier diagnostics
 * at the node, tree or constant they name), every diagnostic on its own line.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { TsvdcError, formatStatsTable, locateDiagnostic, moduleStats, parseModuleWithPositions, printModule, verify, type Module } from '@tsvdc/ir';
import { writeFileAtomic } from '../../io/atomic.js';
import { CLI_CODES } from '../codes.js';

interface FmtOptions {
  output?: string;
  check?: boolean;
}

export function register(program: Command): void {
  const ir = program.command('ir').description('work with IR text files');
  ir.command('check <file>')
    .description('parse and verify an IR file; prints nothing when it is valid')
    .action((file: string) => {
      loadChecked(file);
    });
  ir.command('fmt <file>')
    .description('parse, verify and reprint an IR file canonically (to stdout, or -o)')
    .option('-o, --output <file>', 'write the canonical text here (atomically) instead of stdout')
    .option('--check', 'write nothing; fail if the file is not in canonical form')
    .action((file: string, opts: FmtOptions) => {
      runFmt(file, opts);
    });
  ir.command('stats <file>')
    .description('parse and verify an IR file, then print per-layer multiplications, additions before and after sharing, depth, widths, non-zeros and bytes')
    .option('--json', 'print the statistics as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      const stats = moduleStats(loadChecked(file).module);
      const text = opts.json ? JSON.stringify(stats, null, 2) : formatStatsTable(stats);
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
}

const READ_REASONS: Record<string, string> = {
  ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory', EPERM: 'operation not permitted',
};

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new TsvdcError(CLI_CODES.fileUnreadable, `cannot read the file (${READ_REASONS[code] ?? (e as Error).message})`, { file });
  }
}

/** Parses and verifies `file`; throws the first diagnostic with the others as `related`. */
export function loadChecked(file: string): { text: string; module: Module } {
  const text = readText(file);
  const { module, positions } = parseModuleWithPositions(text, file);
  const ds = verify(module).map((d) => locateDiagnostic(d, module, positions, file));
  const first = ds[0];
  if (first) throw new TsvdcError(first.code, first.message, first.origin, ds.slice(1));
  return { text, module };
}

function runFmt(file: string, opts: FmtOptions): void {
  if (opts.check && opts.output !== undefined) {
    throw new TsvdcError(CLI_CODES.badOption, '--check writes nothing; it cannot be combined with -o');
  }
  const { text, module } = loadChecked(file);
  const canonical = printModule(module);
  if (opts.check) {
    if (text !== canonical) {
      const line = firstDifferentLine(text, canonical);
      throw new TsvdcError(CLI_CODES.notCanonical, `not in canonical form (first difference on this line; \`tsvdc ir fmt ${file} -o ${file}\` rewrites it)`, { file, line, col: 1 });
    }
    return;
  }
  if (opts.output !== undefined) writeOutput(opts.output, canonical);
  else process.stdout.write(canonical);
}

function writeOutput(path: string, text: string): void {
  try {
    writeFileAtomic(path, text);
  } catch (e) {
    throw new TsvdcError(CLI_CODES.fileUnwritable, `cannot write the file (${(e as Error).message})`, { file: path });
  }
}

function firstDifferentLine(a: string, b: string): number {
  const [x, y] = [a.split('\n'), b.split('\n')];
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i + 1;
}
