/**
 * The architecture as data: which package may import which (DESIGN.md, STYLE.md 13),
 * and which third-party modules each package may use. Checked by boundaries.test.ts.
 */
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

/** Every import that crosses a boundary it may not cross. */
export function boundaryViolations(files: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const f of files) {
    const isTest = /\.test\.ts$|\/testing\//.test(f.path);
    for (const spec of f.imports) {
      if (spec.startsWith('.')) {
        const backendDir = /^backends\/src\/([^/]+)\//.exec(f.path)?.[1];
        if (backendDir && /\.\.\/(wasm|wgsl|verilog)\//.test(spec) && !spec.includes(`../${backendDir}/`)) {
          out.push({ file: f.path, specifier: spec, reason: 'a backend may not import another backend' });
        }
        continue;
      }
      if (spec.startsWith('node:')) continue;
      const ws = /^@tsvdc\/([a-z]+)/.exec(spec)?.[1];
      if (ws) {
        if (ws !== f.pkg && !(ALLOWED_DEPS[f.pkg] as readonly string[]).includes(ws)) {
          out.push({ file: f.path, specifier: spec, reason: `${f.pkg} may not depend on ${ws}` });
        }
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
