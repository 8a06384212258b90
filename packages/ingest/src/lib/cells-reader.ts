/**
 * Streams the cells of an ingested dataset (cells.parquet) back as `CellChunk`s, for the
 * co-expression graph and the per-cell trainer. Values are the normalised expression over the
 * dataset's (selected) genes.
 */
import { join } from 'node:path';
import type { Observable } from 'rxjs';
import { DATASET_FILES, parquetRowCount, scanParquetRows, type CellChunk } from '@gears-pipeline/core';
import { DEFAULT_CHUNK_SIZE } from './chunks.ts';
import { pullObservable } from './pull.ts';

export interface ReadCellsOptions {
  chunkSize?: number;
}

const COLUMNS = ['cell_id', 'condition', 'library_size', 'gene_index', 'value'];

/** Converts rows of a cells table (CELLS_COLUMNS) into one CSR chunk. */
export function rowsToChunk(rows: Record<string, unknown[]>, nGenes: number): CellChunk {
  const n = rows.cell_id.length;
  const gi = rows.gene_index as ArrayLike<number>[];
  const vv = rows.value as ArrayLike<number>[];
  const indptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r] + (gi[r]?.length ?? 0);
  const indices = new Int32Array(indptr[n]);
  const values = new Float32Array(indptr[n]);
  for (let r = 0; r < n; r++) {
    if (!gi[r]) continue;
    indices.set(gi[r], indptr[r]);
    values.set(vv[r], indptr[r]);
  }
  const lib = rows.library_size ? Float64Array.from(rows.library_size as number[], (x) => (x === null || x === undefined ? NaN : Number(x))) : new Float64Array(n).fill(NaN);
  return { cellIds: (rows.cell_id as unknown[]).map(String), conditions: (rows.condition as unknown[]).map(String), nGenes, indptr, indices, values, librarySize: lib };
}

/** The dataset's cells as an AsyncIterable of chunks of at most `chunkSize` cells (pull-driven). */
export async function* readCellChunks(datasetDir: string, opts: ReadCellsOptions = {}): AsyncGenerator<CellChunk> {
  const nGenes = await parquetRowCount(join(datasetDir, DATASET_FILES.genes));
  for await (const rows of scanParquetRows(join(datasetDir, DATASET_FILES.cells), COLUMNS, opts.chunkSize ?? DEFAULT_CHUNK_SIZE)) {
    yield rowsToChunk(rows, nGenes);
  }
}

/** The same stream as an RxJS Observable that reads the next chunk only after the previous one was delivered. */
export function readCellChunks$(datasetDir: string, opts: ReadCellsOptions = {}): Observable<CellChunk> {
  return pullObservable(() => readCellChunks(datasetDir, opts));
}
