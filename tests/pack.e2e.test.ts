// The packages work outside this repository: built (npm run build), packed (npm pack), installed
// from the tarballs into an empty project with no network (npm's cache, filled by `npm ci`), then
// used as a user would: `gears --version` and `gears run` on the bundled demo data with plain
// Node, the documented API from an .mjs file and from a type-checked nodenext TypeScript file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './helpers.ts';

const PACKAGES = ['core', 'ingest', 'graphs', 'model', 'evaluate', 'pipeline'];

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0', npm_config_audit: 'false', npm_config_fund: 'false' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

type LockEntry = { version?: string; resolved?: string; integrity?: string; link?: boolean; dev?: boolean; optional?: boolean; dependencies?: Record<string, string>; [k: string]: unknown };

/**
 * A lockfile for the consumer: the tarballs plus the exact registry entries this repository's lock
 * holds for their dependencies. With it `npm ci --offline` needs only the tarballs `npm ci` cached
 * (a plain `npm install` would also want registry metadata, which that cache does not hold).
 */
function consumerLock(tarballs: Map<string, string>): unknown {
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const entries: Record<string, LockEntry> = {};
  const root: Record<string, string> = {};
  const queue: Array<[string, string]> = [];
  for (const [name, file] of tarballs) {
    const pkg = lock.packages[`packages/${name}`];
    const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    const key = `node_modules/@gears-pipeline/${name}`;
    root[`@gears-pipeline/${name}`] = `file:${file}`;
    entries[key] = { version: pkg.version, resolved: `file:${file}`, integrity, dependencies: pkg.dependencies, license: pkg.license };
    for (const d of Object.keys(pkg.dependencies ?? {})) if (!d.startsWith('@gears-pipeline/')) queue.push([key, d]);
  }
  // Node's lookup: the nearest node_modules/<dep> above the requiring package
  while (queue.length) {
    const [from, dep] = queue.shift()!;
    let found: string | undefined;
    for (let base = from; ; ) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${dep}`;
      if (lock.packages[candidate] && !candidate.startsWith('packages/')) {
        found = candidate;
        break;
      }
      const i = base.lastIndexOf('/node_modules/');
      if (i < 0) {
        if (base === '') break;
        base = '';
      } else base = base.slice(0, i);
    }
    assert.ok(found, `the repository lock has no entry for ${dep} (needed by ${from})`);
    if (entries[found]) continue;
    const { dev: _dev, ...entry } = lock.packages[found];
    entries[found] = entry;
    for (const d of Object.keys(entry.dependencies ?? {})) queue.push([found, d]);
  }
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'consumer', version: '1.0.0', dependencies: root }, ...entries } };
}

test('the packed packages install offline into an empty project and run with plain node', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-pack-'));
  try {
    run(process.execPath, [join(repoRoot, 'scripts/build.mjs')], repoRoot);
    const tgz = join(dir, 'tgz');
    mkdirSync(tgz);
    const tarballs = new Map<string, string>();
    for (const name of PACKAGES) {
      const out = run('npm', ['pack', '--json', '--pack-destination', tgz], join(repoRoot, 'packages', name));
      const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
      const paths = info.files.map((f) => f.path);
      // tarballs hold what runs: compiled code, declarations, run-time data; no tests or sources
      assert.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts'), `${name}: dist missing`);
      assert.deepEqual(paths.filter((p) => /\.test\.|test-helper|^src\/|fixtures/.test(p)), [], `${name} ships tests or sources`);
      tarballs.set(name, join(tgz, info.filename));
    }
    const proj = join(dir, 'project');
    mkdirSync(proj);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: Object.fromEntries([...tarballs].map(([n, f]) => [`@gears-pipeline/${n}`, `file:${f}`])) }, null, 2));
    writeFileSync(join(proj, 'package-lock.json'), JSON.stringify(consumerLock(tarballs), null, 2));
    run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], proj);
    assert.ok(!readdirSync(join(proj, 'node_modules')).includes('tsx'), 'tsx is a development dependency only');

    const gears = join(proj, 'node_modules/@gears-pipeline/pipeline/bin/gears.js');
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'packages/pipeline/package.json'), 'utf8'));
    assert.equal(run(process.execPath, [gears, '--version'], proj).trim(), version);

    // the whole pipeline on the bundled demo data (shipped in the package), one short epoch
    const summary = run(process.execPath, [gears, 'run', '--quiet', '--train.epochs', '1', '--train.minStepsPerEpoch', '1', '--run.out', 'out'], proj);
    assert.match(summary, /ran ingest, split, graphs, train, predict, evaluate/);
    assert.match(summary, /test Pearson delta .*gears -?\d\.\d{3}/);
    for (const f of ['dataset/manifest.json', 'predictions/predictions.parquet', 'evaluate/metrics.parquet']) readFileSync(join(proj, 'out', f));

    // the documented API from JavaScript …
    writeFileSync(
      join(proj, 'use.mjs'),
      [
        "import { main } from '@gears-pipeline/pipeline';",
        "import { runIngest } from '@gears-pipeline/ingest';",
        "import { runSplit, runGraphs } from '@gears-pipeline/graphs';",
        "import { runTrain, runPredict } from '@gears-pipeline/model';",
        "import { runEvaluate } from '@gears-pipeline/evaluate';",
        "import { GearsInputError } from '@gears-pipeline/core';",
        'for (const f of [main, runIngest, runSplit, runGraphs, runTrain, runPredict, runEvaluate, GearsInputError]) if (typeof f !== "function") throw new Error("not exported");',
        "process.exitCode = await main(['--version']);",
      ].join('\n'),
    );
    assert.equal(run(process.execPath, ['use.mjs'], proj).trim(), version);

    // … and from TypeScript with nodenext resolution, type-checked against the shipped declarations
    writeFileSync(
      join(proj, 'use.ts'),
      [
        "import { runIngest, type IngestArgs } from '@gears-pipeline/ingest';",
        "import { runSplit } from '@gears-pipeline/graphs';",
        "import { main } from '@gears-pipeline/pipeline';",
        "const args: IngestArgs = { input: 'cells.h5ad', outDir: 'out/dataset' };",
        'export const calls: Array<Promise<unknown>> = [runIngest(args), runSplit({ workspace: "out" }), main(["--version"])];',
        '// @ts-expect-error a wrong argument type is caught by the shipped declarations',
        'export const wrong = runIngest({ input: 42 });',
      ].join('\n'),
    );
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [join(repoRoot, 'node_modules/@types')], types: ['node'] }, files: ['use.ts'] }));
    run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], proj);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
