/**
 * The `tsvdc` command line: one commander program; each command lives in
 * cli/commands/<name>.ts and exports `register(program)`.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { register as registerIr } from './commands/ir.js';
import { register as registerDecompose } from './commands/decompose.js';
import { register as registerCompress } from './commands/compress.js';
import { register as registerReport } from './commands/report.js';
import { register as registerCompile } from './commands/compile.js';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('tsvdc')
    .description('Ternary SVD compiler: compress ONNX networks and lower them into integer ternary add trees (WASM, WGSL and Verilog backends to come)')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    // before the commands are registered, so they inherit it: a usage error anywhere
    // throws a CommanderError (runCli returns its exit code) instead of calling process.exit
    .exitOverride();
  registerIr(program);
  registerDecompose(program);
  registerCompress(program);
  registerReport(program);
  registerCompile(program);
  return program;
}
