/**
 * Runs the CLI with process-level error handling: a TsvdcError prints its
 * diagnostic (and related ones) as `file:line:col: TSVDCnnn: message (node ...)`,
 * the form editors and CI log parsers recognize, and exits 1; anything else is an
 * internal error, printed with `tsvdc: internal error` and its stack, exit 70 (EX_SOFTWARE).
 */
import { TsvdcError, formatDiagnostic } from '@tsvdc/ir';
import { buildProgram } from './program.js';

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof TsvdcError) {
      process.stderr.write(`${e.message}\n`);
      for (const d of e.related) process.stderr.write(`${formatDiagnostic(d)}\n`);
      return 1;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) return ce.exitCode ?? 1;
    process.stderr.write(`tsvdc: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
