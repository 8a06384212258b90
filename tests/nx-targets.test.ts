// Nx (issue 12, item 6): one target per stage with real inputs (code, the config file, data, the
// upstream stages' outputs) and an output directory taken from the target's `out` option; the Nx
// cache and gears' own rerun keys agree. Every project has a `typecheck` target that really checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gears, repoRoot, stagesWith } from './helpers.ts';

const nxCache = mkdtempSync(join(tmpdir(), 'gears-nx-cache-'));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY: nxCache, NX_TUI: 'false', FORCE_COLOR: '0' };

function nx(args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/nx/dist/bin/nx.js'), ...args], { cwd: repoRoot, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const STAGES: [string, string][] = [['ingest', 'dataset'], ['split', 'split'], ['graphs', 'graphs'], ['train', 'model'], ['predict', 'predictions'], ['evaluate', 'evaluate']];

test('each stage target has its own inputs (config file, data, upstream outputs) and an output directory from its options; every project has typecheck', () => {
  // one project graph for every project (one Nx start-up instead of one per project)
  const file = join(nxCache, 'graph.json');
  const r = nx(['graph', `--file=${file}`]);
  assert.equal(r.code, 0, r.out);
  const nodes = JSON.parse(readFileSync(file, 'utf8')).graph.nodes as Record<string, { data: { targets: Record<string, { command?: string; options?: Record<string, string>; inputs: unknown[]; outputs: string[] }> } }>;
  const targets = nodes['@gears-pipeline/pipeline'].data.targets;
  for (const [i, [stage, dir]] of STAGES.entries()) {
    const t = targets[`stage-${stage}`];
    assert.ok(t, `stage-${stage}`);
    assert.deepEqual(t.outputs, [`{options.out}/${dir}`]);
    assert.ok(t.inputs.includes('gearsConfig') && t.inputs.includes('gearsCode'), stage);
    assert.equal(t.inputs.some((x: unknown) => typeof x === 'object' && x !== null && 'dependentTasksOutputFiles' in x), i > 0, `${stage}: reads the upstream outputs`);
    assert.ok(!JSON.stringify(t.inputs).includes('GEARS_CONFIG'));
    assert.match(t.options!.command, new RegExp(`--config \\{args\\.config\\} --run\\.out \\{args\\.out\\} --run\\.stages ${stage}`));
  }
  const nxJson = JSON.parse(readFileSync(join(repoRoot, 'nx.json'), 'utf8'));
  assert.deepEqual(nxJson.namedInputs.gearsConfig, ['{workspaceRoot}/gears*.json']);
  for (const p of ['core', 'ingest', 'graphs', 'model', 'evaluate', 'pipeline', 'e2e']) {
    assert.match(JSON.stringify(nodes[`@gears-pipeline/${p}`].data.targets.typecheck ?? {}), /typecheck-project\.mjs/, `${p} has a typecheck target`);
  }
});

test('the typecheck target fails on a type error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-typecheck-'));
  writeFileSync(join(dir, 'bad.ts'), "export const cells: number = 'many';\n");
  const r = spawnSync(process.execPath, [join(repoRoot, 'scripts/typecheck-project.mjs'), dir], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /bad\.ts\(1,14\): error TS2322/);
  rmSync(dir, { recursive: true, force: true });
});

test('nx run stage-split, the Nx cache and gears run agree on what is current', (t) => {
  const sim = mkdtempSync(join(tmpdir(), 'gears-nx-sim-'));
  assert.equal(gears(['simulate', '--out', sim, '--cells', '600', '--genes', '40', '--singles', '5', '--doubles', '3', '--quiet']).code, 0);
  // a config at the workspace root (gears*.json is the targets' config input) and a git-ignored output directory
  const name = `gears.nx-test-${process.pid}.json`;
  const cfg = join(repoRoot, name);
  const out = `out/nx-test-${process.pid}`;
  t.after(() => {
    rmSync(cfg, { force: true });
    rmSync(join(repoRoot, out), { recursive: true, force: true });
    rmSync(sim, { recursive: true, force: true });
    rmSync(nxCache, { recursive: true, force: true });
  });
  const write = (seed: number) => writeFileSync(cfg, JSON.stringify({ ingest: { input: join(sim, 'perturbseq.h5ad') }, split: { seed }, graphs: { goTable: join(sim, 'gene2go.tsv') } }));
  write(1);
  mkdirSync(join(repoRoot, 'out'), { recursive: true });
  const run = () => nx(['run', '@gears-pipeline/pipeline:stage-split', `--config=${name}`, `--out=${out}`]);
  const first = run();
  assert.equal(first.code, 0, first.out.slice(-3000));
  assert.match(first.out, /ran ingest/);
  assert.match(first.out, /ran split/);
  // gears' keys agree: nothing to do
  const g = gears(['run', '--config', cfg, '--run.out', join(repoRoot, out), '--run.stages', 'ingest,split', '--json']);
  assert.equal(g.code, 0, g.stderr);
  assert.deepEqual(stagesWith(g.events, 'stage started'), []);
  // the Nx cache agrees too
  const again = run();
  assert.equal(again.code, 0, again.out.slice(-3000));
  assert.match(again.out, /2\/2 hit|read the output from the cache instead of running the command for 2 out of 2 tasks/);
  // a changed split setting: Nx reruns the targets reading the config; gears reruns only split
  write(2);
  const changed = run();
  assert.equal(changed.code, 0, changed.out.slice(-3000));
  assert.doesNotMatch(changed.out, /2\/2 hit/);
  assert.match(changed.out, /everything up to date/, 'ingest: gears finds its key unchanged');
  assert.match(changed.out, /ran split/);
  assert.equal(JSON.parse(readFileSync(join(repoRoot, out, 'split', 'manifest.json'), 'utf8')).config.seed, 2);
});
