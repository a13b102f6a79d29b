/**
 * Runs the CLI with process-level error handling: a TsvdcError prints its
 * diagnostic (and related ones) and exits 1; anything else is an internal error
 * and exits 70 (EX_SOFTWARE) with its stack.
 */
import { TsvdcError, formatDiagnostic } from '@tsvdc/ir';
import { buildProgram } from './program.js';

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().exitOverride().parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof TsvdcError) {
      process.stderr.write(`tsvdc: ${e.message}\n`);
      for (const d of e.related) process.stderr.write(`tsvdc: ${formatDiagnostic(d)}\n`);
      return 1;
    }
    const ce = e as { code?: string; exitCode?: number };
    if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) return ce.exitCode ?? 1;
    process.stderr.write(`tsvdc: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}
