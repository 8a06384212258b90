// End-to-end on a pseudobulk table (no cells): a slice of the bundled Norman 2019 whole-screen
// LFC table (data/norman2019-pseudobulk/lfc.tsv.gz) through `gears run`: ingest → split → graphs
// (co-expression from condition profiles) → train (moments) → predict → evaluate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkReportInChromium } from './report-in-browser.ts';
import { gears, repoRoot, stagesWith } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'gears-pseudobulk-e2e-'));
const out = join(work, 'out');
const table = join(work, 'lfc-slice.tsv');
const N_GENES = 200;

async function sql(query: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  return (await con.runAndReadAll(query)).getRows();
}

/**
 * ≈30 conditions × 200 genes: 10 doubles whose two singles were measured, their singles, and a
 * few more singles; the first 200 gene columns. Returns the conditions kept.
 */
function writeSlice(): string[] {
  const lines = gunzipSync(readFileSync(join(repoRoot, 'data/norman2019-pseudobulk/lfc.tsv.gz'))).toString('utf8').split('\n').filter(Boolean);
  const header = lines[0].split('\t');
  const rows = lines.slice(1).map((l) => l.split('\t'));
  const doubles = rows.filter((r) => r[1] === 'double' && r[4] === '1').slice(0, 10);
  const singles = new Set(doubles.flatMap((r) => [`${r[2]}+ctrl`, `${r[3]}+ctrl`]));
  for (const r of rows) if (r[1] === 'single' && singles.size < 20) singles.add(r[0]);
  const keep = rows.filter((r) => singles.has(r[0]) || doubles.includes(r));
  const cols = header.length - 5;
  assert.ok(cols >= N_GENES);
  const cut = (r: string[]) => r.slice(0, 5 + N_GENES).join('\t');
  writeFileSync(table, [cut(header), ...keep.map(cut)].join('\n') + '\n');
  return keep.map((r) => r[0]);
}

let conditions: string[] = [];

