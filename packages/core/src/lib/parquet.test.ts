import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetTableWriter, readParquetColumns, scanParquetRows, writeParquetTable, parquetRowCount } from './parquet.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-parquet-'));

test('round-trips scalar and list columns and DuckDB reads them', async () => {
  const path = join(dir, 'cells.parquet');
  const w = new ParquetTableWriter(path, [
    { name: 'cell_id', type: 'STRING' },
    { name: 'n', type: 'INT32' },
    { name: 'x', type: 'DOUBLE' },
    { name: 'idx', type: 'LIST_INT32' },
    { name: 'val', type: 'LIST_FLOAT' },
  ]);
  w.write({ cell_id: ['a', 'b'], n: Int32Array.from([1, 2]), x: Float64Array.from([0.5, -1.25]), idx: [[0, 3], []], val: [[1.5, 2], []] });
  w.write({ cell_id: ['c'], n: [3], x: [2], idx: [[7]], val: [[0.25]] });
  assert.equal(existsSync(path), false, 'nothing under the final name before close');
  w.close();
  assert.equal(await parquetRowCount(path), 3);
  const t = await readParquetColumns(path);
  assert.deepEqual(t.cell_id, ['a', 'b', 'c']);
  assert.deepEqual(t.idx.map((v) => Array.from(v as number[])), [[0, 3], [], [7]]);
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const r = await con.runAndReadAll(`select cell_id, len(idx) as k, list_sum(val) as s from '${path}' order by cell_id`);
  const rows = r.getRows().map((row) => [row[0], Number(row[1]), row[2] === null ? null : Number(row[2])]);
  assert.deepEqual(rows, [['a', 2, 3.5], ['b', 0, null], ['c', 1, 0.25]]);
});

test('abort leaves the previous good file untouched and no temporary files', async () => {
  const path = join(dir, 'keep.parquet');
  writeParquetTable(path, [{ name: 'g', type: 'STRING' }], { g: ['old'] });
  const w = new ParquetTableWriter(path, [{ name: 'g', type: 'STRING' }]);
  w.write({ g: ['new1', 'new2'] });
  w.abort();
  assert.deepEqual((await readParquetColumns(path)).g, ['old']);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

test('streams rows in bounded batches', async () => {
  const path = join(dir, 'many.parquet');
  const n = 10_000;
  writeParquetTable(path, [{ name: 'i', type: 'INT32' }], { i: Int32Array.from({ length: n }, (_, k) => k) });
  let seen = 0;
  let maxBatch = 0;
  for await (const b of scanParquetRows(path, ['i'], 3000)) {
    maxBatch = Math.max(maxBatch, b.i.length);
    assert.equal(b.i[0], seen);
    seen += b.i.length;
  }
  assert.equal(seen, n);
  assert.equal(maxBatch, 3000);
});

test('a truncated file fails with a message naming the file and the fix', async () => {
  const path = join(dir, 'broken.parquet');
  writeFileSync(path, 'PAR1 not really');
  await assert.rejects(readParquetColumns(path), (e: Error) => e.message.includes('broken.parquet') && /Fix:/.test(e.message));
});

test('rowGroupRows collects small writes into large row groups; nullable numbers store NULL for NaN; dictionary strings', async () => {
  const path = join(dir, 'groups.parquet');
  const w = new ParquetTableWriter(
    path,
    [
      { name: 'gene', type: 'STRING', dictionary: true },
      { name: 'v', type: 'DOUBLE', nullable: true },
      { name: 's', type: 'STRING', nullable: true },
    ],
    { rowGroupRows: 2500 },
  );
  // 12 writes of 500 rows → row groups of 2500, 2500, 1000
  for (let b = 0; b < 12; b++) {
    w.write({
      gene: Array.from({ length: 500 }, (_, i) => `G${i % 50}`),
      v: Float64Array.from({ length: 500 }, (_, i) => (i % 100 === 0 ? NaN : b + i / 1000)),
      s: Array.from({ length: 500 }, (_, i) => (i % 2 ? null : 'x')),
    });
  }
  w.close();
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const groups = (await con.runAndReadAll(`select distinct row_group_id, row_group_num_rows from parquet_metadata('${path}') order by 1`)).getRows();
  assert.deepEqual(groups.map((r) => Number(r[1])), [2500, 2500, 1000]);
  const enc = (await con.runAndReadAll(`select distinct encodings from parquet_metadata('${path}') where path_in_schema = 'gene'`)).getRows();
  for (const r of enc) assert.match(String(r[0]), /RLE_DICTIONARY/);
  const counts = (await con.runAndReadAll(`select count(*) filter (where v is null), count(*) filter (where isnan(v)), count(*) filter (where s is null), count(*) from '${path}'`)).getRows()[0].map(Number);
  assert.deepEqual(counts, [60, 0, 3000, 6000]);
  const t = await readParquetColumns(path, ['gene', 'v']);
  assert.equal(t.gene[501], 'G1');
  assert.equal(t.v[0], null);
  assert.equal(t.v[1], 0.001);
});
