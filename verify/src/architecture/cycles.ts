/** Import cycles between source files (Tarjan's strongly connected components). */
import { dirname, join, normalize } from 'node:path';
import type { SourceFile } from './sources.js';

/** Resolves a relative `.js` specifier of `from` to a source path in `known`. */
function resolveRelative(from: string, spec: string, known: ReadonlySet<string>): string | undefined {
  const base = normalize(join(dirname(from), spec)).split('\\').join('/');
  for (const cand of [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`]) {
    if (known.has(cand)) return cand;
  }
  return undefined;
}

/** Returns every import cycle (as a list of files) among relative imports. */
export function importCycles(files: readonly SourceFile[]): string[][] {
  const known = new Set(files.map((f) => f.path));
  const edges = new Map<string, string[]>();
  for (const f of files) {
    // type-only imports do not create runtime cycles
    const runtime = f.text.split('\n').filter((l) => !/^\s*import\s+type\s/.test(l) && !/^\s*export\s+type\s/.test(l)).join('\n');
    const specs = files.length ? [...runtime.matchAll(/from\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]!) : [];
    edges.set(f.path, specs.map((s) => resolveRelative(f.path, s, known)).filter((x): x is string => !!x));
  }
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const cycles: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(comp.sort());
    }
  };
  for (const f of files) if (!idx.has(f.path)) strong(f.path);
  return cycles;
}
