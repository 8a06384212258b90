// The whole repository typechecks (TypeScript runs through tsx without checking types, so this
// is where a type error in any package fails the suite).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { repoRoot } from './helpers.ts';

test('tsc finds no type errors in any package, test or benchmark', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout.slice(0, 4000));
});
