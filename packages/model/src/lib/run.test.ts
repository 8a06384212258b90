import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { GearsInputError, readManifest, writeDatasetStats, writeParquetTable } from '@gears-pipeline/core';
import { GRAPH_FILES, SPLIT_FILE, writeGeneGraph, writeSplit } from '@gears-pipeline/graphs';
import { parsePerturbationList, runPredict, runTrain } from './run.ts';
import { tinyDataset } from './tiny-dataset.test-helper.ts';

function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'gears-model-ws-'));
  const { inputs } = tinyDataset();
  writeDatasetStats(join(ws, 'dataset'), inputs.stats);
  writeSplit(join(ws, 'split', SPLIT_FILE), inputs.split);
  writeGeneGraph(join(ws, 'graphs', GRAPH_FILES.go), inputs.goGraph);
  writeGeneGraph(join(ws, 'graphs', GRAPH_FILES.coexpression), inputs.coexpressionGraph);
  writeParquetTable(join(ws, 'graphs', GRAPH_FILES.vocabulary), [{ name: 'gene', type: 'STRING' }, { name: 'index', type: 'INT32' }], { gene: inputs.pertVocabulary, index: Int32Array.from(inputs.pertVocabulary, (_, i) => i) });
  return ws;
}

test('runTrain writes a checkpoint, history and manifest, and skips an unchanged rerun; runPredict writes long Parquet', async () => {
  const ws = workspace();
  try {
    const args = { workspace: ws, epochs: 2, batchSize: 4, model: { hiddenSize: 8, numGoGnnLayers: 1, numGeneGnnLayers: 1, uncertainty: false, coexpressionQuirk: 'fixed' as const } };
    const progress: { done: number; total?: number; loss?: unknown }[] = [];
    const r = await runTrain(args, { info() {}, warn() {}, progress: (task, done, total, _unit, detail) => task === 'train' && progress.push({ done, total, loss: detail?.loss }) });
    assert.equal(r.skipped, false);
    assert.equal(r.result!.history.length, 2);
    // the training progress (epoch k/N with the loss) comes from train.ts's onEpoch hook
    assert.deepEqual(progress.map((p) => [p.done, p.total]), [[0, 2], [1, 2], [2, 2]]);
    assert.equal(progress[2].loss, r.result!.history[1].trainLoss);
    const m = readManifest(join(ws, 'model'))!;
    assert.equal(m.stage, 'train');
    assert.ok(m.outputs['checkpoint/weights.bin']);
    const again = await runTrain(args);
    assert.equal(again.skipped, true);
    const file = join(ws, 'sets.txt');
    writeFileSync(file, '# my perturbations\nGENE1+GENE2\nGENE3\n');
    const p = await runPredict({ workspace: ws, perturbations: [['GENE0', 'GENE5', 'GENE6']], perturbationsFile: file });
    assert.deepEqual(p.perturbations, ['GENE0+GENE5+GENE6', 'GENE1+GENE2', 'GENE3+ctrl']);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const rows = (await con.runAndReadAll(`select condition, perturbation, n_genes, count(*) n, count(distinct gene) g, count(observed_mean), count(distinct model_version), min(model) from '${join(p.outDir, 'predictions.parquet')}' group by all order by condition`)).getRows();
    // the shared predictions schema: GEARS and scPerturb names side by side, observed columns NULL
    assert.deepEqual(rows.map((x) => [x[0], x[1], ...x.slice(2, 7).map(Number), x[7]]), [
      ['GENE0+GENE5+GENE6', 'GENE0_GENE5_GENE6', 3, 24, 24, 0, 1, 'gears'],
      ['GENE1+GENE2', 'GENE1_GENE2', 2, 24, 24, 0, 1, 'gears'],
      ['GENE3+ctrl', 'GENE3', 1, 24, 24, 0, 1, 'gears'],
    ]);
    // predicted_mean − predicted_delta is the same control mean for every perturbation
    const base = (await con.runAndReadAll(`select max(n) from (select gene, count(distinct round(predicted_mean - predicted_delta, 4)) n from '${join(p.outDir, 'predictions.parquet')}' group by gene)`)).getRows();
    assert.equal(Number(base[0][0]), 1);
    assert.equal(p.manifest.outputs['predictions.h5ad'].rows, 4, 'control + 3 perturbations in predictions.h5ad');
    assert.ok(existsSync(join(p.outDir, 'predictions.h5ad')));
    await assert.rejects(runPredict({ workspace: ws, perturbations: [['GENE1', 'Gene2']] }), (e: unknown) => e instanceof GearsInputError && /'Gene2'/.test((e as Error).message) && /GENE2/.test((e as Error).message));
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('perturbation lists accept +, comma, underscore and whitespace separators and comments', () => {
  assert.deepEqual(parsePerturbationList('A+B\n# c\nC,D\nE_F  G\nH+ctrl\n\n'), [['A', 'B'], ['C', 'D'], ['E', 'F', 'G'], ['H']]);
});
