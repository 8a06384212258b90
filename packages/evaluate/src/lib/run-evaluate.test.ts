import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeDatasetStats, writeParquetTable, readManifest, writeManifest, GearsInputError } from '@gears-pipeline/core';
import { runEvaluate } from './run-evaluate.ts';
import { additiveBaseline } from './baselines/simple.ts';
import { toyStats, TOY_SPLIT } from './testing/toy-data.ts';
import { renderInChromium, findChromium } from './testing/chromium.ts';
import { mulberry32 } from '@gears-pipeline/core';

const { stats } = toyStats();
const G = stats.genes.length;
const dir = mkdtempSync(join(tmpdir(), 'gears-eval-'));
const datasetDir = join(dir, 'dataset');
writeDatasetStats(datasetDir, stats);
const splitPath = join(dir, 'split.json');
writeFileSync(splitPath, JSON.stringify(TOY_SPLIT));

// a stand-in for `gears predict` output: additive predictions with noise, long format
const fake = additiveBaseline({ stats, split: TOY_SPLIT });
const rand = mulberry32(5);
const conds = [...fake.mean.keys()];
const predPath = join(dir, 'predictions.parquet');
writeParquetTable(
  predPath,
  [
    { name: 'perturbation', type: 'STRING' },
    { name: 'gene', type: 'STRING' },
    { name: 'predicted_mean', type: 'DOUBLE' },
    { name: 'predicted_delta', type: 'DOUBLE' },
  ],
  {
    perturbation: conds.flatMap((c) => new Array(G).fill(c)),
    gene: conds.flatMap(() => stats.genes.map((g) => g.gene)),
    predicted_mean: Float64Array.from(conds.flatMap((c) => Array.from(fake.mean.get(c)!, (v) => v + (rand() - 0.5) * 0.2))),
    predicted_delta: new Float64Array(conds.length * G),
  },
);

async function sql(query: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const r = await con.runAndReadAll(query);
  return r.getRows() as unknown[][];
}

const outDir = join(dir, 'evaluate');
const result = await runEvaluate({ datasetDir, splitPath, predictionsPath: predPath, outDir, giGenesPath: undefined });

test('runEvaluate writes the three tables, the report and a manifest', () => {
  for (const f of ['predictions.parquet', 'metrics.parquet', 'gi.parquet', 'report.html']) assert.ok(result.files.has(f), f);
  const m = readManifest(outDir)!;
  assert.equal(m.stage, 'evaluate');
  assert.ok(m.inputs.predictions && m.inputs.split && m.inputs['dataset/condition_gene_stats.parquet']);
  assert.equal(m.outputs['predictions.parquet'].rows, result.files.get('predictions.parquet'));
});

test('predictions.parquet: one row per model × evaluated condition × gene, deltas against control', async () => {
  const rows = await sql(`select model, count(*) n, count(distinct condition) c from '${join(outDir, 'predictions.parquet')}' group by model order by model`);
  assert.deepEqual(rows.map((r) => r[0]), ['additive', 'gears', 'linear', 'no_change', 'training_mean']);
  for (const r of rows) assert.equal(Number(r[1]), 5 * G); // 4 test + 1 val conditions
  const bad = await sql(`select count(*) from '${join(outDir, 'predictions.parquet')}' p
    join (select gene, observed_mean - observed_delta as ctrl from '${join(outDir, 'predictions.parquet')}' where model = 'no_change' and condition = 'G04+ctrl') c using (gene)
    where abs(p.predicted_mean - p.predicted_delta - c.ctrl) > 1e-9`);
  assert.equal(Number(bad[0][0]), 0);
  const de = await sql(`select condition, count(*) from '${join(outDir, 'predictions.parquet')}' where is_top20_de and model = 'gears' group by condition`);
  for (const r of de) assert.equal(Number(r[1]), 20);
  const nc = await sql(`select max(abs(predicted_delta)) from '${join(outDir, 'predictions.parquet')}' where model = 'no_change'`);
  assert.equal(Number(nc[0][0]), 0);
});

test('metrics.parquet: per-condition rows and subgroup means agree in SQL', async () => {
  const p = join(outDir, 'metrics.parquet');
  const recomputed = await sql(`select model, subgroup, avg(value) from '${p}'
    where condition <> '__mean__' and condition <> '__gi__' and split = 'test' and metric = 'pearson_delta' and not isnan(value)
    group by model, subgroup order by model, subgroup`);
  const stored = await sql(`select model, subgroup, value from '${p}'
    where condition = '__mean__' and split = 'test' and metric = 'pearson_delta' and subgroup <> 'overall' and n_conditions > 0 order by model, subgroup`);
  assert.equal(recomputed.length, stored.length);
  recomputed.forEach((r, i) => {
    assert.equal(r[0], stored[i][0]);
    assert.ok(Math.abs(Number(r[2]) - Number(stored[i][2])) < 1e-12);
  });
  const empty = await sql(`select value, n_conditions from '${p}' where condition = '__mean__' and subgroup = 'combo_seen0' and metric = 'mse' and split = 'test' and model = 'gears'`);
  assert.ok(Number.isNaN(Number(empty[0][0])));
  assert.equal(Number(empty[0][1]), 0);
  const names = (await sql(`select distinct metric from '${p}' where condition not like '\\_\\_%' escape '\\'`)).map((r) => String(r[0]));
  for (const want of ['mse', 'pearson', 'mse_de', 'pearson_de', 'pearson_delta', 'pearson_delta_de', 'pearson_delta_top50_de', 'mse_top200_hvg', 'frac_correct_direction_100', 'frac_sigma_below_2', 'frac_0/1_direction_top20_non_dropout', 'frac_correct_direction_non_zero', 'mse_top20_de_non_dropout', 'l2_top1000_expressed', 'pearson_delta_systema']) {
    assert.ok(names.includes(want), want);
  }
  // the baselines are ordered as expected on held-out combinations: additive beats no change
  const ord = await sql(`select model, value from '${p}' where condition = '__mean__' and split = 'test' and subgroup = 'combo_seen1' and metric = 'pearson_delta'`);
  const v = Object.fromEntries(ord.map((r) => [r[0], Number(r[1])]));
  assert.ok(v.additive > v.no_change);
});

