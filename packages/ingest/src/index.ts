/**
 * @gears-pipeline/ingest — raw Perturb-seq data (h5ad, 10x MatrixMarket + cell table, Parquet
 * cells table) → streamed cell chunks → per-condition statistics and the dataset directory;
 * pseudobulk tables (one mean / log-fold-change row per condition, no cells) → the same statistics.
 */
export { runIngest, openCellSource, DEFAULT_OUT_DIR, WRITER_THREAD_MIN_CELLS, LIBRARY_SIZE_COLUMNS, type IngestArgs, type IngestResult } from './lib/ingest.ts';
export type { CellSource, RawBlock } from './lib/source.ts';
export { detectFormat, resolveFormat, type InputFormat } from './lib/detect.ts';
export { openH5adSource, DEFAULT_GENE_COLUMNS, type H5adOptions } from './lib/h5ad/reader.ts';
export { openHdf5, createHdf5, checkHdf5File } from './lib/h5ad/open.ts';
export { openMtxSource, DEFAULT_BARCODE_COLUMNS, DEFAULT_METADATA_NAMES, type MtxOptions } from './lib/mtx/reader.ts';
export { openParquetSource } from './lib/parquet-source.ts';
export { readMetadataTable, type MetadataTable } from './lib/table.ts';
export { parseObsFilter, obsFilterValues, type ObsFilter } from './lib/obs-filter.ts';
export { planCells, DEFAULT_CONDITION_COLUMNS, type CellPlan, type ConditionOptions } from './lib/conditions.ts';
export { cellChunks, cellChunks$, DEFAULT_CHUNK_SIZE, type ChunkOptions } from './lib/chunks.ts';
export { pullObservable } from './lib/pull.ts';
export { readCellChunks, readCellChunks$, rowsToChunk, type ReadCellsOptions } from './lib/cells-reader.ts';
export { looksLikeCounts, normalizeCounts, validateBlock, TARGET_SUM, COUNT_DETECTION_CELLS, type NormalizeMode } from './lib/normalize.ts';
export { MomentAccumulator, mergeMoment, mergeMoments, takeConditions, type Moments } from './lib/stats/moments.ts';
export { duckdbMoments, conditionGeneStatsSql, CONDITION_GENE_STATS_SQL_PATH, INGEST_ENGINES, type IngestEngine, type DuckdbMomentsArgs } from './lib/duckdb-engine.ts';
export { welchT, rankByAbsT, rankByAbsDelta } from './lib/stats/de.ts';
export { GeneSumAccumulator, highlyVariableGenes, HVG_BINS, type HvgResult } from './lib/stats/hvg.ts';
export { accumulateStats, accumulateStats$, buildDatasetStats } from './lib/stats/dataset.ts';
export { replaceDirectory } from './lib/output.ts';
export { readPseudobulkStats, readPseudobulk, LFC_CONTROL_TOLERANCE, type PseudobulkTable } from './lib/pseudobulk/read.ts';
export { PSEUDOBULK_CONDITION_COLUMNS, N_CELLS_COLUMNS, KNOWN_METADATA_COLUMNS, type PseudobulkOptions, type PseudobulkKind } from './lib/pseudobulk/options.ts';
export * from './lib/simulate/index.ts';
export { writeH5ad, type H5adSpec } from './lib/h5ad/write.ts';
export { writePredictionsH5ad, type PredictionsH5adSpec } from './lib/h5ad/predictions-writer.ts';
export { pythonWithAnndata, ANNDATA_SKIP_MESSAGE } from './lib/anndata-python.ts';
