#!/usr/bin/env node
// Runs every *.test.ts under a package directory with node:test through tsx.
// Node 20's --test does not expand globs, so the files are listed here.
// Prints the spec reporter output; exit code is non-zero when a test fails.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = resolve(process.argv[2] ?? '.');
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts')) files.push(p);
  }
})(root);
files.sort();
if (files.length === 0) {
  console.log('ℹ tests 0\nℹ pass 0\nℹ fail 0');
  process.exit(0);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } },
);
process.exit(r.status ?? 1);
