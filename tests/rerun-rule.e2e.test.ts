// One rerun rule for every entry point (issue 12, items 1, 2, 4, 5): `gears <stage>` and `gears run`
// share keys; a stage run alone sees upstream outputs rewritten by another command; the user's
// input replaces the demo data for good; an identical retrain does not rerun predict; a corrupted
// checkpoint graph is detected; stale temporaries anywhere in the run directory are removed.
// On a tiny simulated screen (800 cells × 60 genes, 1 epoch) to stay fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gears, stagesWith } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'gears-rerun-'));
const sim = join(work, 'sim');
const ws = join(work, 'ws');
const input = join(sim, 'perturbseq.h5ad');
const RUN = ['run', '--run.out', ws, '--graphs.goTable', join(sim, 'gene2go.tsv'), '--train.epochs', '1', '--train.minStepsPerEpoch', '0', '--json'];
const manifest = (stage: string) => JSON.parse(readFileSync(join(ws, stage, 'manifest.json'), 'utf8'));

test.before(() => {
  const r = gears(['simulate', '--out', sim, '--cells', '800', '--genes', '60', '--singles', '6', '--doubles', '4', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
});

test('gears ingest --input my.h5ad then gears run: the run keeps the user\'s dataset, never the bundled demo data', () => {
  const ing = gears(['ingest', '--input', input, '--out', join(ws, 'dataset'), '--json']);
  assert.equal(ing.code, 0, ing.stderr);
  assert.ok(existsSync(join(ws, 'dataset', 'pipeline-key.json')), 'gears ingest writes the rerun key');
  const r = gears(RUN);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage skipped (unchanged)'), ['ingest']);
  assert.deepEqual(stagesWith(r.events, 'stage started'), ['split', 'graphs', 'train', 'predict', 'evaluate']);
  assert.ok(r.events.some((e) => e.event === 'ingest.input_from_run_directory' && e.input === input));
  assert.deepEqual(Object.keys(manifest('dataset').inputs), [input]);
  assert.equal(manifest('dataset').outputs['conditions.parquet'].rows, 11, 'the simulated screen, not the demo data (34 conditions)');
});

test('per-stage commands compute the same keys as gears run; an identical retrain leaves predict current', () => {
  const split = gears(['split', '--workspace', ws, '--gene2go', join(sim, 'gene2go.tsv'), '--json']);
  assert.equal(split.code, 0, split.stderr);
  assert.match(split.stdout, /split is up to date/);
  const train = gears(['train', '--workspace', ws, '--epochs', '1', '--min-steps', '0', '--force', '--json']);
  assert.equal(train.code, 0, train.stderr);
  assert.match(train.stdout, /trained 1 epochs/);
  const r = gears(RUN);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), [], 'the retrained model is byte-identical, so nothing reruns');
  assert.equal(manifest('model').notes.epochSeconds.length, 1, 'epoch timings are in the manifest');
});

test('ingest rerun with other settings, then gears run --run.stages graphs: graphs reruns on the new dataset', () => {
  const before = manifest('graphs').outputs['vocabulary.parquet'].sha256;
  const ing = gears(['ingest', '--input', input, '--out', join(ws, 'dataset'), '--hvg', '20', '--json']);
  assert.equal(ing.code, 0, ing.stderr);
  const r = gears([...RUN, '--run.stages', 'graphs']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), ['graphs']);
  assert.notEqual(manifest('graphs').outputs['vocabulary.parquet'].sha256, before);
  // and the full run now reruns what reads the new dataset, keeping the user's input and its --hvg 20
  const all = gears(RUN);
  assert.equal(all.code, 0, all.stderr.slice(-2000));
  assert.deepEqual(stagesWith(all.events, 'stage skipped (unchanged)'), ['ingest', 'graphs']);
  assert.equal(manifest('dataset').config.hvg, 20);
});

test('a corrupted checkpoint graph is detected: gears predict refuses it, gears run retrains', () => {
  const go = join(ws, 'model', 'checkpoint', 'go.parquet');
  const good = readFileSync(go);
  writeFileSync(go, Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1] ^ 0xff])]));
  const p = gears(['predict', '--workspace', ws, 'G1', '--json']);
  assert.equal(p.code, 1);
  assert.match(p.stderr, /checkpoint\/go\.parquet: sha256: content differs from the hash train recorded.*Fix: rerun `gears train`/);
  const r = gears(RUN);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.equal(stagesWith(r.events, 'stage started')[0], 'train');
});

test('stale temporaries of a killed ingest anywhere in the run directory are removed by the next command', () => {
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  const tmpDataset = join(ws, `.dataset.tmp-${dead}-x1`);
  mkdirSync(tmpDataset);
  writeFileSync(join(tmpDataset, 'cells.parquet'), 'half written');
  const tmpFile = join(ws, 'graphs', `.go_edges.parquet.${dead}.y2.tmp`);
  writeFileSync(tmpFile, 'half written');
  const r = gears(RUN);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.ok(!existsSync(tmpDataset) && !existsSync(tmpFile));
  assert.equal(r.events.filter((e) => e.event === 'run.stale_temporary_removed').length, 2);
});

test('with the recorded input gone and no input given, gears run refuses instead of ingesting the demo data', () => {
  renameSync(input, `${input}.moved`);
  try {
    const r = gears(RUN);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ingest\.input: holds a dataset ingested from .*perturbseq\.h5ad, which no longer exists.*Fix: pass --ingest\.input/);
    assert.equal(manifest('dataset').outputs['conditions.parquet'].rows, 11);
  } finally {
    renameSync(`${input}.moved`, input);
  }
  rmSync(work, { recursive: true, force: true });
});