test('gi.parquet: observed and predicted scores per combination', async () => {
  const rows = await sql(`select combination, model, mag, dcor, gi_type from '${join(outDir, 'gi.parquet')}' order by combination, model`);
  const observed = rows.filter((r) => r[1] === 'observed');
  // test/val combinations with both singles measured: G03+G04, G05+G06, G01+G06
  assert.deepEqual(observed.map((r) => r[0]), ['G01+G06', 'G03+G04', 'G05+G06']);
  const noChange = rows.filter((r) => r[1] === 'no_change');
  for (const r of noChange) assert.equal(Number(r[2]), 0); // zero changes → zero coefficients
  const prec = await sql(`select count(*) from '${join(outDir, 'metrics.parquet')}' where condition = '__gi__' and metric like 'precision_at_k_%'`);
  assert.equal(Number(prec[0][0]), 6 * 5);
});

test('partitioned output reads back as one Hive-partitioned table', async () => {
  const out2 = join(dir, 'evaluate-partitioned');
  await runEvaluate({ datasetDir, splitPath, predictionsPath: predPath, outDir: out2, partitionByModel: true });
  const rows = await sql(`select model, count(*) from read_parquet('${out2}/metrics/*/*.parquet', hive_partitioning = true) group by model order by model`);
  assert.deepEqual(rows.map((r) => r[0]), ['additive', 'gears', 'linear', 'no_change', 'training_mean']);
  const single = await sql(`select count(*) from '${join(outDir, 'metrics.parquet')}'`);
  assert.equal(rows.reduce((s, r) => s + Number(r[1]), 0), Number(single[0][0]));
});

test('bad inputs name the file, the field and the fix', async () => {
  const badPred = join(dir, 'bad.parquet');
  writeParquetTable(badPred, [{ name: 'perturbation', type: 'STRING' }, { name: 'gene', type: 'STRING' }, { name: 'predicted_mean', type: 'DOUBLE' }], {
    perturbation: ['G04+ctrl'],
    gene: ['NOT_A_GENE'],
    predicted_mean: Float64Array.from([1]),
  });
  await assert.rejects(runEvaluate({ datasetDir, splitPath, predictionsPath: badPred, outDir: join(dir, 'x') }), (e: unknown) => e instanceof GearsInputError && /NOT_A_GENE/.test(e.message) && e.field === 'gene');
  const badSplit = join(dir, 'bad-split.json');
  writeFileSync(badSplit, JSON.stringify([{ condition: 'G04+ctrl', split: 'holdout', subgroup: '' }]));
  await assert.rejects(runEvaluate({ datasetDir, splitPath: badSplit, outDir: join(dir, 'y') }), (e: unknown) => e instanceof GearsInputError && e.field === 'split');
});

test('report.html renders its SVG charts in headless Chromium without errors', (t) => {
  const html = readFileSync(join(outDir, 'report.html'), 'utf8');
  assert.ok(!/src=["']https?:/.test(html) && !/href=["']https?:/.test(html), 'no network resources');
  if (!findChromium()) {
    t.skip('chromium is not installed (apt-get install -y chromium); report not rendered');
    return;
  }
  const r = renderInChromium(join(outDir, 'report.html'))!;
  assert.match(r.dom, /data-rendered="ok"/);
  assert.doesNotMatch(r.dom, /data-errors=/);
  const charts = Number(/data-charts="(\d+)"/.exec(r.dom)?.[1]);
  // 6 metric charts + 4 test-condition plots + 1 GI scatter
  assert.equal(charts, 11);
  assert.ok((r.dom.match(/class="bar"/g) ?? []).length > 20);
  assert.doesNotMatch(r.stderr, /Uncaught|SyntaxError/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('report.html says which form predicts what when the predict stage recorded it', async () => {
  const predDir = join(dir, 'predict-auto');
  mkdirSync(predDir, { recursive: true });
  copyFileSync(predPath, join(predDir, 'predictions.parquet'));
  const forms = {
    composition: 'auto',
    unseen_single: { form: 'kernel', own_expression: true, decided_on: 'leave-one-out', reason: '1 validation singles (< 3)' },
    combo_seen2: { form: 'composition', decided_on: 'validation', reason: '13 validation combo_seen2 combinations' },
  };
  writeManifest(predDir, { stage: 'predict', version: '0', config: {}, inputs: {}, outputs: {}, startedAt: '', finishedAt: '', seconds: 0, notes: { forms } });
  const out = join(dir, 'evaluate-auto');
  await runEvaluate({ datasetDir, splitPath, predictionsPath: join(predDir, 'predictions.parquet'), outDir: out, giGenesPath: undefined });
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /Which form predicts what/);
  assert.match(html, /<td>unseen_single<\/td><td>kernel \+ own expression<\/td><td>leave-one-out<\/td>/);
  assert.match(html, /<td>combo_seen2<\/td><td>composition<\/td>/);
  // without a predict manifest there is no such section
  assert.doesNotMatch(readFileSync(join(outDir, 'report.html'), 'utf8'), /Which form predicts what/);
});
