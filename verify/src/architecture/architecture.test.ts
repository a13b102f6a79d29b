import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundaryViolations, ALLOWED_DEPS } from './boundaries.js';
import { codeDeclarations, codeProblems } from './codes.js';
import { importCycles } from './cycles.js';
import { PACKAGES, ROOT, importsOf, readSources, type SourceFile } from './sources.js';

const file = (path: string, text: string): SourceFile => ({
  path, pkg: path.split('/')[0] as SourceFile['pkg'], text, imports: importsOf(text),
});

describe('package boundaries', () => {
  const sources = readSources();

  it('the workspace has no import that crosses a forbidden boundary', () => {
    expect(boundaryViolations(sources)).toEqual([]);
  });

  it('package.json dependencies agree with the allowed graph', () => {
    for (const pkg of PACKAGES) {
      const json = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const ws = Object.keys(json.dependencies ?? {}).filter((d) => d.startsWith('@tsvdc/')).map((d) => d.slice(7)).sort();
      expect(ws.every((d) => (ALLOWED_DEPS[pkg] as readonly string[]).includes(d)), `${pkg}: ${ws}`).toBe(true);
    }
  });

  it('detects forbidden imports', () => {
    const bad = [
      file('ir/src/a.ts', "import { x } from '@tsvdc/compiler';"),
      file('sim/src/b.ts', "export { y } from '@tsvdc/backends/wasm/emit';"),
      file('backends/src/wasm/c.ts', "import { z } from '../wgsl/shader.js';"),
      file('ir/src/d.ts', "import ort from 'onnxruntime-node';"),
      file('compiler/src/e.ts', "const m = await import('binaryen');"),
      file('backends/src/wasm/f.ts', "import { s } from '@tsvdc/backends/wgsl/shader';"),
      file('backends/src/verilog/g.ts', "import { w } from '../wasm.js';"),
      file('ir/src/h.ts', "import { c } from '../../compiler/src/pipeline.js';"),
      file('sim/src/i.ts', "import { m } from '../../ir/src/module.js';"),
    ];
    expect(boundaryViolations(bad).map((v) => v.reason)).toEqual([
      'ir may not depend on compiler',
      'sim may not depend on backends',
      'a backend may not import another backend',
      'ir may not use the third-party package onnxruntime-node',
      'compiler may not use the third-party package binaryen',
      'a backend may not import another backend',
      'a backend may not import another backend',
      'a relative import may not leave ir/src (import @tsvdc/<package> instead)',
      'a relative import may not leave sim/src (import @tsvdc/<package> instead)',
    ]);
  });

  it('allows what the architecture allows', () => {
    const ok = [
      file('compiler/src/a.ts', "import { Module } from '@tsvdc/ir';\nimport { readFileSync } from 'node:fs';"),
      file('backends/src/wasm/b.ts', "import { x } from './emit.js';\nimport { y } from '../common/legalize.js';"),
      file('ir/src/c.test.ts', "import fc from 'fast-check';"),
      file('backends/src/wgsl/d.ts', "import { s } from '@tsvdc/backends/wgsl/shader';\nimport { t } from './kernels/tmatvec.js';"),
      file('compiler/src/passes/e.ts', "import { f } from '../tsvd/decompose.js';"),
    ];
    expect(boundaryViolations(ok)).toEqual([]);
  });
});

describe('import cycles', () => {
  it('the workspace has no runtime import cycle', () => {
    expect(importCycles(readSources())).toEqual([]);
  });

  it('detects a cycle, ignores type-only imports', () => {
    const files = [
      file('ir/src/a.ts', "import { b } from './b.js';"),
      file('ir/src/b.ts', "import { c } from './c.js';"),
      file('ir/src/c.ts', "import { a } from './a.js';"),
      file('ir/src/d.ts', "import type { e } from './e.js';"),
      file('ir/src/e.ts', "import { d } from './d.js';"),
    ];
    expect(importCycles(files)).toEqual([['ir/src/a.ts', 'ir/src/b.ts', 'ir/src/c.ts']]);
  });
});

describe('diagnostic codes', () => {
  it('every code is declared once, inside its area range', () => {
    expect(codeProblems(codeDeclarations(readSources()))).toEqual([]);
  });

  it('detects duplicates and out-of-range codes', () => {
    const decls = codeDeclarations([
      file('ir/src/text/codes.ts', "export const A = 'TSVDC001'; export const B = 'TSVDC150';"),
      file('ir/src/verify/codes.ts', "export const C = 'TSVDC001';"),
    ]);
    expect(codeProblems(decls)).toEqual([
      'ir/src/text/codes.ts: TSVDC150 outside 1-99',
      'ir/src/verify/codes.ts: TSVDC001 outside 100-199',
      'TSVDC001 declared twice: ir/src/text/codes.ts and ir/src/verify/codes.ts',
    ]);
  });
});
