/**
 * A block of cells as every reader emits it and every consumer (statistics, co-expression,
 * the per-cell trainer) takes it: CSR rows over the dataset's genes. Readers emit chunks of a
 * bounded number of cells, so memory follows the chunk size, not the file size.
 */
export interface CellChunk {
  /** cell barcodes / ids, one per row */
  cellIds: string[];
  /** canonical GEARS condition per cell (`ctrl`, `A+ctrl`, `A+B`) */
  conditions: string[];
  /** number of genes (columns) */
  nGenes: number;
  /** CSR row pointer, length cells + 1 */
  indptr: Int32Array;
  /** column (gene) index per stored value */
  indices: Int32Array;
  /** expression per stored value */
  values: Float32Array;
  /** per-cell total counts before normalisation, when known (else NaN) */
  librarySize?: Float64Array;
}

export function chunkCellCount(c: CellChunk): number {
  return c.indptr.length - 1;
}
