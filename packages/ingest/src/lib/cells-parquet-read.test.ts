// The direct reader of cells tables gives the blocks hyparquet's row objects give: for gears' own
// files (several pages, empty cells, row groups unlike the block size), for a file in another
// layout (DuckDB's: read through hyparquet), and with the same errors for bad indices and lengths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CELLS_COLUMNS, GearsInputError, ParquetTableWriter, mulberry32, scanParquetRows, type CellChunk } from '@gears-pipeline/core';
import { CellsParquetWriter } from './cells-parquet.ts';
import { cellsTableBlocks, type CellsReadCounts } from './cells-parquet-read.ts';
import type { RawBlock } from './source.ts';

/** Random CSR chunk; every `emptyEvery`-th cell has no stored value. */
function randomChunk(seed: number, cells: number, genes: number, emptyEvery: number, density = 0.2): CellChunk {
  const rand = mulberry32(seed);
  const indptr = new Int32Array(cells + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let r = 0; r < cells; r++) {
    if (r % emptyEvery !== emptyEvery - 1) for (let g = 0; g < genes; g++) if (rand() < density) (idx.push(g), val.push(Math.log1p(Math.floor(rand() * 4)) * 1.3));
    indptr[r + 1] = idx.length;
  }
  return {
    cellIds: Array.from({ length: cells }, (_, r) => `c${seed}-${r}`),
    conditions: Array.from({ length: cells }, () => 'ctrl'),
    nGenes: genes,
    indptr,
    indices: Int32Array.from(idx),
    values: Float32Array.from(val),
    librarySize: new Float64Array(cells).fill(1000),
  };
}

/** The cells of a table the generic way: hyparquet row objects, concatenated. */
async function genericCells(path: string): Promise<{ lengths: number[]; indices: number[]; values: number[] }> {
  const out = { lengths: [] as number[], indices: [] as number[], values: [] as number[] };
  for await (const rows of scanParquetRows(path, ['gene_index', 'value'], 1000)) {
    rows.gene_index.forEach((g, r) => {
      const gi = (g ?? []) as ArrayLike<number>;
      out.lengths.push(gi.length);
      out.indices.push(...Array.from(gi));
      out.values.push(...Array.from((rows.value[r] ?? []) as ArrayLike<number>));
    });
  }
  return out;
}

async function directBlocks(path: string, nGenes: number, blockCells: number, counts?: CellsReadCounts): Promise<RawBlock[]> {
  const blocks: RawBlock[] = [];
  for await (const b of cellsTableBlocks(path, nGenes, blockCells, counts)) blocks.push(b);
  return blocks;
}

function assertSameCells(blocks: RawBlock[], expected: Awaited<ReturnType<typeof genericCells>>, blockCells: number, what: string): void {
  let start = 0;
  const lengths: number[] = [];
  for (const b of blocks) {
    assert.equal(b.start, start, `${what}: block start`);
    const n = b.indptr.length - 1;
    assert.ok(n === blockCells || start + n === expected.lengths.length, `${what}: blocks of ${blockCells} cells, the last shorter`);
    for (let r = 0; r < n; r++) lengths.push(b.indptr[r + 1] - b.indptr[r]);
    start += n;
  }
  assert.deepEqual(lengths, expected.lengths, `${what}: values per cell`);
  assert.deepEqual(blocks.flatMap((b) => Array.from(b.indices)), expected.indices, `${what}: gene indices`);
  assert.deepEqual(blocks.flatMap((b) => Array.from(b.values)), Array.from(Float32Array.from(expected.values)), `${what}: values`);
}

test('cellsTableBlocks reads gears cells tables like hyparquet: multi-page row groups, empty cells, any block size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-cells-read-'));
  try {
    const path = join(dir, 'cells.parquet');
    const w = new CellsParquetWriter(path);
    // row groups of 700 (two pages each, an empty cell every 5th), 30 (no value in any cell) and 333 cells
    for (const c of [randomChunk(1, 700, 3000, 5), randomChunk(2, 30, 10, 1, 0), randomChunk(3, 333, 200, 1000)]) w.write(c);
    w.close();
    const expected = await genericCells(path);
    for (const blockCells of [700, 256, 1063, 5000]) {
      const counts = { direct: 0, generic: 0 };
      assertSameCells(await directBlocks(path, 3000, blockCells, counts), expected, blockCells, `blocks of ${blockCells}`);
      assert.deepEqual(counts, { direct: 3, generic: 0 }, 'every row group read directly');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cellsTableBlocks reads a table in another layout (DuckDB: version-1 pages, optional elements) through hyparquet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-cells-read-'));
  try {
    const src = join(dir, 'src.parquet');
    const w = new ParquetTableWriter(src, CELLS_COLUMNS, { statistics: false });
    const c = randomChunk(4, 300, 50, 7);
    const rows = (a: Int32Array | Float32Array) => Array.from({ length: 300 }, (_, r) => Array.from(a.subarray(c.indptr[r], c.indptr[r + 1])));
    w.write({ cell_id: c.cellIds, condition: c.conditions, library_size: c.librarySize!, gene_index: rows(c.indices), value: rows(c.values) });
    w.close();
    const path = join(dir, 'duck.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    await con.run(`copy (select * from '${src}') to '${path}' (format parquet)`);
    con.closeSync();
    const expected = await genericCells(path);
    assert.equal(expected.lengths.length, 300);
    const counts = { direct: 0, generic: 0 };
    assertSameCells(await directBlocks(path, 50, 100, counts), expected, 100, 'DuckDB file');
    assert.ok(counts.direct === 0 && counts.generic > 0, 'DuckDB row groups read through hyparquet');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cellsTableBlocks names the row of a gene index outside genes.parquet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-cells-read-'));
  try {
    const path = join(dir, 'cells.parquet');
    const w = new CellsParquetWriter(path);
    const c = randomChunk(5, 40, 30, 1000);
    w.write(c);
    w.close();
    // with one gene more than the first cell's largest index, the first larger index is the error
    const nGenes = Math.max(...c.indices.subarray(c.indptr[0], c.indptr[1])) + 1;
    const k = c.indices.findIndex((g) => g >= nGenes);
    const row = c.indptr.findIndex((p) => p > k) - 1;
    assert.ok(k > 0 && row > 0);
    await assert.rejects(directBlocks(path, nGenes, 16), (e: unknown) => e instanceof GearsInputError && e.message.includes(`gene_index (row ${row})`) && e.message.includes(`gene index ${c.indices[k]} is outside genes.parquet (${nGenes} genes)`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
