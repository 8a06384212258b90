// `--engine duckdb`: the shipped SQL run by DuckDB gives the built-in engine's statistics within
// 1e-9 relative, on a dataset's own cells table and on a table with raw labels and a dropped condition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { GearsInputError, GearsUsageError, sha256File, type DatasetStats } from '@gears-pipeline/core';
import { runIngest } from './ingest.ts';
import { duckdbMoments } from './duckdb-engine.ts';
import { mergeMoments } from './stats/moments.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'gears-duckdb-'));
const base = join(dir, 'base');

/** |a − b| within 1e-9 of the value's scale; M3 (signed, can cancel to ~0) on the scale n·sd³. */
function assertSameStats(a: DatasetStats, b: DatasetStats): void {
  assert.deepEqual(b.conditions, a.conditions);
  const G = a.genes.length;
  let worst = 0;
  for (let j = 0; j < a.mean.length; j++) {
    const n = a.conditions[Math.floor(j / G)].nCells;
    const sd3 = n * Math.pow(a.m2[j] / n, 1.5);
    const rel = (x: number, y: number, scale = 0) => Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), scale, 1e-300);
    for (const r of [rel(a.mean[j], b.mean[j]), rel(a.m2[j], b.m2[j]), rel(a.m3[j], b.m3[j], sd3), rel(a.m4[j], b.m4[j])]) {
      if (!(Math.abs(a.mean[j]) + Math.abs(b.mean[j]) === 0 && r === 0)) worst = Math.max(worst, r);
    }
    assert.equal(b.nonzero[j], a.nonzero[j]);
    assert.ok(Math.abs(a.t[j] - b.t[j]) <= 1e-9 * Math.max(1, Math.abs(a.t[j])), `t at ${j}`);
  }
  assert.ok(worst <= 1e-9, `largest relative difference ${worst}`);
  // DE ranks agree up to ties: |t| values equal within 1e-9 may order either way
  for (let c = 0; c < a.conditions.length; c++) {
    if (c === a.controlIndex) continue;
    const byRank = new Array<number>(G);
    for (let g = 0; g < G; g++) byRank[b.deRank[c * G + g]] = Math.abs(a.t[c * G + g]);
    for (let r = 1; r < G; r++) assert.ok(byRank[r] <= byRank[r - 1] * (1 + 1e-9) + 1e-12, `condition ${a.conditions[c].name} rank ${r}`);
  }
}

test('duckdb engine equals the built-in engine on a cells table', async () => {
  await runIngest({ input: join(repo, 'data/norman2019-devel/devel.h5ad'), outDir: base, obsFilter: { dataset: 'norman19' } });
  const builtin = await runIngest({ input: base, outDir: join(dir, 'builtin') });
  const duck = await runIngest({ input: base, outDir: join(dir, 'duck'), engine: 'duckdb' });
  assert.equal(duck.nCells, builtin.nCells);
  assertSameStats(builtin.stats, duck.stats);
  assert.equal((duck.manifest.config as Record<string, unknown>).engine, 'duckdb');
  // the unchanged cells table is carried over as is
  assert.equal(duck.manifest.outputs['cells.parquet'].sha256, await sha256File(join(base, 'cells.parquet')));
});

test('duckdb engine maps raw labels and drops conditions below --min-cells like the built-in engine', async () => {
  // relabel control cells as "non-targeting" and singles as "KLF1" (no +ctrl) in a copy of the table
  const raw = join(dir, 'raw');
  mkdirSync(raw);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  await con.run(`COPY (SELECT cell_id, CASE WHEN condition = 'ctrl' THEN 'non-targeting' ELSE replace(condition, '+ctrl', '') END AS condition, library_size, gene_index, value FROM read_parquet('${join(base, 'cells.parquet')}')) TO '${join(raw, 'cells.parquet')}' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
  copyFileSync(join(base, 'genes.parquet'), join(raw, 'genes.parquet'));
  const opts = { input: raw, minCells: 100 };
  const builtin = await runIngest({ ...opts, outDir: join(dir, 'raw-builtin') });
  const duck = await runIngest({ ...opts, outDir: join(dir, 'raw-duck'), engine: 'duckdb' });
  assert.ok(builtin.nConditions < 34 && builtin.stats.conditions.some((c) => c.name === 'KLF1+ctrl'), 'labels mapped and small conditions dropped');
  assertSameStats(builtin.stats, duck.stats);
  assert.equal(duck.manifest.outputs['cells.parquet'].sha256, builtin.manifest.outputs['cells.parquet'].sha256);
});

test('shard results of the shipped SQL merge (Pébay) to the statistics of the whole table', async () => {
  const shards = join(dir, 'shards');
  mkdirSync(shards);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const src = `read_parquet('${join(base, 'cells.parquet')}', file_row_number = true)`;
  await con.run(`COPY (SELECT * EXCLUDE (file_row_number) FROM ${src} WHERE file_row_number % 3 = 0) TO '${join(shards, 'a.parquet')}' (FORMAT parquet)`);
  await con.run(`COPY (SELECT * EXCLUDE (file_row_number) FROM ${src} WHERE file_row_number % 3 <> 0) TO '${join(shards, 'b.parquet')}' (FORMAT parquet)`);
  con.closeSync();
  db.closeSync();
  const whole = await runIngest({ input: base, outDir: join(dir, 'whole') });
  const conditions = whole.stats.conditions.map((c) => c.name);
  const args = { labelColumn: 'condition', conditionOfLabel: new Map(conditions.map((c) => [c, c])), conditions, nGenes: whole.nGenes };
  const a = await duckdbMoments({ ...args, cellsPath: join(shards, 'a.parquet') });
  const b = await duckdbMoments({ ...args, cellsPath: join(shards, 'b.parquet') });
  const m = mergeMoments(a, b);
  assert.deepEqual(Array.from(m.n), whole.stats.conditions.map((c) => c.nCells));
  const merged: DatasetStats = { ...whole.stats, mean: m.mean, m2: m.m2, m3: m.m3, m4: m.m4, nonzero: m.nonzero };
  assertSameStats({ ...whole.stats, t: merged.t, deRank: merged.deRank }, merged);
});

test('duckdb engine refuses inputs it cannot read as they are', async () => {
  await assert.rejects(runIngest({ input: join(repo, 'data/norman2019-devel/devel.h5ad'), outDir: join(dir, 'x'), engine: 'duckdb', obsFilter: { dataset: 'norman19' } }), (e) => e instanceof GearsUsageError && /Parquet cells table/.test(e.message));
  await assert.rejects(runIngest({ input: base, outDir: join(dir, 'y'), engine: 'duckdb', hvg: 50 }), (e) => e instanceof GearsUsageError && /--hvg/.test(e.message));
  await assert.rejects(runIngest({ input: base, outDir: join(dir, 'z'), engine: 'duckdb', normalize: 'counts' }), (e) => e instanceof GearsInputError && /raw counts/.test(e.message));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
