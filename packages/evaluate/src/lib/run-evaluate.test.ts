import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeDatasetStats, writeParquetTable, readManifest, writeManifest, GearsInputError } from '@gears-pipeline/core';
import { runEvaluate, withoutGeneNames } from './run-evaluate.ts';
import { outputsGuide } from './output/guide.ts';
import { ANNDATA_SKIP_MESSAGE, pythonWithAnndata } from '@gears-pipeline/ingest';
import { execFileSync } from 'node:child_process';
import { additiveBaseline } from './baselines/simple.ts';
import { toyStats, TOY_SPLIT } from './testing/toy-data.ts';
import { renderInChromium, findChromium } from './testing/chromium.ts';
import { inkFraction, readPng } from './testing/png.ts';
import { buildReport, giMeaningful } from './report/html.ts';
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

test('runEvaluate writes the five tables, the report and a manifest', () => {
  for (const f of ['predictions.parquet', 'metrics.parquet', 'metrics_summary.parquet', 'gi.parquet', 'gi_precision.parquet', 'report.html']) assert.ok(result.files.has(f), f);
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

test('metrics.parquet holds per-condition rows only; metrics_summary.parquet the means, which SQL reproduces', async () => {
  const p = join(outDir, 'metrics.parquet');
  const sp = join(outDir, 'metrics_summary.parquet');
  const recomputed = await sql(`select model, subgroup, avg(value) from '${p}'
    where split = 'test' and metric = 'pearson_delta'
    group by model, subgroup order by model, subgroup`);
  const stored = await sql(`select model, subgroup, value from '${sp}'
    where split = 'test' and metric = 'pearson_delta' and subgroup <> 'overall' and n_conditions > 0 order by model, subgroup`);
  assert.equal(recomputed.length, stored.length);
  recomputed.forEach((r, i) => {
    assert.equal(r[0], stored[i][0]);
    assert.ok(Math.abs(Number(r[2]) - Number(stored[i][2])) < 1e-12);
  });
  // a plain average per model over metrics.parquet is the overall per-condition mean
  const plain = await sql(`select model, avg(value) from '${p}' where split = 'test' and metric = 'mse' group by model order by model`);
  const overall = await sql(`select model, value from '${sp}' where split = 'test' and metric = 'mse' and subgroup = 'overall' order by model`);
  plain.forEach((r, i) => assert.ok(Math.abs(Number(r[1]) - Number(overall[i][1])) < 1e-12));
  const [[aggRows]] = await sql(`select count(*) from '${p}' where condition like '\\_\\_%' escape '\\'`);
  assert.equal(Number(aggRows), 0);
  const empty = await sql(`select value, n_conditions from '${sp}' where subgroup = 'combo_seen0' and metric = 'mse' and split = 'test' and model = 'gears'`);
  assert.equal(empty[0][0], null);
  assert.equal(Number(empty[0][1]), 0);
  const names = (await sql(`select distinct metric from '${p}'`)).map((r) => String(r[0]));
  for (const want of ['mse', 'pearson', 'mse_de', 'pearson_de', 'pearson_delta', 'pearson_delta_de', 'pearson_delta_top50_de', 'mse_top200_hvg', 'frac_correct_direction_100', 'frac_sigma_below_2', 'frac_0/1_direction_top20_non_dropout', 'frac_correct_direction_non_zero', 'mse_top20_de_non_dropout', 'l2_top1000_expressed', 'pearson_delta_systema']) {
    assert.ok(names.includes(want), want);
  }
  // the baselines are ordered as expected on held-out combinations: additive beats no change
  const ord = await sql(`select model, value from '${sp}' where split = 'test' and subgroup = 'combo_seen1' and metric = 'pearson_delta'`);
  const v = Object.fromEntries(ord.map((r) => [r[0], Number(r[1])]));
  assert.ok(v.additive > v.no_change);
});

test('gi.parquet: observed and predicted scores per combination, one boolean column per GI type', async () => {
  const rows = await sql(`select combination, model, mag, dcor, is_synergy, is_suppressor, is_additive, perturbation from '${join(outDir, 'gi.parquet')}' order by combination, model`);
  const observed = rows.filter((r) => r[1] === 'observed');
  // test/val combinations with both singles measured: G03+G04, G05+G06, G01+G06
  assert.deepEqual(observed.map((r) => r[0]), ['G01+G06', 'G03+G04', 'G05+G06']);
  assert.deepEqual(observed.map((r) => r[7]), ['G01_G06', 'G03_G04', 'G05_G06']);
  for (const r of rows) {
    if (r[2] === null) continue;
    assert.equal(r[4], Number(r[2]) > 1, `synergy call of ${r[0]} ${r[1]}`);
    assert.equal(r[5], Number(r[2]) < 1);
    assert.equal(r[6], Math.abs(Number(r[2]) - 1) <= 0.3);
  }
  const noChange = rows.filter((r) => r[1] === 'no_change');
  for (const r of noChange) assert.equal(Number(r[2]), 0); // zero changes → zero coefficients
  const prec = await sql(`select count(*), min(n_combinations), max(k) from '${join(outDir, 'gi_precision.parquet')}'`);
  assert.equal(Number(prec[0][0]), 6 * 5);
  assert.equal(Number(prec[0][1]), 3);
  assert.equal(Number(prec[0][2]), 3);
});

test('BI properties: row groups, dictionary-encoded strings, NULL never NaN, run_id/model_version, joins', async () => {
  const tables = ['predictions', 'metrics', 'metrics_summary', 'gi', 'gi_precision'].map((t) => join(outDir, `${t}.parquet`));
  const runIds = new Set<string>();
  for (const f of tables) {
    // every row group but the last holds ≥ 100k rows (here: small tables are one row group)
    const groups = (await sql(`select distinct row_group_id, row_group_num_rows from parquet_metadata('${f}') order by 1`)).map((r) => Number(r[1]));
    groups.slice(0, -1).forEach((n) => assert.ok(n >= 100_000, `${f}: row group of ${n} rows`));
    assert.equal(groups.length, 1, f);
    // every string column is dictionary-encoded
    const cols = await sql(`select path_in_schema, type, encodings from parquet_metadata('${f}')`);
    for (const [name, type, enc] of cols) if (type === 'BYTE_ARRAY') assert.match(String(enc), /RLE_DICTIONARY/, `${f} ${name}`);
    // no NaN anywhere: undefined values are NULL
    const doubles = cols.filter((c) => c[1] === 'DOUBLE').map((c) => String(c[0]));
    const [[nan]] = await sql(`select ${doubles.map((d) => `count(*) filter (where isnan("${d}"))`).join(' + ')} from '${f}'`);
    assert.equal(Number(nan), 0, f);
    for (const [id, version] of await sql(`select distinct run_id, model_version from '${f}'`)) {
      runIds.add(String(id));
      assert.match(String(version), /^(baseline-|unversioned)/);
    }
  }
  assert.equal(runIds.size, 1, 'one run id across the tables of a run');
  assert.match([...runIds][0], /^[0-9a-f]{12}$/);
  // predictions join metrics on (run_id, model, condition): every scored condition has its rows
  const [[unjoined, joined]] = await sql(`select count(*) filter (where p.condition is null), count(*) filter (where p.condition is not null)
    from (select distinct run_id, model, condition from '${join(outDir, 'metrics.parquet')}') m
    left join (select distinct run_id, model, condition from '${tables[0]}') p using (run_id, model, condition)`);
  assert.equal(Number(unjoined), 0);
  assert.equal(Number(joined), 5 * 5);
  // the observed columns were NULL-free here (every evaluated condition is measured), and the
  // mse metric is the mean squared error of the predictions rows
  const [[maxErr]] = await sql(`select max(abs(m.value - p.mse)) from '${join(outDir, 'metrics.parquet')}' m
    join (select run_id, model, condition, avg((predicted_mean - observed_mean) ^ 2) mse from '${tables[0]}' group by all) p using (run_id, model, condition)
    where m.metric = 'mse'`);
  assert.ok(Number(maxErr) < 1e-9, `mse recomputed from predictions differs by ${maxErr}`);
});

test('the outputs guide documents every column of every evaluate table as written', async () => {
  const guide = outputsGuide();
  for (const t of ['predictions', 'metrics', 'metrics_summary', 'gi', 'gi_precision']) {
    assert.match(guide, new RegExp(`## ${t}: `));
    const cols = (await sql(`select name from parquet_schema('${join(outDir, `${t}.parquet`)}') where num_children is null`)).map((c) => String(c[0]));
    assert.ok(cols.length > 5);
    for (const c of cols) assert.ok(guide.includes(`| \`${c}\` |`), `${t}.${c} documented`);
  }
});

test('predictions.h5ad: the evaluated model as AnnData that anndata opens, observed layer beside X', async (t) => {
  assert.ok(result.files.has('predictions.h5ad'));
  const py = pythonWithAnndata();
  if (!py) {
    t.skip(ANNDATA_SKIP_MESSAGE);
    return;
  }
  const script = `
import anndata, json, numpy as np
a = anndata.read_h5ad(${JSON.stringify(join(outDir, 'predictions.h5ad'))})
i = list(a.obs["condition"]).index("G04+ctrl")
print(json.dumps({"shape": list(a.shape), "first": [a.obs_names[0], a.obs["condition"][0], a.obs["split"][0]],
  "row": [a.obs_names[i], a.obs["split"][i], int(a.obs["n_genes"][i])], "genes": list(a.var_names[:2]),
  "x": np.asarray(a.X[i]).tolist(), "obs": np.asarray(a.layers["observed"][i]).tolist(), "delta": np.asarray(a.layers["delta"][i]).tolist(),
  "model": str(a.uns["model"])}))`;
  const r = JSON.parse(execFileSync(py, ['-c', script], { encoding: 'utf8' }));
  const gears = result.predictions.find((p) => p.model === 'gears')!;
  assert.deepEqual(r.shape, [1 + gears.mean.size, G]);
  assert.deepEqual(r.first, ['control', 'ctrl', 'control']);
  assert.deepEqual(r.row, ['G04', 'test', 1]);
  assert.deepEqual(r.genes, stats.genes.slice(0, 2).map((g) => g.gene));
  assert.equal(r.model, 'gears');
  // X and the layers agree with predictions.parquet (float32 precision)
  const rows = await sql(`select gene, predicted_mean, observed_mean, predicted_delta from '${join(outDir, 'predictions.parquet')}' where model = 'gears' and condition = 'G04+ctrl'`);
  const byGene = new Map(rows.map((x) => [String(x[0]), x.slice(1).map(Number)]));
  stats.genes.forEach((g, k) => {
    const [pm, om, pd] = byGene.get(g.gene)!;
    assert.ok(Math.abs(r.x[k] - pm) < 1e-4 && Math.abs(r.obs[k] - om) < 1e-4 && Math.abs(r.delta[k] - pd) < 1e-4, g.gene);
  });
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

test('report.html renders every chart in headless Chromium without errors; a screenshot shows ink in each chart', (t) => {
  const html = readFileSync(join(outDir, 'report.html'), 'utf8');
  assert.ok(!/src=["']https?:/.test(html) && !/href=["']https?:/.test(html), 'no network resources');
  // nice ticks only (1/2/5 × 10^k steps): no label like 0.509 on an axis, every axis labelled
  const ticks = [...html.matchAll(/<text class="tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.ok(ticks.length > 50);
  for (const tk of ticks) assert.match(tk, /^-?\d+(\.\d)?$|^-?\d\.\d{2}$|^-?0\.0\d$|e/, `tick label ${tk}`);
  assert.ok((html.match(/class="axis-label"/g) ?? []).length > 10);
  // every model is in the legends, linear included
  for (const m of ['gears', 'no_change', 'training_mean', 'additive', 'linear']) assert.ok(html.includes(`<text x="14" y="9" font-size="11">${m}</text>`), `legend has ${m}`);
  // the key-metric table is narrow (metrics as rows); the rest is collapsible
  assert.match(html, /<details><summary>All \d+ metrics<\/summary>/);
  // 3 combinations here (≤ k = 10): the GI section says why it is not shown
  assert.match(html, /data-gi="not-shown">Not shown: only 3 evaluated combination/);
  if (!findChromium()) {
    t.skip('chromium is not installed (apt-get install -y chromium); report not rendered');
    return;
  }
  const r = renderInChromium(join(outDir, 'report.html'))!;
  assert.match(r.dom, /data-rendered="ok"/);
  assert.doesNotMatch(r.dom, /data-errors=/);
  assert.doesNotMatch(r.stderr, /Uncaught|SyntaxError|CONSOLE\(\d+\)\].*error/i);
  const charts = Number(/data-charts="(\d+)"/.exec(r.dom)?.[1]);
  // 6 metric charts + heatmap + 4 test conditions × (perturbation plot + scatter); no training history, no GI
  assert.equal(charts, 6 + 1 + 4 * 2);
  assert.equal(/data-empty-charts="(\d+)"/.exec(r.dom)?.[1], '0');
  const boxes = JSON.parse(/data-boxes="([^"]*)"/.exec(r.dom)![1].replace(/&quot;/g, '"')) as [number, number, number, number, string][];
  const height = Number(/data-page-height="(\d+)"/.exec(r.dom)?.[1]);
  const png = join(dir, 'report.png');
  renderInChromium(join(outDir, 'report.html'), { screenshot: png, width: 1200, height });
  const img = readPng(png);
  assert.equal(img.width, 1200);
  for (const [x, y, w, h, kind] of boxes) {
    const ink = inkFraction(img, x, y, w, h);
    assert.ok(ink > 0.02 && ink < 0.9, `${kind} chart at ${x},${y} (${w}×${h}) has ${(ink * 100).toFixed(1)}% ink`);
  }
  // the page margin left of the charts stays blank (the screenshot is of the report, not an error page)
  assert.ok(inkFraction(img, 0, 0, 15, height) < 0.01);
});

test('report: training curve from the history; GI section shown when meaningful', () => {
  const history = [1, 2, 3].map((epoch) => ({ epoch, trainLoss: 1 / epoch, valMse: 0.5 / epoch, valMseDe: 0.8 / epoch }));
  const html = buildReport(stats, result, { history });
  assert.equal((html.match(/data-chart="line"/g) ?? []).length, 2);
  assert.match(html, /Validation error by epoch/);
  // 12 fake combinations observed → precision@k with k = 10 < 12 is meaningful
  const rows = Array.from({ length: 12 }, (_, i) => ({ combination: `X${i}+Y${i}`, model: 'observed', scores: result.gi.rows[0].scores, giType: '', nGenes: 10 }));
  const meaningful = { ...result, gi: { ...result.gi, rows: [...rows, ...rows.map((r) => ({ ...r, model: 'gears' }))] } };
  assert.equal(giMeaningful(meaningful).ok, true);
  assert.match(buildReport(stats, meaningful), /GI magnitude: predicted vs observed/);
  const fellBack = { ...result, gi: { ...result.gi, geneSet: { listed: 2967, measured: 11, fellBack: true } } };
  assert.match(giMeaningful(fellBack).reason, /only 11 of the 2967 genes listed in --gi-genes are measured/);
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

test('log reasons group conditions failing the same way: gene names are dropped from the key', () => {
  assert.equal(withoutGeneNames('no training single for KLF1, SET: training mean change used'), 'no training single for …: training mean change used');
  assert.equal(withoutGeneNames('no training single for MAPK1: training mean change used'), withoutGeneNames('no training single for CNN1, SAMD1: training mean change used'));
  assert.equal(withoutGeneNames('perturbed gene(s) FOXO4 not measured: no embedding (zero used)'), 'perturbed gene(s) … not measured: no embedding (zero used)');
  assert.equal(withoutGeneNames('observed PTPN12+ctrl, SAMD1+ctrl missing'), 'observed … missing');
  // a reason without names is its own key
  assert.equal(withoutGeneNames('fewer than 20 GI genes'), 'fewer than 20 GI genes');
});
