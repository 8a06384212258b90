/**
 * Input format from the path: `.h5ad` / `.h5` → AnnData; `matrix.mtx[.gz]` or a directory holding
 * one → 10x MatrixMarket; `.parquet` or a directory holding `cells.parquet` → cells table.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { GearsInputError } from '@gears-pipeline/core';

export type InputFormat = 'h5ad' | 'mtx' | 'parquet';

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
    throw new GearsInputError({ file: input, field: '--input', problem: 'is a directory without matrix.mtx[.gz] or cells.parquet', fix: 'pass an .h5ad file, a 10x directory (matrix.mtx, features.tsv, barcodes.tsv) or a cells.parquet table, or set --format' });
  }
  if (/\.(h5ad|h5|hdf5)$/i.test(input)) return 'h5ad';
  if (/\.mtx(\.gz)?$/i.test(input)) return 'mtx';
  if (/\.(parquet|pq)$/i.test(input)) return 'parquet';
  throw new GearsInputError({ file: input, field: '--input', problem: 'has an extension the format cannot be guessed from', fix: 'set --format h5ad|mtx|parquet' });
}
