// `gears ingest` end to end through the CLI: options reach runIngest, bad input exits 1 with the
// one-line file/field/fix message, bad usage exits 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '../../../../..');
const gears = join(repo, 'packages/pipeline/bin/gears.js');
const dir = mkdtempSync(join(tmpdir(), 'gears-cli-ingest-'));

function run(...args: string[]) {
  return spawnSync(process.execPath, [gears, 'ingest', '--quiet', ...args], { cwd: repo, encoding: 'utf8' });
}

test('gears ingest writes the dataset with the given options', () => {
  const out = join(dir, 'ds');
  const r = run('--input', 'data/norman2019-devel/devel.h5ad', '--obs-filter', 'dataset=norman19', '--out', out, '--chunk-size', '500');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ingested 3375 cells × 500 genes in 34 conditions/);
  assert.ok(existsSync(join(out, 'manifest.json')));
});

test('bad input exits 1 naming the file, field and fix; bad usage exits 2', () => {
  const r = run('--input', 'data/norman2019-devel/devel.h5ad', '--condition-column', 'guide', '--out', join(dir, 'x'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /devel\.h5ad \(obs\): guide: condition column is missing; available columns: .*perturbation.*Fix: /);
  assert.equal(run('--input', 'x.h5ad', '--normalize', 'maybe').status, 2);
  assert.equal(run('--out', join(dir, 'y')).status, 2);
});

test('gears ingest reads a pseudobulk table (the bundled Norman LFC) into a dataset without cells', () => {
  const out = join(dir, 'pb');
  const r = run('--input', 'data/norman2019-pseudobulk/lfc.tsv.gz', '--out', out, '--pseudobulk-kind', 'lfc');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ingested a pseudobulk table \(log fold changes, no cells\): 2000 genes in 235 conditions/);
  assert.ok(existsSync(join(out, 'condition_gene_stats.parquet')));
  assert.ok(!existsSync(join(out, 'cells.parquet')));
  const bad = run('--input', 'data/norman2019-pseudobulk/lfc.tsv.gz', '--out', join(dir, 'pb2'), '--pseudobulk-kind', 'mean');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /lfc\.tsv\.gz: column condition: kind mean needs a control row.*Fix: /);
  assert.equal(run('--input', 'data/norman2019-pseudobulk/lfc.tsv.gz', '--pseudobulk-kind', 'ratio').status, 2);
});
