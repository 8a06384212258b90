/**
 * A Parquet cells table in the layout ingest writes (core CELLS_COLUMNS: cell_id, condition,
 * library_size, gene_index list, value list) with its `genes.parquet` beside it, so an ingest
 * output can be ingested again (e.g. with another gene selection or filter). Read through core's
 * Parquet adapter, a batch of rows at a time.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DATASET_FILES, GearsInputError, readParquetColumns, scanParquetRows } from '@gears-pipeline/core';
import type { CellSource, RawBlock } from './source.ts';

export async function openParquetSource(input: string): Promise<CellSource> {
  const cellsPath = existsSync(input) && statSync(input).isDirectory() ? join(input, DATASET_FILES.cells) : input;
  const genesPath = join(dirname(cellsPath), DATASET_FILES.genes);
  if (!existsSync(genesPath)) {
    throw new GearsInputError({ file: genesPath, field: '(file)', problem: 'is missing: a cells table needs its genes table beside it', fix: 'put genes.parquet (gene_index, gene, gene_id) next to the cells table' });
  }
  const gt = await readParquetColumns(genesPath, ['gene', 'gene_id']);
  const meta = await readParquetColumns(cellsPath, ['cell_id', 'condition', 'library_size']);
  const genes = gt.gene.map(String);
  const nGenes = genes.length;
  const conditions = meta.condition.map((x) => (x === null || x === undefined ? '' : String(x)));
  const library = Float64Array.from(meta.library_size, (x) => (x === null || x === undefined ? NaN : Number(x)));
  return {
    file: cellsPath,
    format: 'parquet',
    nCells: meta.cell_id.length,
    genes,
    geneIds: gt.gene_id.map(String),
    cellIds: meta.cell_id.map(String),
    metadataColumns: ['condition'],
    metadataFile: cellsPath,
    metadata: (c) => (c === 'condition' ? conditions : c === 'cell_id' ? meta.cell_id.map(String) : undefined),
    numericMetadata: (c) => (c === 'library_size' ? library : undefined),
    async *blocks(blockCells): AsyncGenerator<RawBlock> {
      let start = 0;
      for await (const rows of scanParquetRows(cellsPath, ['gene_index', 'value'], blockCells)) {
        const gi = rows.gene_index as ArrayLike<number>[];
        const vv = rows.value as ArrayLike<number>[];
        const n = gi.length;
        for (const [name, col] of [['gene_index', gi], ['value', vv]] as const) {
          const r = col.findIndex((x) => x !== null && x !== undefined && !(Array.isArray(x) || ArrayBuffer.isView(x)));
          if (r >= 0) {
            const v = col[r] as unknown;
            throw new GearsInputError({ file: cellsPath, field: `${name} (row ${start + r})`, problem: `holds a ${typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v} (${String(v).slice(0, 20)}), not a list: a cells table has one list of gene indices and one list of values per cell`, fix: 'write gene_index and value as list columns (one row per cell), as gears ingest writes cells.parquet' });
          }
        }
        const indptr = new Int32Array(n + 1);
        for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r] + (gi[r]?.length ?? 0);
        const indices = new Int32Array(indptr[n]);
        const values = new Float32Array(indptr[n]);
        for (let r = 0; r < n; r++) {
          if (!gi[r]) continue;
          if ((vv[r]?.length ?? -1) !== gi[r].length) {
            throw new GearsInputError({ file: cellsPath, field: `value (row ${start + r})`, problem: 'has a different length than gene_index', fix: 'rewrite the cells table: gene_index and value must pair up' });
          }
          indices.set(gi[r], indptr[r]);
          values.set(vv[r], indptr[r]);
        }
        for (let k = 0; k < indices.length; k++) {
          if (indices[k] < 0 || indices[k] >= nGenes) {
            throw new GearsInputError({ file: cellsPath, field: `gene_index (row ${start + indptr.findIndex((p) => p > k) - 1})`, problem: `gene index ${indices[k]} is outside genes.parquet (${nGenes} genes)`, fix: 'use the genes.parquet written with this cells table' });
          }
        }
        yield { start, indptr, indices, values };
        start += n;
      }
    },
    close() {},
  };
}
