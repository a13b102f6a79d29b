/**
 * Reads the workspace's TypeScript sources and their import specifiers, for the
 * architecture checks (package boundaries, cycles, diagnostic code ranges).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PACKAGES = ['ir', 'compiler', 'backends', 'sim', 'verify'] as const;
export type PackageName = (typeof PACKAGES)[number];

export interface SourceFile {
  /** Path relative to the workspace root, with forward slashes. */
  readonly path: string;
  readonly pkg: PackageName;
  readonly text: string;
  /** Module specifiers of static imports, re-exports and dynamic imports with literal arguments. */
  readonly imports: readonly string[];
}

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
}

const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT_RE)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

export function readSources(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const pkg of PACKAGES) {
    const paths: string[] = [];
    walk(join(ROOT, pkg, 'src'), paths);
    for (const p of paths) {
      const text = readFileSync(p, 'utf8');
      files.push({ path: relative(ROOT, p).split('\\').join('/'), pkg, text, imports: importsOf(text) });
    }
  }
  return files;
}
