import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearsInputError } from '@gears-pipeline/core';
import { CHECKPOINT_FILES, CHECKPOINT_FORMAT_VERSION, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { predictPerturbations } from './predict.ts';
import { trainGears } from './train.ts';
import { disposeModel } from './model.ts';
import { tinyDataset } from './tiny-dataset.test-helper.ts';
import { REPO_ROOT } from './reference-fixture.test-helper.ts';

const FIXTURE = join(REPO_ROOT, 'packages/model/test-fixtures/checkpoint-v1');

async function trained() {
  const { inputs } = tinyDataset();
  return trainGears({ epochs: 1, batchSize: 4, model: { hiddenSize: 8, numGoGnnLayers: 1, numGeneGnnLayers: 1, uncertainty: false, coexpressionQuirk: 'fixed' } }, inputs);
}

test('save → load round-trips weights, vocabularies, graphs and predictions exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-ckpt-'));
  try {
    const r = await trained();
    const out = join(dir, 'ckpt');
    saveCheckpoint(r.model, out, { trainConfig: { epochs: 1 }, inputHashes: { stats: 'abc' } });
    const { model, meta } = await loadCheckpoint(out);
    assert.equal(meta.format_version, CHECKPOINT_FORMAT_VERSION);
    assert.equal(meta.migrated, undefined);
    assert.deepEqual(meta.input_hashes, { stats: 'abc' });
    assert.deepEqual(model.genes, r.model.genes);
    assert.deepEqual(model.pertVocabulary, r.model.pertVocabulary);
    assert.deepEqual(Array.from(model.goGraph.source), Array.from(r.model.goGraph.source));
    const sets = [['GENE0'], ['GENE1', 'GENE5'], ['GENE2', 'GENE3', 'GENE7']];
    const a = predictPerturbations(r.model, sets);
    const b = predictPerturbations(model, sets);
    assert.deepEqual(Array.from(b[2].predictedMean), Array.from(a[2].predictedMean));
    assert.equal(b[1].perturbation, 'GENE1+GENE5');
    // saving again over an existing checkpoint replaces it
    saveCheckpoint(model, out);
    assert.ok(existsSync(join(out, CHECKPOINT_FILES.weights)));
    disposeModel(r.model);
    disposeModel(model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the committed format-1 checkpoint still loads and predicts', async () => {
  const { model, meta } = await loadCheckpoint(FIXTURE);
  assert.equal(meta.format_version, 1);
  // read as the current format, and says so
  assert.match(meta.migrated ?? '', /format 1 read as 4/);
  const [p] = predictPerturbations(model, [['GENE2', 'GENE4']]);
  assert.equal(p.predictedMean.length, model.genes.length);
  assert.ok(p.predictedDelta.some((v) => v !== 0));
  // prediction = control mean + change
  assert.ok(Math.abs(p.predictedMean[3] - (model.controlMean[3] + p.predictedDelta[3])) < 1e-6);
  disposeModel(model);
});

test('corrupt, truncated, newer or missing checkpoints fail with a GearsInputError naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-ckpt-bad-'));
  try {
    const copy = (name: string) => {
      const d = join(dir, name);
      cpSync(FIXTURE, d, { recursive: true });
      return d;
    };
    const flipped = copy('flipped');
    const w = readFileSync(join(flipped, CHECKPOINT_FILES.weights));
    w[100] ^= 0xff;
    writeFileSync(join(flipped, CHECKPOINT_FILES.weights), w);
    await assert.rejects(loadCheckpoint(flipped), (e: unknown) => e instanceof GearsInputError && /sha256|corrupt/.test((e as Error).message) && (e as Error).message.includes('weights.bin'));
    const truncated = copy('truncated');
    writeFileSync(join(truncated, CHECKPOINT_FILES.weights), w.subarray(0, 64));
    await assert.rejects(loadCheckpoint(truncated), (e: unknown) => e instanceof GearsInputError && /bytes/.test((e as Error).message));
    const newer = copy('newer');
    const meta = JSON.parse(readFileSync(join(newer, CHECKPOINT_FILES.meta), 'utf8'));
    writeFileSync(join(newer, CHECKPOINT_FILES.meta), JSON.stringify({ ...meta, format_version: 99 }));
    await assert.rejects(loadCheckpoint(newer), (e: unknown) => e instanceof GearsInputError && /format_version/.test((e as Error).message) && /upgrade/.test((e as Error).message));
    const mismatched = copy('mismatched');
    writeFileSync(join(mismatched, CHECKPOINT_FILES.meta), JSON.stringify({ ...meta, model_config: { ...meta.model_config, hiddenSize: 16 } }));
    await assert.rejects(loadCheckpoint(mismatched), (e: unknown) => e instanceof GearsInputError && /shape/.test((e as Error).message));
    await assert.rejects(loadCheckpoint(join(dir, 'nothing')), (e: unknown) => e instanceof GearsInputError && /checkpoint\.json/.test((e as Error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