test('gears run on a pseudobulk LFC table runs every stage', () => {
  conditions = writeSlice();
  assert.ok(conditions.length >= 25 && conditions.length <= 32, `${conditions.length} conditions`);
  const config = join(work, 'gears.config.json');
  writeFileSync(config, JSON.stringify({ run: { out: 'out' }, ingest: { input: table }, train: { epochs: 2, minStepsPerEpoch: 10 } }, null, 2));
  const r = gears(['run', '--config', config, '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), ['ingest', 'split', 'graphs', 'train', 'predict', 'evaluate']);
  assert.match(r.stdout, /test Pearson delta/);
});

test('the dataset is pseudobulk: no cells, a ctrl row of zeros, 1 cell per condition', async () => {
  const ds = join(out, 'dataset');
  assert.ok(!existsSync(join(ds, 'cells.parquet')));
  const m = JSON.parse(readFileSync(join(ds, 'manifest.json'), 'utf8'));
  assert.equal(m.notes.pseudobulk, true);
  assert.equal(m.notes.kind, 'lfc');
  assert.equal(m.notes.controlRow, 'synthesised (zeros)');
  const [[n, genes]] = await sql(`select count(*), count(distinct gene) from '${ds}/condition_gene_stats.parquet'`);
  assert.equal(Number(genes), N_GENES);
  assert.equal(Number(n), (conditions.length + 1) * N_GENES);
  const [[maxAbs, minRank, maxRank, m2]] = await sql(`select max(abs(mean)), min(de_rank), max(de_rank), max(abs(m2)) from '${ds}/condition_gene_stats.parquet' where condition = 'ctrl'`);
  assert.deepEqual([Number(maxAbs), Number(minRank), Number(maxRank), Number(m2)], [0, -1, -1, 0]);
  const [[cells]] = await sql(`select max(n_cells) from '${ds}/conditions.parquet'`);
  assert.equal(Number(cells), 1);
});

test('DE ranks follow |lfc| (ties by gene position) in every condition', async () => {
  const ds = join(out, 'dataset');
  const [[wrong, total]] = await sql(`
    select count(*) filter (where de_rank <> r), count(*) from (
      select de_rank, row_number() over (partition by condition order by abs(mean) desc, gene_index) - 1 as r
      from '${ds}/condition_gene_stats.parquet' where condition <> 'ctrl')`);
  assert.equal(Number(total), conditions.length * N_GENES);
  assert.equal(Number(wrong), 0);
});

test('graphs build the co-expression graph from the training condition profiles', () => {
  const m = JSON.parse(readFileSync(join(out, 'graphs', 'manifest.json'), 'utf8'));
  assert.match(m.notes.coexpressionSource, /pseudobulk/);
  assert.ok(m.notes.coexpressionCells >= 3 && m.notes.coexpressionCells <= conditions.length + 1, String(m.notes.coexpressionCells));
  assert.ok(m.outputs['coexpression_edges.parquet'].rows > N_GENES, 'more than the self-loops');
  assert.ok('stats' in m.inputs && !('cells' in m.inputs));
});

test('predictions cover the test conditions, and metrics score gears against the additive baseline', async () => {
  const test = (await sql(`select condition from '${out}/split/split.parquet' where split = 'test'`)).map((r) => String(r[0]));
  assert.ok(test.length > 0);
  const scored = new Set((await sql(`select distinct condition from '${out}/evaluate/predictions.parquet' where split = 'test' and model = 'gears'`)).map((r) => String(r[0])));
  for (const c of test) assert.ok(scored.has(c), `prediction for test condition ${c}`);
  const [[finite]] = await sql(`select count(*) from '${out}/predictions/predictions.parquet' where isnan(predicted_delta) or isinf(predicted_delta)`);
  assert.equal(Number(finite), 0, 'no NaN predictions (zero m2 must not divide)');
  const rows = await sql(`select model, count(*) from '${out}/evaluate/metrics.parquet' where split = 'test' and metric = 'pearson_delta' group by model order by model`);
  const models = new Map(rows.map((r) => [String(r[0]), Number(r[1])]));
  assert.ok((models.get('gears') ?? 0) > 0 && (models.get('additive') ?? 0) > 0, JSON.stringify([...models]));
  const overall = await sql(`select model, value from '${out}/evaluate/metrics_summary.parquet' where split = 'test' and subgroup = 'overall' and metric = 'pearson_delta' and model in ('gears', 'additive')`);
  assert.equal(overall.length, 2);
  for (const [model, v] of overall) assert.ok(Number.isFinite(Number(v)), `${String(model)} overall Pearson delta ${String(v)}`);
  const ev = JSON.parse(readFileSync(join(out, 'evaluate', 'manifest.json'), 'utf8'));
  assert.equal(ev.config.cellMetrics, false, 'no per-cell range metrics without cells');
});

test('the report of the Norman pseudobulk run opens in a browser with every chart drawn and readable axes', (t) => {
  const seen = checkReportInChromium(join(out, 'evaluate', 'report.html'));
  if (!seen) {
    t.skip('chromium is not installed (apt-get install -y chromium); only the HTML was checked');
    return;
  }
  // the GI section is either drawn or says why it is not (never a degenerate chart shown as meaningful)
  assert.notEqual(seen.gi, 'absent', 'the report has a GI chart or says why not');
});

test('a rerun with nothing changed skips every stage', () => {
  const r = gears(['run', '--config', join(work, 'gears.config.json'), '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), []);
});

test('training with the cells objective fails with a clear message', () => {
  const r = gears(['train', '--workspace', out, '--objective', 'cells', '--out', join(work, 'model-cells'), '--epochs', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /train\.objective: objective cells trains on cells, and this dataset has no cells\.parquet.*Fix: train with --objective moments/);
});

test('composition singles: only train, predict and evaluate rerun, and a trained single is predicted as its measured change', async () => {
  const r = gears(['run', '--config', join(work, 'gears.config.json'), '--train.composition', 'singles', '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), ['train', 'predict', 'evaluate']);
  const meta = JSON.parse(readFileSync(join(out, 'model', 'checkpoint', 'checkpoint.json'), 'utf8'));
  const trainedSingles = (await sql(`select condition from '${out}/split/split.parquet' where split = 'train' and condition like '%+ctrl'`)).map((x) => String(x[0]).replace('+ctrl', ''));
  assert.ok(trainedSingles.length > 0);
  const vocabulary = new Set(meta.pert_vocabulary as string[]);
  assert.deepEqual([...meta.composition.single_genes].sort(), trainedSingles.filter((g) => vocabulary.has(g)).sort());
  assert.ok(meta.composition.global_weight > 0 && meta.composition.global_weight < 2, String(meta.composition.global_weight));
  const gene = meta.composition.single_genes[0] as string;
  const p = gears(['predict', '--workspace', out, gene, '--out', join(work, 'pred-single')]);
  assert.equal(p.code, 0, p.stderr.slice(-2000));
  const [[maxDiff, n]] = await sql(`
    select max(abs(p.predicted_delta - s.mean)), count(*) from '${work}/pred-single/predictions.parquet' p
    join '${out}/dataset/condition_gene_stats.parquet' s on s.gene = p.gene and s.condition = '${gene}+ctrl'`);
  assert.equal(Number(n), N_GENES);
  assert.ok(Number(maxDiff) < 1e-6, `max |predicted − measured| ${String(maxDiff)}`);
});
