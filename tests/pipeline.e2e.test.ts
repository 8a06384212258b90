// End-to-end: the `gears` CLI run as a user would, on the bundled Norman 2019 subset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { checkReportInChromium } from './report-in-browser.ts';
import { gears, gearsKilledWhen, stagesWith } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'gears-e2e-'));
const out = join(work, 'out');
const configPath = join(work, 'gears.config.json');
const ALL = ['ingest', 'split', 'graphs', 'train', 'predict', 'evaluate'];

async function sql(query: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  return (await con.runAndReadAll(query)).getRows();
}

function writeConfig(epochs: number) {
  writeFileSync(configPath, JSON.stringify({ run: { out: 'out' }, train: { epochs } }, null, 2));
}

test('gears init writes a config, and refuses to overwrite it', () => {
  const r = gears(['init', '--config', configPath]);
  assert.equal(r.code, 0, r.stderr);
  const again = gears(['init', '--config', configPath]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);
});

test('a fresh run on the bundled data writes predictions, metrics and a report that SQL can read', async () => {
  writeConfig(2);
  const r = gears(['run', '--config', configPath, '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), ALL);
  assert.match(r.stdout, /metrics: .*metrics\.parquet/);
  assert.match(r.stdout, /test Pearson delta/);
  const models = await sql(`select distinct model from '${out}/evaluate/metrics.parquet' order by model`);
  const names = models.map((m) => m[0]);
  for (const m of ['gears', 'no_change', 'training_mean', 'additive', 'linear']) assert.ok(names.includes(m), `metrics for ${m}: ${names}`);
  const [[n, genes]] = await sql(`select count(*), count(distinct gene) from '${out}/predictions/predictions.parquet'`);
  assert.ok(Number(n) > 0);
  assert.equal(Number(genes), 500);
  assert.ok(existsSync(join(out, 'evaluate', 'report.html')));
  // the generated guide to the outputs documents every column of every evaluate table
  const guide = readFileSync(join(out, 'README.md'), 'utf8');
  for (const t of ['metrics', 'metrics_summary', 'gi', 'gi_precision', 'predictions']) {
    const cols = (await sql(`select name from parquet_schema('${out}/evaluate/${t}.parquet') where num_children is null`)).map((c) => String(c[0]));
    for (const c of cols) assert.ok(guide.includes(`| \`${c}\` |`), `${t}.${c} documented`);
  }
});

test('the report of the default run opens in a browser with every chart drawn and readable axes', (t) => {
  const seen = checkReportInChromium(join(out, 'evaluate', 'report.html'));
  if (!seen) {
    t.skip('chromium is not installed (apt-get install -y chromium); only the HTML was checked');
    return;
  }
  // the GI section is either drawn or says why it is not (never a degenerate chart shown as meaningful)
  assert.notEqual(seen.gi, 'absent', 'the report has a GI chart or says why not');
});

test('gears predict --gi scores the genetic interaction of a pair from the trained model', async () => {
  const [[pair]] = await sql(`select condition from '${out}/split/split.parquet' where condition like '%+%' and condition not like '%ctrl%' limit 1`);
  const r = gears(['predict', '--workspace', out, '--out', join(out, 'pred-gi'), '--gi', String(pair)]);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.match(r.stdout, new RegExp(`${String(pair).replace('+', '\\+')}: mag \\d`));
  const [[n, mag]] = await sql(`select count(*), max(mag) from '${out}/pred-gi/gi.parquet'`);
  assert.equal(Number(n), 1);
  assert.ok(Number.isFinite(Number(mag)));
  // the singles and the pair were predicted for it, as AnnData too
  assert.ok(existsSync(join(out, 'pred-gi', 'predictions.h5ad')));
});

test('a rerun with nothing changed skips every stage', () => {
  const r = gears(['run', '--config', configPath, '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage skipped (unchanged)'), ALL);
  assert.deepEqual(stagesWith(r.events, 'stage started'), []);
});

test('changing the training config reruns training and what follows it, nothing before', () => {
  writeConfig(3);
  const r = gears(['run', '--config', configPath, '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage skipped (unchanged)'), ['ingest', 'split', 'graphs']);
  assert.deepEqual(stagesWith(r.events, 'stage started'), ['train', 'predict', 'evaluate']);
});

test('a run killed mid-pipeline leaves earlier outputs valid, and the next run resumes there', async () => {
  writeConfig(4);
  const killed = await gearsKilledWhen(['run', '--config', configPath, '--json'], (e) => e.event === 'stage started' && e.stage === 'train');
  assert.ok(killed.killed, 'the run was killed during training');
  // Everything written before the kill is whole: DuckDB reads it.
  const [[conditions]] = await sql(`select count(*) from '${out}/dataset/conditions.parquet'`);
  assert.ok(Number(conditions) > 30);
  const [[edges]] = await sql(`select count(*) from '${out}/graphs/go_edges.parquet'`);
  assert.ok(Number(edges) > 0);
  const r = gears(['run', '--config', configPath, '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  assert.deepEqual(stagesWith(r.events, 'stage started'), ['train', 'predict', 'evaluate']);
});

test('a run killed while ingest writes keeps the previous dataset readable and leaves no temporary files behind', async () => {
  const killed = await gearsKilledWhen(['run', '--config', configPath, '--json', '--force'], (e) => e.event === 'stage started' && e.stage === 'ingest');
  assert.ok(killed.killed);
  const [[cells]] = await sql(`select count(*) from '${out}/dataset/cells.parquet'`);
  assert.equal(Number(cells), 3375);
  const r = gears(['run', '--config', configPath, '--json']);
  assert.equal(r.code, 0, r.stderr.slice(-2000));
  // the killed run replaced nothing, so the previous dataset (hashes checked against its manifest)
  // and everything after it are still current
  assert.deepEqual(stagesWith(r.events, 'stage started'), []);
  assert.deepEqual(stagesWith(r.events, 'stage skipped (unchanged)'), ALL);
  for (const d of ['dataset', 'split', 'graphs', 'model', 'predictions', 'evaluate']) {
    assert.deepEqual(readdirSync(join(out, d)).filter((f) => f.endsWith('.tmp')), [], d);
  }
});

test('a bad config fails with exit code 1 and a message naming the field; bad usage exits 2', () => {
  const bad = join(work, 'bad.json');
  writeFileSync(bad, JSON.stringify({ train: { epochs: 'many' } }));
  const r = gears(['run', '--config', bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /train\.epochs: must be a number/);
  assert.equal(r.stderr.trim().split('\n').length, 1, 'one-line cause');
  const u = gears(['run', '--no-such-flag']);
  assert.equal(u.code, 2);
  const missing = gears(['run', '--config', join(work, 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does not exist/);
});

test('gears run and gears train with objective cells default to 32 cells per step (moments: 4 conditions)', async () => {
  // killed as soon as training starts: only the logged batch size matters here
  const isStart = (e: Record<string, unknown>) => e.event === 'train_start';
  const run = await gearsKilledWhen(['run', '--config', configPath, '--train.objective', 'cells', '--json'], isStart);
  assert.equal(run.events.find(isStart)?.batchSize, 32);
  const train = await gearsKilledWhen(['train', '--workspace', out, '--objective', 'cells', '--out', join(work, 'model-cells'), '--json'], isStart);
  assert.equal(train.events.find(isStart)?.batchSize, 32);
  const moments = await gearsKilledWhen(['train', '--workspace', out, '--out', join(work, 'model-moments'), '--json'], isStart);
  assert.equal(moments.events.find(isStart)?.batchSize, 4);
});
