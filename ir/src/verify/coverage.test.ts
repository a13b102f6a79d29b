// "A test per invariant": every verifier and interpreter code is asserted by some test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as InterpCodes from '../interp/codes.js';
import * as VerifyCodes from './codes.js';

const src = fileURLToPath(new URL('..', import.meta.url));
const testText = ['verify', 'interp'].flatMap((dir) =>
  readdirSync(join(src, dir)).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts').map((f) => readFileSync(join(src, dir, f), 'utf8'))).join('\n');

describe('every code has a test that expects it', () => {
  for (const [name, codes] of [['verifier', VerifyCodes], ['interpreter', InterpCodes]] as const) {
    it(`${name} codes`, () => {
      // a test expects a code when its text has `TSVDCnnn:` (a formatted diagnostic) or `'TSVDCnnn'`
      const missing = Object.entries(codes).filter(([, c]) => !testText.includes(`${c}:`) && !testText.includes(`'${c}'`)).map(([k, c]) => `${k} ${c}`);
      expect(missing).toEqual([]);
    });
  }
});
