/**
 * What every reader (h5ad, 10x MatrixMarket, Parquet cells table) provides: the genes, per-cell
 * metadata held in memory (strings, one per cell: small next to the expression), and the
 * expression as blocks of consecutive cells in file order, read on demand. The ingest layer on top
 * (`chunks.ts`) filters cells, maps conditions, normalises and selects genes, identically for all
 * formats.
 */
export interface RawBlock {
  /** index of the first cell of the block in file order */
  start: number;
  /** CSR row pointer (cells + 1), relative to `indices` / `values` */
  indptr: Int32Array;
  /** gene index per stored value (0 … nGenes − 1) */
  indices: Int32Array;
  /** stored value, as read (raw counts or log-normalised) */
  values: Float32Array;
}

export interface CellSource {
  /** the file named in error messages */
  readonly file: string;
  readonly format: 'h5ad' | 'mtx' | 'parquet';
  /** number of cells in file order */
  readonly nCells: number;
  /** gene symbols (the chosen gene-name column) */
  readonly genes: string[];
  /** gene ids (the var index / features.tsv first column) */
  readonly geneIds: string[];
  /** cell barcodes / ids in file order */
  readonly cellIds: string[];
  /** names of per-cell metadata columns (obs columns / cell-metadata table columns) */
  readonly metadataColumns: string[];
  /** where the metadata columns live (for messages: `obs`, the cell table, …) */
  readonly metadataFile: string;
  /** one metadata column as strings (undefined when absent); missing values are '' */
  metadata(column: string): string[] | undefined;
  /** one metadata column as numbers, when numeric */
  numericMetadata?(column: string): Float64Array | undefined;
  /**
   * The expression in blocks of at most `blockCells` consecutive cells, in file order, read only
   * when the consumer asks for the next one. Can be iterated several times (one pass each).
   * Every block's arrays are new and handed over: the consumer may modify them in place or
   * transfer them to another thread (the ingest normalises in place and transfers them).
   */
  blocks(blockCells: number): AsyncIterable<RawBlock>;
  /** cells (file positions) with no stored value, when the reader knows it without a pass */
  readonly emptyCells?: number[];
  close(): void;
}
