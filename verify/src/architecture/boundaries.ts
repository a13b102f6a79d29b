/**
 * The architecture as data: which package may import which (DESIGN.md, STYLE.md 13),
 * and which third-party modules each package may use. Checked by boundaries.test.ts.
 */
import { posix } from 'node:path';
import type { PackageName, SourceFile } from './sources.js';

/** Workspace packages each package may import. */
export const ALLOWED_DEPS: Record<PackageName, readonly PackageName[]> = {
  ir: [],
  compiler: ['ir'],
  backends: ['ir', 'compiler'],
  sim: ['ir'],
  verify: ['ir', 'compiler', 'backends', 'sim'],
};

/**
 * Third-party packages per workspace package. A dependency used from everywhere leaks;
 * listing them here keeps each one behind the modules that need it. Test files may also
 * use the test tools.
 */
export const ALLOWED_EXTERNAL: Record<PackageName, readonly string[]> = {
  ir: ['chevrotain'],
  compiler: ['commander', 'protobufjs', 'onnxruntime-node', 'cli-progress', '@tensorflow/tfjs'],
  backends: ['binaryen', 'webgpu'],
  sim: [],
  verify: ['onnxruntime-node', 'binaryen', 'webgpu'],
};
export const TEST_TOOLS = ['vitest', 'fast-check'];

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  readonly reason: string;
}

function externalName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

const BACKENDS = ['wasm', 'wgsl', 'verilog'];

/** Where an import lands inside the workspace: `<pkg>/src/...` (or outside any package). */
function workspaceTarget(from: SourceFile, spec: string): string | undefined {
  if (spec.startsWith('.')) return posix.normalize(posix.join(posix.dirname(from.path), spec));
  const m = /^@tsvdc\/([a-z]+)(?:\/(.*))?$/.exec(spec);
  return m ? `${m[1]}/src/${m[2] ?? 'index'}` : undefined;
}

/** The backend a workspace path belongs to (`backends/src/wgsl/...` or `backends/src/wgsl.ts`). */
function backendOf(path: string): string | undefined {
  const seg = /^backends\/src\/([^/]+)/.exec(path)?.[1]?.replace(/\.[cm]?[jt]s$/, '');
  return seg && BACKENDS.includes(seg) ? seg : undefined;
}

function workspaceViolation(f: SourceFile, spec: string, target: string): string | undefined {
  const pkg = target.split('/')[0]!;
  if (spec.startsWith('.') && (pkg !== f.pkg || target.split('/')[1] !== 'src')) {
    return `a relative import may not leave ${f.pkg}/src (import @tsvdc/<package> instead)`;
  }
  if (pkg !== f.pkg && !(ALLOWED_DEPS[f.pkg] as readonly string[]).includes(pkg)) return `${f.pkg} may not depend on ${pkg}`;
  const [from, to] = [backendOf(f.path), backendOf(target)];
  if (from && to && from !== to) return 'a backend may not import another backend';
  return undefined;
}

/** Every import that crosses a boundary it may not cross. */
export function boundaryViolations(files: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const f of files) {
    const isTest = /\.test\.ts$|\/testing\//.test(f.path);
    for (const spec of f.imports) {
      if (spec.startsWith('node:')) continue;
      const target = workspaceTarget(f, spec);
      if (target !== undefined) {
        const reason = workspaceViolation(f, spec, target);
        if (reason) out.push({ file: f.path, specifier: spec, reason });
        continue;
      }
      const ext = externalName(spec);
      if (ALLOWED_EXTERNAL[f.pkg].includes(ext)) continue;
      if (isTest && TEST_TOOLS.includes(ext)) continue;
      out.push({ file: f.path, specifier: spec, reason: `${f.pkg} may not use the third-party package ${ext}` });
    }
  }
  return out;
}
