// The Snakemake workflow of docs/downstream.md, run for real (Debian's snakemake, installed by
// .ci/run): end to end on a tiny simulated screen, then again after one stage's setting changes
// (only that stage and the ones after it run), then `gears run` with the same settings finds
// every stage up to date (one rerun rule for every entry point).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gears, gearsBin, repoRoot, stagesWith } from './helpers.ts';

const hasSnakemake = spawnSync('snakemake', ['--version'], { encoding: 'utf8' }).status === 0;
const STAGE_DIRS = ['dataset', 'split', 'graphs', 'model', 'predictions', 'evaluate'];

/** The ```python block of the docs' Snakemake section: the recipe users copy is the one tested. */
function snakefileFromDocs(): string {
  const doc = readFileSync(join(repoRoot, 'docs/downstream.md'), 'utf8');
  const section = doc.slice(doc.indexOf('### Snakemake'));
  const m = /```python\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'docs/downstream.md has a Snakemake python block');
  return m[1];
}

test('the Snakemake workflow of docs/downstream.md runs end to end, and after a setting change reruns only that stage and the ones after it', { skip: hasSnakemake ? false : 'snakemake is not installed (apt-get install snakemake; .ci/run installs it)' }, (t) => {
  const work = mkdtempSync(join(tmpdir(), 'gears-snakemake-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const sim = join(work, 'sim');
  assert.equal(gears(['simulate', '--out', sim, '--cells', '800', '--genes', '60', '--singles', '6', '--doubles', '4', '--quiet']).code, 0);
  writeFileSync(join(work, 'Snakefile'), snakefileFromDocs());
  const started = () => Object.fromEntries(STAGE_DIRS.map((d) => [d, JSON.parse(readFileSync(join(work, 'ws', d, 'manifest.json'), 'utf8')).startedAt]));
  const snakemake = (epochs: number) => {
    const r = spawnSync('snakemake', ['-c1', '--config', `input=${join(sim, 'perturbseq.h5ad')}`, 'out=ws', `gene2go=${join(sim, 'gene2go.tsv')}`, `epochs=${epochs}`, `gears=${process.execPath} ${gearsBin}`], { cwd: work, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    return r;
  };

  snakemake(1);
  const first = started();
  const again = snakemake(1);
  assert.match(again.stdout + again.stderr, /Nothing to be done/);
  snakemake(2);
  const second = started();
  const rerun = STAGE_DIRS.filter((d) => first[d] !== second[d]);
  assert.deepEqual(rerun, ['model', 'predictions', 'evaluate']);
  assert.equal(JSON.parse(readFileSync(join(work, 'ws/model/manifest.json'), 'utf8')).config.epochs, 2);

  // gears run with the same settings agrees with the single-stage commands' keys
  const r = gears(['run', '--run.out', join(work, 'ws'), '--graphs.goTable', join(sim, 'gene2go.tsv'), '--train.epochs', '2', '--json'], work);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), []);
  assert.deepEqual(started(), second);
});
