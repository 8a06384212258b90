import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetTableWriter, readParquetColumns, repeated, type ParquetColumnSpec } from './parquet.ts';
import { mulberry32 } from './random.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-parquet-direct-'));

const COLUMNS: ParquetColumnSpec[] = [
  { name: 'run_id', type: 'STRING', dictionary: true },
  { name: 'condition', type: 'STRING', dictionary: true },
  { name: 'split', type: 'STRING', dictionary: true, nullable: true },
  { name: 'gene', type: 'STRING', dictionary: true },
  { name: 'n_genes', type: 'INT32' },
  { name: 'rank', type: 'INT32', nullable: true },
  { name: 'mean', type: 'DOUBLE' },
  { name: 'delta', type: 'DOUBLE', nullable: true },
  { name: 'log_variance', type: 'DOUBLE', nullable: true },
  { name: 'weight', type: 'FLOAT', nullable: true },
  { name: 'is_de', type: 'BOOLEAN', nullable: true },
  { name: 'is_seen', type: 'BOOLEAN' },
];

/**
 * Per-condition batches like the evaluate tables: repeated strings, gene names from one array,
 * typed numbers with NaN (→ NULL), nulls in every nullable column, non-ASCII text, −0.
 */
function batches(): Record<string, ArrayLike<unknown> | ReturnType<typeof repeated>>[] {
  const rand = mulberry32(7);
  const genes = Array.from({ length: 37 }, (_, g) => (g === 5 ? 'Ωmega-5' : `G${g}`));
  const out = [];
  for (let c = 0; c < 23; c++) {
    const n = genes.length;
    out.push({
      run_id: repeated('abc123', n),
      condition: repeated(`C${c}+ctrl`, n),
      split: c % 5 === 0 ? repeated(null, n) : Array.from({ length: n }, (_, g) => (g % 7 === 0 ? null : c % 2 ? 'test' : 'val')),
      gene: genes,
      n_genes: new Int32Array(n).fill(1 + (c % 2)),
      rank: Array.from({ length: n }, (_, g) => (g % 4 === 0 ? null : g - 10)),
      mean: Float64Array.from({ length: n }, (_, g) => (g === 3 ? -0 : rand() * 4 - 1)),
      delta: Float64Array.from({ length: n }, (_, g) => (g % 6 === 0 ? NaN : rand() - 0.5)),
      log_variance: repeated(null, n),
      weight: Array.from({ length: n }, (_, g) => (g % 9 === 0 ? undefined : rand())),
      is_de: Array.from({ length: n }, (_, g) => (g % 3 === 0 ? null : g % 2 === 0)),
      is_seen: Uint8Array.from({ length: n }, (_, g) => g % 2),
    });
  }
  return out;
}

function write(path: string, encoder: 'direct' | 'hyparquet'): void {
  // 23 × 37 = 851 rows in groups of 300: 300, 300, 251
  const w = new ParquetTableWriter(path, COLUMNS, { rowGroupRows: 300, encoder, kv: { note: 'x' } });
  for (const b of batches()) w.write(b);
  w.close();
}

async function sql(q: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  return (await con.runAndReadAll(q)).getRows();
}

const direct = join(dir, 'direct.parquet');
const reference = join(dir, 'hyparquet.parquet');
write(direct, 'direct');
write(reference, 'hyparquet');

test('the direct encoder writes the same values as hyparquet-writer (hyparquet and DuckDB read them alike)', async () => {
  const a = await readParquetColumns(direct);
  const b = await readParquetColumns(reference);
  assert.deepEqual(Object.keys(a), COLUMNS.map((c) => c.name));
  for (const c of COLUMNS) assert.deepEqual(a[c.name], b[c.name], c.name);
  assert.equal(a.mean.length, 851);
  assert.equal(a.delta[0], null, 'NaN in a nullable double is NULL');
  assert.ok(Object.is(a.mean[3], -0));
  const cols = COLUMNS.map((c) => `"${c.name}"`).join(', ');
  const da = await sql(`select ${cols} from '${direct}'`);
  const db = await sql(`select ${cols} from '${reference}'`);
  assert.deepEqual(da, db);
  const [[nan]] = await sql(`select count(*) filter (where isnan(delta)) + count(*) filter (where isnan(weight)) from '${direct}'`);
  assert.equal(Number(nan), 0);
});

test('the direct encoder: same schema, row groups, dictionary-encoded strings and min/max statistics', async () => {
  const schema = (f: string) => sql(`select name, type, repetition_type, converted_type from parquet_schema('${f}')`);
  assert.deepEqual(await schema(direct), await schema(reference));
  const meta = (f: string) =>
    sql(`select row_group_id, row_group_num_rows, path_in_schema, type, stats_min_value, stats_max_value, stats_null_count, compression from parquet_metadata('${f}') order by row_group_id, column_id`);
  const ma = await meta(direct);
  assert.deepEqual(ma, await meta(reference));
  assert.deepEqual([...new Set(ma.map((r) => Number(r[1])))], [300, 251]);
  for (const [, , name, type, min, max] of ma) {
    if (name === 'log_variance') assert.equal(min, null);
    else assert.notEqual(min, null, `min of ${name}`);
    if (type === 'BYTE_ARRAY') assert.notEqual(max, null);
  }
  const enc = await sql(`select path_in_schema, encodings from parquet_metadata('${direct}') where type = 'BYTE_ARRAY'`);
  for (const [name, e] of enc) assert.match(String(e), /RLE_DICTIONARY/, String(name));
  const [[kv]] = await sql(`select count(*) from parquet_kv_metadata('${direct}') where decode(key) = 'note'`);
  assert.equal(Number(kv), 1);
});

test('the direct encoder refuses a missing value in a required column, naming file and column', () => {
  const w = new ParquetTableWriter(join(dir, 'bad.parquet'), COLUMNS.slice(0, 5), { rowGroupRows: 10 });
  assert.throws(() => w.write({ run_id: ['a'], condition: ['c'], split: [null], gene: [null], n_genes: [1] }), /bad\.parquet.*column gene is not nullable/);
  w.abort();
});
