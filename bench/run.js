#!/usr/bin/env node
// One entry point for the benchmarks: `npm run bench -- <name> [options]` builds, then runs
// bench/<name>/run.js with the options. Each prints its figures with ratios against a
// baseline measured in the same run; bench/RESULTS.md records them with date and machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BENCHES = {
  tsvd: 'TSVD transition vs a PyTorch re-implementation of the reference (needs /usr/bin/python3 with torch)',
  cse: 'add-tree passes: additions / ternary non-zeros after CSE vs no sharing, pass times',
  models: 'compress the fixtures: accuracy and agreement vs onnxruntime on the originals',
  qat: 'training transition on Fashion-MNIST with tfjs (about 25 min; --quick for a smoke run)',
  irtext: 'IR text print/parse speed vs JSON',
  interp: 'reference interpreter speed per stage vs direct float64 loops',
  workers: 'the forms of one conv layer on 2 worker threads vs 1 (compress pool)',
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !(name in BENCHES)) {
  console.log('usage: npm run bench -- <name> [options]\n');
  for (const [k, v] of Object.entries(BENCHES)) console.log(`  ${k.padEnd(8)} ${v}`);
  process.exit(name ? 2 : 0);
}
const script = `bench/${name}/run.js`;
if (!existsSync(script)) throw new Error(`${script} is missing`);
const r = spawnSync(process.execPath, [script, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
