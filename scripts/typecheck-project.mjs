#!/usr/bin/env node
// Type-checks one project (a package directory, or any directory of .ts files) with the
// repository's compiler options (tsconfig.base.json): the Nx `typecheck` target of every package.
// tsx runs TypeScript without checking types, so this is where a type error fails. Reports the
// errors of every file the project's sources reach (its dependencies' types included).
// Usage: node scripts/typecheck-project.mjs <dir>; exit code 1 on any error.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(process.argv[2] ?? '.');
const files = [];
(function walk(d) {
  for (const name of readdirSync(d)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(p);
  }
})(dir);
const base = ts.readConfigFile(join(repo, 'tsconfig.base.json'), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, repo);
const program = ts.createProgram(files, { ...options, noEmit: true });
const diagnostics = ts.getPreEmitDiagnostics(program);
const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
if (diagnostics.length) process.stdout.write(ts.formatDiagnostics(diagnostics, host));
process.stdout.write(`typecheck ${dir}: ${files.length} files, ${diagnostics.length} errors\n`);
process.exit(diagnostics.length ? 1 : 0);
