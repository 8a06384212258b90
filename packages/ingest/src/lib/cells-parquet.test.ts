import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CELLS_COLUMNS, GENES_COLUMNS, ParquetTableWriter, mulberry32, writeParquetTable, type CellChunk } from '@gears-pipeline/core';
import { CellsParquetWriter } from './cells-parquet.ts';
import { readCellChunks } from './cells-reader.ts';

/** Random CSR chunk; every `emptyEvery`-th cell has no stored value. */
function randomChunk(seed: number, cells: number, genes: number, emptyEvery: number): CellChunk {
  const rand = mulberry32(seed);
  const indptr = new Int32Array(cells + 1);
  const idx: number[] = [];
  const val: number[] = [];
  for (let r = 0; r < cells; r++) {
    if (r % emptyEvery !== emptyEvery - 1) for (let g = 0; g < genes; g++) if (rand() < 0.2) (idx.push(g), val.push(Math.log1p(rand() * 10)));
    indptr[r + 1] = idx.length;
  }
  return {
    cellIds: Array.from({ length: cells }, (_, r) => `cell${seed}-${r}`),
    conditions: Array.from({ length: cells }, (_, r) => (r % 3 ? `G${r % 7}+ctrl` : 'ctrl')),
    nGenes: genes,
    indptr,
    indices: Int32Array.from(idx),
    values: Float32Array.from(val),
    librarySize: Float64Array.from({ length: cells }, () => Math.round(rand() * 5000)),
  };
}

/** What the generic table writer produces for the same chunks (the path CellsParquetWriter replaced). */
function writeGeneric(path: string, chunks: CellChunk[]): void {
  const w = new ParquetTableWriter(path, CELLS_COLUMNS, { plain: ['gene_index'], statistics: false });
  for (const c of chunks) {
    const n = c.indptr.length - 1;
    const rows = (a: Int32Array | Float32Array) => Array.from({ length: n }, (_, r) => Array.from(a.subarray(c.indptr[r], c.indptr[r + 1])));
    w.write({ cell_id: c.cellIds, condition: c.conditions, library_size: c.librarySize!, gene_index: rows(c.indices), value: rows(c.values) });
  }
  w.close();
}

test('CellsParquetWriter writes the same bytes as the generic table writer (empty cells included)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-cells-parquet-'));
  try {
    // the third chunk is large enough to span several 1 MiB pages
    const chunks = [randomChunk(1, 50, 40, 7), randomChunk(2, 30, 10, 1000), randomChunk(3, 700, 3000, 5)];
    writeGeneric(join(dir, 'generic.parquet'), chunks);
    const fast = new CellsParquetWriter(join(dir, 'cells.parquet'));
    for (const c of chunks) fast.write(c);
    fast.close();
    assert.equal(fast.rowCount, 780);
    assert.ok(readFileSync(join(dir, 'cells.parquet')).equals(readFileSync(join(dir, 'generic.parquet'))), 'identical bytes');
    // and it reads back as the chunks written
    writeParquetTable(join(dir, 'genes.parquet'), GENES_COLUMNS, Object.fromEntries(GENES_COLUMNS.map((c) => [c.name, Array.from({ length: 3000 }, (_, g) => (c.type === 'STRING' ? `G${g}` : c.type === 'BOOLEAN' ? false : 0))])));
    const back: CellChunk[] = [];
    for await (const c of readCellChunks(dir, { chunkSize: 100 })) back.push(c);
    assert.deepEqual(back.flatMap((c) => c.cellIds), chunks.flatMap((c) => c.cellIds));
    const cat = (cs: CellChunk[], f: (c: CellChunk) => ArrayLike<number>) => cs.flatMap((c) => Array.from(f(c)));
    assert.deepEqual(cat(back, (c) => c.indices), cat(chunks, (c) => c.indices));
    assert.deepEqual(cat(back, (c) => c.values), cat(chunks, (c) => c.values));
    assert.deepEqual(cat(back, (c) => c.indptr.subarray(1).map((v, r) => v - c.indptr[r])), cat(chunks, (c) => c.indptr.subarray(1).map((v, r) => v - c.indptr[r])));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CellsParquetWriter.abort leaves no file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-cells-parquet-'));
  try {
    const w = new CellsParquetWriter(join(dir, 'cells.parquet'));
    w.write(randomChunk(4, 5, 5, 2));
    w.abort();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
