import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// Tests run on the TypeScript sources: `@tsvdc/<pkg>` resolves to `<pkg>/src/index.ts`
// and `@tsvdc/<pkg>/<path>` to `<pkg>/src/<path>.ts`, so no build is needed to test.
const root = fileURLToPath(new URL('.', import.meta.url));
const alias = [
  { find: /^@tsvdc\/([a-z]+)$/, replacement: `${root}$1/src/index.ts` },
  { find: /^@tsvdc\/([a-z]+)\/(.+)$/, replacement: `${root}$1/src/$2.ts` },
];
const packages = ['ir', 'compiler', 'backends', 'sim', 'verify'];

export default defineConfig({
  test: {
    projects: packages.map((name) => ({
      resolve: { alias },
      test: {
        name,
        root: `${root}${name}`,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        testTimeout: 60_000,
      },
    })),
  },
});
