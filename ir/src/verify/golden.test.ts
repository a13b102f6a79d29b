// Verifier golden cases in the IR text form: each golden/*.tir lists the diagnostics it must
// produce as `// expect:` lines (positions as `tsvdc ir check` prints them).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics.js';
import { locateDiagnostic, parseModuleWithPositions } from '../text/index.js';
import { verify } from './index.js';

const dir = fileURLToPath(new URL('./golden/', import.meta.url));

describe('verifier golden files', () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.tir'))) {
    it(f, () => {
      const text = readFileSync(dir + f, 'utf8');
      const file = `golden/${f}`;
      const { module, positions } = parseModuleWithPositions(text, file);
      const got = verify(module).map((d) => formatDiagnostic(locateDiagnostic(d, module, positions, file)));
      const want = [...text.matchAll(/^\/\/ expect: (.*)$/gm)].map((m) => m[1]);
      expect(got).toEqual(want);
    });
  }
});
