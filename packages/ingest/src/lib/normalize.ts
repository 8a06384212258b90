/**
 * Expression normalisation as scanpy's `normalize_total(target_sum=1e4)` + `log1p`: each cell's
 * counts are scaled to sum to 1e4 (over all measured genes, before gene selection, as scanpy
 * does it before `highly_variable_genes(subset=True)`), then log(1 + x). Already log-normalised
 * input passes unchanged.
 */
import { GearsInputError } from '@gears-pipeline/core';
import type { RawBlock } from './source.ts';

export const TARGET_SUM = 1e4;
/** cells sampled (from the first blocks) to decide whether the input holds raw counts */
export const COUNT_DETECTION_CELLS = 10_000;

export type NormalizeMode = 'auto' | 'counts' | 'none';

/** True when every stored value is a non-negative integer (raw counts). */
export function looksLikeCounts(values: Float32Array): boolean {
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v < 0 || v !== Math.round(v)) return false;
  }
  return true;
}

/**
 * Rejects negative and non-finite values, naming the cell and gene; expression must be counts
 * or log-normalised counts, both ≥ 0.
 */
export function validateBlock(block: RawBlock, file: string, cellIds: string[], genes: string[], keep?: (cell: number) => boolean): void {
  const { indptr, values } = block;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v >= 0 && v < Infinity) continue;
    let r = 0;
    while (indptr[r + 1] <= k) r++;
    const cell = block.start + r;
    if (keep && !keep(cell)) continue; // cells filtered out are not ingested
    throw invalidValue(block, k, r, file, cellIds, genes);
  }
}

/** The error for stored value k (of block row r) that is negative or not finite. */
export function invalidValue(block: RawBlock, k: number, r: number, file: string, cellIds: string[], genes: string[]): GearsInputError {
  const v = block.values[k];
  const cell = block.start + r;
  return new GearsInputError({
    file,
    field: `expression of cell ${cellIds[cell] ?? cell} (row ${cell}), gene ${genes[block.indices[k]] ?? block.indices[k]}`,
    problem: `value ${v} is ${Number.isNaN(v) || !Number.isFinite(v) ? 'not finite' : 'negative'}; expression must be raw counts or log-normalised counts (≥ 0)`,
    fix: 'pass raw counts (or log1p of normalised counts), not scaled / centred data (e.g. use adata.raw or layers["counts"])',
  });
}

/**
 * In place: library size per cell (sum of counts over all genes) and log1p(count / size × 1e4).
 * Returns the library sizes.
 */
export function normalizeCounts(block: RawBlock): Float64Array {
  const { indptr, values } = block;
  const n = indptr.length - 1;
  const lib = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) s += values[k];
    lib[r] = s;
    const f = s > 0 ? TARGET_SUM / s : 0;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) values[k] = Math.log1p(values[k] * f);
  }
  return lib;
}
