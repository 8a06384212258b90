/**
 * A Parquet cells table in the layout ingest writes (core CELLS_COLUMNS: cell_id, condition,
 * library_size, gene_index list, value list) with its `genes.parquet` beside it, so an ingest
 * output can be ingested again (e.g. with another gene selection or filter). The metadata columns
 * are read whole through core's Parquet adapter, the cell lists a block at a time
 * (cells-parquet-read.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DATASET_FILES, GearsInputError, readParquetColumns } from '@gears-pipeline/core';
import { cellsTableBlocks } from './cells-parquet-read.ts';
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
    // the cell lists straight from their pages (cells-parquet-read.ts), hyparquet for other layouts
    blocks: (blockCells): AsyncGenerator<RawBlock> => cellsTableBlocks(cellsPath, nGenes, blockCells),
    close() {},
  };
}
