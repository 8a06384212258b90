import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeParquetTable, readParquetColumns, type ParquetColumnSpec } from './parquet.ts';
import { writeFlatParquetTable, type FlatColumn } from './parquet-flat.ts';
import { mulberry32 } from './random.ts';

/** The generic writer's input for the same columns: one JS value per row. */
function genericBatch(columns: FlatColumn[]): { specs: ParquetColumnSpec[]; data: Record<string, ArrayLike<unknown>> } {
  const specs = columns.map((c) => ({ name: c.name, type: c.type }));
  const data = Object.fromEntries(columns.map((c) => [c.name, c.type === 'STRING' ? Array.from(c.codes, (k) => c.strings[k]) : c.values]));
  return { specs, data };
}

function assertSameBytes(columns: FlatColumn[], what: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'gears-flat-'));
  try {
    const { specs, data } = genericBatch(columns);
    writeParquetTable(join(dir, 'generic.parquet'), specs, data);
    const rows = writeFlatParquetTable(join(dir, 'flat.parquet'), columns);
    assert.equal(rows, columns[0].type === 'STRING' ? columns[0].codes.length : columns[0].values.length);
    assert.ok(readFileSync(join(dir, 'flat.parquet')).equals(readFileSync(join(dir, 'generic.parquet'))), `${what}: identical bytes`);
    assert.deepEqual(readdirSync(dir).sort(), ['flat.parquet', 'generic.parquet'], 'no temporary file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A condition × gene statistics table like the one ingest writes. */
function statsTable(C: number, G: number, seed: number): FlatColumn[] {
  const rand = mulberry32(seed);
  const N = C * G;
  const conditions = Array.from({ length: C }, (_, c) => (c === 0 ? 'ctrl' : `GENE${c}+ctrl`));
  const genes = Array.from({ length: G }, (_, g) => `GENE${String(g).padStart(4, '0')}`);
  const cells = Array.from({ length: C }, () => 50 + Math.floor(rand() * 400));
  const mean = Float64Array.from({ length: N }, () => (rand() < 0.3 ? 0 : rand() * 4));
  return [
    { name: 'condition', type: 'STRING', strings: conditions, codes: Int32Array.from({ length: N }, (_, k) => Math.floor(k / G)) },
    { name: 'gene', type: 'STRING', strings: genes, codes: Int32Array.from({ length: N }, (_, k) => k % G) },
    { name: 'gene_index', type: 'INT32', values: Int32Array.from({ length: N }, (_, k) => k % G) },
    { name: 'n', type: 'INT32', values: Int32Array.from({ length: N }, (_, k) => cells[Math.floor(k / G)]) },
    { name: 'mean', type: 'DOUBLE', values: mean },
    { name: 'm3', type: 'DOUBLE', values: Float64Array.from(mean, (m) => (m === 0 ? 0 : (rand() - 0.6) * 100)) },
    { name: 'nonzero', type: 'INT32', values: Int32Array.from({ length: N }, (_, k) => Math.floor(rand() * cells[Math.floor(k / G)])) },
    { name: 'de_rank', type: 'INT32', values: Int32Array.from({ length: N }, (_, k) => (k < G ? -1 : Math.floor(rand() * G))) },
  ];
}

test('writeFlatParquetTable writes the generic writer bytes for a statistics table (several row groups)', () => {
  // 230,000 rows: two full row groups of 100,000 and a short one; dictionary decisions differ by column
  assertSameBytes(statsTable(46, 5000, 1), 'statistics table');
  assertSameBytes(statsTable(3, 40, 2), 'small table');
});

test('writeFlatParquetTable matches on edge values: NaN, ±0, negatives, non-ASCII and duplicate strings, multi-page strings', () => {
  const rand = mulberry32(5);
  const n = 5000;
  const doubles = Float64Array.from({ length: n }, (_, i) => [NaN, -0, 0, -1.5, Infinity, rand()][i % 6]);
  const strings = ['Gène-α', 'gene', '', 'Gène-α', '😀x', '\uffff', 'z'];
  assertSameBytes(
    [
      { name: 's', type: 'STRING', strings, codes: Int32Array.from({ length: n }, () => Math.floor(rand() * strings.length)) },
      { name: 'd', type: 'DOUBLE', values: doubles },
      { name: 'i', type: 'INT32', values: Int32Array.from({ length: n }, () => Math.floor(rand() * 2e9) - 1e9) },
      { name: 'same', type: 'INT32', values: new Int32Array(n).fill(7) },
      { name: 'nan', type: 'DOUBLE', values: new Float64Array(n).fill(NaN) },
    ],
    'edge values',
  );
  // long distinct strings: PLAIN pages cut at 1 MiB
  const long = Array.from({ length: 4000 }, (_, i) => `${i}:`.padEnd(300 + (i % 7), 'é'));
  assertSameBytes([{ name: 'long', type: 'STRING', strings: long, codes: Int32Array.from({ length: 4000 }, (_, i) => i) }, { name: 'k', type: 'INT32', values: Int32Array.from({ length: 4000 }, (_, i) => i % 3) }], 'multi-page strings');
  // 256-byte strings: the page's bytes reach exactly 1 MiB at the 4,096th value
  const exact = Array.from({ length: 5000 }, (_, i) => String(i).padEnd(256, '.'));
  assertSameBytes([{ name: 'exact', type: 'STRING', strings: exact, codes: Int32Array.from({ length: 5000 }, (_, i) => i) }], 'page filled exactly');
  assertSameBytes([{ name: 'x', type: 'DOUBLE', values: new Float64Array(0) }], 'empty table');
});

test('writeFlatParquetTable reads back and refuses a code outside its strings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-flat-'));
  try {
    const p = join(dir, 't.parquet');
    writeFlatParquetTable(p, [{ name: 'g', type: 'STRING', strings: ['a', 'b'], codes: Int32Array.of(1, 0, 1) }, { name: 'v', type: 'DOUBLE', values: Float64Array.of(1, 2, 3) }]);
    const t = await readParquetColumns(p);
    assert.deepEqual(t.g, ['b', 'a', 'b']);
    assert.deepEqual(t.v, [1, 2, 3]);
    assert.throws(() => writeFlatParquetTable(join(dir, 'bad.parquet'), [{ name: 'g', type: 'STRING', strings: ['a'], codes: Int32Array.of(0, 1) }]), /row 1 has code 1/);
    assert.deepEqual(readdirSync(dir), ['t.parquet']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
