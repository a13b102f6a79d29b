/**
 * Golden cases of the text form, next to the code:
 * - golden/<stage>.tir: hand-written modules (one per stage); <stage>.expected.tir is their
 *   canonical print. Regenerate with `npm run golden -w @tsvdc/ir` and review the diff.
 * - golden/errors/*.tir: malformed inputs whose first line is `// expect: <diagnostic>`,
 *   the exact text written by hand (never regenerated).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TsvdcError } from '../diagnostics.js';
import { moduleDiff } from '../equality.js';
import { verify } from '../verify/index.js';
import { parseModule, printModule } from './index.js';

const dir = fileURLToPath(new URL('golden/', import.meta.url));
const update = process.env['GOLDEN_UPDATE'] === '1';
const inputs = readdirSync(dir).filter((f) => f.endsWith('.tir') && !f.endsWith('.expected.tir')).sort();

describe('golden modules', () => {
  it('there is one per stage', () => {
    expect(inputs).toEqual(['addtree.tir', 'graph.tir', 'integer.tir', 'scheduled.tir', 'ternary.tir']);
  });

  for (const f of inputs) {
    const stage = f.replace('.tir', '');
    const expectedPath = join(dir, f.replace('.tir', '.expected.tir'));

    it(`${f} prints as ${f.replace('.tir', '.expected.tir')}`, () => {
      const m = parseModule(readFileSync(join(dir, f), 'utf8'), f);
      const printed = printModule(m);
      if (update) writeFileSync(expectedPath, printed);
      expect(printed).toBe(readFileSync(expectedPath, 'utf8'));
    });

    it(`${f} is a valid ${stage} module, and its canonical form is a fixed point`, () => {
      const m = parseModule(readFileSync(join(dir, f), 'utf8'), f);
      expect(m.stage).toBe(stage);
      expect(verify(m)).toEqual([]);
      const canonical = readFileSync(expectedPath, 'utf8');
      const again = parseModule(canonical, f);
      expect(moduleDiff(again, m)).toBeUndefined();
      expect(printModule(again)).toBe(canonical);
    });
  }
});

describe('golden diagnostics', () => {
  const errDir = join(dir, 'errors');
  for (const f of readdirSync(errDir).filter((x) => x.endsWith('.tir')).sort()) {
    it(f, () => {
      const text = readFileSync(join(errDir, f), 'utf8');
      const expected = /^\/\/ expect: (.*)\n/.exec(text)?.[1];
      expect(expected, 'first line must be // expect: <diagnostic>').toBeDefined();
      let caught: unknown;
      try {
        parseModule(text, f);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(TsvdcError);
      expect((caught as TsvdcError).message).toBe(expected);
      expect((caught as TsvdcError).code).toBe(`TSVDC${f.slice(0, 3)}`);
    });
  }
});
