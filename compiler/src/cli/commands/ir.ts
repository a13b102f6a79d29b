/** `tsvdc ir fmt|check FILE`: the IR text form from the shell (implemented with issue 3). */
import type { Command } from 'commander';

export function register(program: Command): void {
  const ir = program.command('ir').description('work with IR text files');
  ir.command('check <file>').description('parse and verify an IR file; prints nothing when it is valid');
  ir.command('fmt <file>').description('parse, verify and reprint an IR file canonically');
}
