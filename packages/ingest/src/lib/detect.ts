/**
 * Input format from the path: `.h5ad` / `.h5` → AnnData; `matrix.mtx[.gz]` or a directory holding
 * one → 10x MatrixMarket; `.parquet` or a directory holding `cells.parquet` → cells table;
 * `.tsv` / `.csv` / `.txt` (optionally `.gz`) → pseudobulk table (one row per condition).
 * A `.parquet` file is told apart by its columns (`resolveFormat`): the cells layout has
 * `gene_index` and `value` list columns; any other Parquet file is read as a pseudobulk table.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { GearsInputError, parquetColumnNames } from '@gears-pipeline/core';

export type InputFormat = 'h5ad' | 'mtx' | 'parquet' | 'pseudobulk';

export function detectFormat(input: string): InputFormat {
  if (!existsSync(input)) {
    throw new GearsInputError({ file: input, field: '--input', problem: 'does not exist', fix: 'check the path' });
  }
  if (statSync(input).isDirectory()) {
    const names = readdirSync(input);
    if (names.some((n) => /\.mtx(\.gz)?$/.test(n))) return 'mtx';
    if (names.includes('cells.parquet')) return 'parquet';
    const h5 = names.filter((n) => n.endsWith('.h5ad'));
    if (h5.length > 0) {
      throw new GearsInputError({ file: input, field: '--input', problem: `is a directory holding ${h5.join(', ')}`, fix: 'pass the .h5ad file itself' });
    }
    throw new GearsInputError({ file: input, field: '--input', problem: 'is a directory without matrix.mtx[.gz] or cells.parquet', fix: 'pass an .h5ad file, a 10x directory (matrix.mtx, features.tsv, barcodes.tsv), a cells.parquet table or a pseudobulk table (.tsv/.csv/.parquet), or set --format' });
  }
  if (/\.(h5ad|h5|hdf5)$/i.test(input)) return 'h5ad';
  if (/\.mtx(\.gz)?$/i.test(input)) return 'mtx';
  if (/\.(parquet|pq)$/i.test(input)) return 'parquet';
  if (/\.(tsv|csv|txt)(\.gz)?$/i.test(input)) return 'pseudobulk';
  throw new GearsInputError({ file: input, field: '--input', problem: 'has an extension the format cannot be guessed from', fix: 'set --format h5ad|mtx|parquet|pseudobulk' });
}

/** `detectFormat`, plus a look at a Parquet file's columns: cells layout or pseudobulk table. */
export async function resolveFormat(input: string, format: 'auto' | InputFormat = 'auto'): Promise<InputFormat> {
  if (format !== 'auto') return format;
  const f = detectFormat(input);
  if (f === 'parquet' && statSync(input).isFile()) {
    const cols = new Set(await parquetColumnNames(input));
    if (!(cols.has('gene_index') && cols.has('value'))) return 'pseudobulk';
  }
  return f;
}
