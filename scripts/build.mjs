#!/usr/bin/env node
// `npm run build`: compiles every package to packages/<name>/dist (tsc: JavaScript, declarations,
// source maps) in dependency order, and copies the bundled data each package needs at run time
// into packages/<name>/data (git-ignored copies of the repository's data/; `files` ships them).
// The monorepo itself runs from src/ through tsx and never needs this; `npm pack` does.
// `node scripts/build.mjs graphs` (a package's own `npm run build`) builds only that package; it
// compiles against the dist/ declarations of the packages below it, so those must be built first.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** dependency order: each package compiles against the declarations of those before it */
export const PACKAGES = ['core', 'ingest', 'graphs', 'model', 'evaluate', 'pipeline'];
/** run-time data per package: repository data/ paths (the GO table, aliases, the demo data set) */
export const PACKAGE_DATA = {
  graphs: ['go', 'README.md'],
  pipeline: ['go', 'norman2019-devel', 'README.md'],
};
const tsc = join(root, 'node_modules/typescript/bin/tsc');

const only = process.argv.slice(2);
for (const name of PACKAGES) {
  if (only.length && !only.includes(name)) continue;
  const dir = join(root, 'packages', name);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: tsc failed for packages/${name}`);
    process.exit(1);
  }
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  for (const item of PACKAGE_DATA[name] ?? []) {
    mkdirSync(join(dir, 'data'), { recursive: true });
    cpSync(join(root, 'data', item), join(dir, 'data', item), { recursive: true });
  }
  console.log(`built packages/${name}`);
}
