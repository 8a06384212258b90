/**
 * `runIngest`: raw Perturb-seq data → the dataset directory every later stage reads.
 *
 * Passes over the expression (each streamed, a chunk of cells at a time):
 * 1. a sample of the first ≈10,000 cells decides raw counts vs log-normalised (--normalize auto);
 * 2. with --hvg N: per-gene sums of expm1(x) for the Seurat-flavour dispersion (scanpy's default);
 * 3. the statistics pass: per (condition, gene) moments, and cells.parquet written alongside.
 * Without --hvg the second pass is skipped. Memory: one chunk of cells plus [conditions × genes]
 * float64 accumulators plus per-cell metadata strings.
 */
import { copyFileSync, statSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DATASET_FILES,
  GearsInputError,
  GearsUsageError,
  PACKAGE_VERSION,
  sha256File,
  silentLogger,
  writeDatasetStats,
  writeManifest,
  type DatasetStats,
  type GeneInfo,
  type Logger,
  type StageManifest,
} from '@gears-pipeline/core';
import { cellChunks, DEFAULT_CHUNK_SIZE } from './chunks.ts';
import { planCells, type CellPlan } from './conditions.ts';
import { checkGeneNames } from './genes.ts';
import { resolveFormat, type InputFormat } from './detect.ts';
import { openH5adSource } from './h5ad/reader.ts';
import { openMtxSource } from './mtx/reader.ts';
import { COUNT_DETECTION_CELLS, TARGET_SUM, looksLikeCounts, type NormalizeMode } from './normalize.ts';
import { InlineCellsWriter, describeOutputs, replaceDirectory, temporaryDir } from './output.ts';
import { ThreadedCellsWriter } from './cells-writer.ts';
import { openParquetSource } from './parquet-source.ts';
import type { CellSource } from './source.ts';
import { buildDatasetStats } from './stats/dataset.ts';
import { runPseudobulkIngest } from './pseudobulk/ingest.ts';
import type { PseudobulkDuplicates, PseudobulkKind } from './pseudobulk/options.ts';
import { GeneSumAccumulator, highlyVariableGenes } from './stats/hvg.ts';
import { MomentAccumulator, takeConditions, type Moments } from './stats/moments.ts';
import type { MomentSpec } from './cells-writer.ts';
import { duckdbMoments, INGEST_ENGINES, type IngestEngine } from './duckdb-engine.ts';
import type { ObsFilter } from './obs-filter.ts';

export const DEFAULT_OUT_DIR = 'gears-out/dataset';
/**
 * Share of the cells whose moments the main thread accumulates while the writer thread encodes
 * cells.parquet (and accumulates the rest), per input format: what balanced the two threads in
 * node --cpu-prof of the 100,000-cell benchmark. Reading a Parquet cells table (inflating and
 * decoding its pages) already keeps the main thread the busier one.
 */
export const MAIN_MOMENT_SHARE: Record<CellSource['format'], number> = { h5ad: 0.5, mtx: 0.5, parquet: 0 };
/** below this many cells the writer thread's start-up (≈1 s) costs more than it saves */
export const WRITER_THREAD_MIN_CELLS = 20_000;
/** obs columns used as library size when the input is already normalised */
export const LIBRARY_SIZE_COLUMNS = ['ncounts', 'n_counts', 'total_counts', 'nCount_RNA', 'UMI_count'];

export interface IngestArgs {
  /** .h5ad file, 10x directory / matrix.mtx[.gz], cells.parquet (directory or file), or a pseudobulk table (.tsv/.csv[.gz]/.parquet) */
  input: string;
  /** dataset directory to write (replaced atomically); default gears-out/dataset */
  outDir?: string;
  format?: 'auto' | InputFormat;
  /** 10x input: the cell-metadata table (TSV/CSV/Parquet) */
  cellMetadata?: string;
  /** 10x input: the barcode column of the cell-metadata table */
  barcodeColumn?: string;
  conditionColumn?: string;
  controlLabels?: string[];
  separator?: string;
  /** keep only cells whose metadata equals these values, e.g. { dataset: 'norman19' } */
  obsFilter?: ObsFilter;
  normalize?: NormalizeMode;
  /** number of highly variable genes to keep (plus perturbed genes); 0 or absent = all genes */
  hvg?: number;
  /** genes to keep in addition to the HVGs; an unknown name is an error */
  keepGenes?: string[];
  /** var column (h5ad) or 'id'/'symbol' (10x features) for gene names */
  geneColumn?: string;
  /** h5ad: read `layers/<name>` instead of X, e.g. 'counts' */
  layer?: string;
  /** h5ad: read raw/X and raw/var (adata.raw) instead of X and var */
  useRaw?: boolean;
  chunkSize?: number;
  minCells?: number;
  /** 10x input: bytes an MTX file not sorted by cell may use in memory while it is put in cell order; above it, an external sort on disk (default 512 MiB) */
  mtxSortBudget?: number;
  /** write cells.parquet on a worker thread; default: when there are ≥ WRITER_THREAD_MIN_CELLS cells */
  writerThread?: boolean;
  /** pseudobulk tables: values are log fold changes (`lfc`), mean expression (`mean`) or decided from the control row (`auto`, default) */
  pseudobulkKind?: PseudobulkKind;
  /** pseudobulk tables: column with each row's cell count (default n_cells when present, else 1 cell per row) */
  nCellsColumn?: string;
  /** pseudobulk tables: exactly these columns are genes (default: every numeric column that is not metadata) */
  geneColumns?: string[];
  /** pseudobulk tables: replicate rows of one condition are averaged (`average`, default) or refused (`error`) */
  pseudobulkDuplicates?: PseudobulkDuplicates;
  /**
   * what computes the statistics: the built-in streaming accumulator (default), or DuckDB running
   * sql/condition_gene_stats.sql over a Parquet cells table (optional package @duckdb/node-api)
   */
  engine?: IngestEngine;
  /** pseudobulk tables: columns that are metadata even when numeric */
  metadataColumns?: string[];
}

export interface IngestResult {
  outDir: string;
  /** the input format read */
  format: InputFormat;
  /** pseudobulk input: the kind the values were read as */
  pseudobulkKind?: 'lfc' | 'mean';
  /** cells ingested (0 for a pseudobulk table) */
  nCells: number;
  nGenes: number;
  nConditions: number;
  /** true when raw counts were normalised (1e4 + log1p) */
  normalized: boolean;
  conditionColumn: string;
  unmeasuredGenes: string[];
  seconds: number;
  manifest: StageManifest;
  stats: DatasetStats;
}

/** where each format's gene names come from, for messages */
const GENE_NAME_FIELD: Record<CellSource['format'], string> = { h5ad: 'var (gene names)', mtx: 'features.tsv (gene names)', parquet: 'genes.parquet gene' };

/** Opens the input in its format as a CellSource. */
export async function openCellSource(args: IngestArgs, log: Logger = silentLogger, tempDir?: string): Promise<CellSource> {
  const format = await resolveFormat(args.input, args.format ?? 'auto');
  if (format === 'pseudobulk') throw new GearsUsageError(`${args.input} is a pseudobulk table (no cells); read it with runIngest or readPseudobulkStats`);
  if (format === 'h5ad') return openH5adSource(args.input, { geneColumn: args.geneColumn, layer: args.layer, useRaw: args.useRaw });
  if (format === 'mtx') return openMtxSource(args.input, { cellMetadata: args.cellMetadata, barcodeColumn: args.barcodeColumn, geneColumn: args.geneColumn, sortBudget: args.mtxSortBudget, tempDir }, log);
  if (format === 'parquet') return openParquetSource(args.input);
  throw new GearsUsageError(`unknown --format ${String(format)} (expected auto, h5ad, mtx, parquet or pseudobulk)`);
}

function inputFiles(source: CellSource, args: IngestArgs): string[] {
  const files = new Set<string>([source.file]);
  if (source.format === 'mtx') {
    const dir = resolve(source.file, '..');
    for (const n of readdirSync(dir)) if (/^(.*features|.*genes|.*barcodes)\.tsv(\.gz)?$/.test(n)) files.add(join(dir, n));
    files.add(source.metadataFile);
  }
  if (source.format === 'parquet') files.add(join(resolve(source.file, '..'), DATASET_FILES.genes));
  if (args.cellMetadata) files.add(args.cellMetadata);
  return [...files].filter((f) => statSync(f).isFile()).sort();
}

/**
 * One look at the first ≈10,000 ingested cells: are they raw counts (every stored value a
 * non-negative integer)? And per-gene means of the values as they will be after normalisation
 * (both ways), the shift that keeps the streamed moments numerically stable.
 */
interface CellSample {
  counts: boolean;
  cells: number;
  /** per gene: mean of the stored values */
  meanAsStored: Float64Array;
  /** per gene: mean of log1p(1e4 · x / library size) */
  meanNormalized: Float64Array;
}

async function sampleCells(source: CellSource, plan: CellPlan, chunkSize: number): Promise<CellSample> {
  const G = source.genes.length;
  const raw = new Float64Array(G);
  const norm = new Float64Array(G);
  let counts = true;
  let cells = 0;
  for await (const b of source.blocks(chunkSize)) {
    const rows = b.indptr.length - 1;
    for (let r = 0; r < rows; r++) {
      if (plan.cellCondition[b.start + r] < 0) continue;
      const lo = b.indptr[r];
      const hi = b.indptr[r + 1];
      if (counts && !looksLikeCounts(b.values.subarray(lo, hi))) counts = false;
      let lib = 0;
      for (let k = lo; k < hi; k++) lib += b.values[k];
      const f = lib > 0 ? TARGET_SUM / lib : 0;
      for (let k = lo; k < hi; k++) {
        const v = b.values[k];
        if (!(v >= 0 && v < Infinity)) continue; // reported by the main pass
        raw[b.indices[k]] += v;
        norm[b.indices[k]] += Math.log1p(v * f);
      }
      cells++;
    }
    if (cells >= COUNT_DETECTION_CELLS) break;
  }
  const d = Math.max(1, cells);
  return { counts: counts && cells > 0, cells, meanAsStored: raw.map((x) => x / d), meanNormalized: norm.map((x) => x / d) };
}

/**
 * Runs the ingest stage.
 * @example await runIngest({ input: 'data/norman2019-devel/devel.h5ad', outDir: 'out/dataset', obsFilter: { dataset: 'norman19' } });
 */
export async function runIngest(args: IngestArgs, log: Logger = silentLogger): Promise<IngestResult> {
  const t0 = Date.now();
  const startedAt = new Date(t0).toISOString();
  const outDir = resolve(args.outDir ?? DEFAULT_OUT_DIR);
  const chunkSize = args.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!(chunkSize >= 1)) throw new GearsUsageError(`--chunk-size must be a positive integer, got ${args.chunkSize}`);
  const format = await resolveFormat(args.input, args.format ?? 'auto');
  if (format === 'pseudobulk') return runPseudobulkIngest(args, outDir, log);
  // an MTX file not in cell order is sorted on disk beside the output when it exceeds its memory budget
  const opened = await openCellSource({ ...args, format }, log, temporaryDir(outDir, 'mtx-sort'));
  let source = opened;
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = (Date.now() - since) / 1000);
  try {
    log.info('ingest.open', { file: source.file, format: source.format, cells: source.nCells, genes: source.genes.length });
    const plan = planCells(source, args, log);
    const names = checkGeneNames(source.file, GENE_NAME_FIELD[source.format], source.genes, new Set(plan.conditions.flatMap((c) => c.genes)), log);
    if (names.renamed.length > 0) source = { ...source, genes: names.genes };
    warnSuspicious(source, plan, log);
    log.info('ingest.conditions', { column: plan.conditionColumn, conditions: plan.conditions.length, cells: plan.nKept });

    const mode = args.normalize ?? 'auto';
    let t = Date.now();
    const sample = await sampleCells(source, plan, chunkSize);
    const counts = mode === 'counts' ? true : mode === 'none' ? false : sample.counts;
    lap('sample', t);
    log.info('ingest.expression', { normalize: mode, rawCounts: counts, action: counts ? 'normalise each cell to 1e4, then log1p' : 'use values as stored (log-normalised)' });

    const G0 = source.genes.length;
    const geneIndex = new Map<string, number>();
    source.genes.forEach((g, i) => {
      if (!geneIndex.has(g)) geneIndex.set(g, i);
    });
    const unknownKeep = (args.keepGenes ?? []).filter((g) => !geneIndex.has(g));
    if (unknownKeep.length > 0) {
      throw new GearsInputError({ file: source.file, field: 'genes', problem: `--keep-gene names genes that are not measured: ${unknownKeep.join(', ')}`, fix: 'check the spelling against the gene names (var / features.tsv), or choose the gene-name column with --gene-column' });
    }
    let librarySize: Float64Array | undefined;
    if (!counts && source.numericMetadata) {
      for (const c of LIBRARY_SIZE_COLUMNS) {
        if (source.metadataColumns.includes(c) && (librarySize = source.numericMetadata(c))) break;
      }
    }
    const normalize = counts ? 'counts' : 'none';

    // gene selection
    const hvgN = args.hvg ?? 0;
    const engine = args.engine ?? 'builtin';
    if (engine === 'duckdb') requireDuckdbInput(source, counts, hvgN);
    else if (engine !== 'builtin') throw new GearsUsageError(`unknown --engine ${String(engine)} (expected ${INGEST_ENGINES.join(' or ')})`);
    let selected: Uint8Array = Uint8Array.from({ length: G0 }, () => 1);
    let hvgFlags: Uint8Array = new Uint8Array(G0);
    let dispNorm: Float64Array = new Float64Array(G0).fill(NaN);
    let shiftAll: Float64Array | undefined;
    if (hvgN > 0 && hvgN < G0) {
      t = Date.now();
      const sums = new GeneSumAccumulator(G0);
      for await (const chunk of cellChunks(source, plan, { chunkSize, normalize, librarySize })) {
        sums.add(chunk);
        log.progress('ingest: gene variability', sums.cells, plan.nKept, 'cells');
      }
      const hvg = highlyVariableGenes(sums.sum, sums.sumSq, sums.cells, hvgN);
      hvgFlags = hvg.highlyVariable;
      dispNorm = hvg.dispersionsNorm;
      selected = Uint8Array.from(hvgFlags);
      const forced = new Set([...plan.conditions.flatMap((c) => c.genes), ...(args.keepGenes ?? [])]);
      for (const g of forced) {
        const i = geneIndex.get(g);
        if (i !== undefined) selected[i] = 1;
      }
      shiftAll = Float64Array.from(sums.sumLog, (s) => s / Math.max(1, sums.cells));
      lap('hvg', t);
      log.info('ingest.hvg', { requested: hvgN, highlyVariable: hvgFlags.reduce((a, b) => a + b, 0), kept: selected.reduce((a, b) => a + b, 0) });
    } else if (hvgN < 0) {
      throw new GearsUsageError(`--hvg must be ≥ 0, got ${hvgN}`);
    }
    const geneMap = new Int32Array(G0).fill(-1);
    const kept: number[] = [];
    for (let g = 0; g < G0; g++) if (selected[g]) geneMap[g] = kept.push(g) - 1;
    const G = kept.length;
    const perturbed = new Set(plan.conditions.flatMap((c) => c.genes));

    // shift for numerically stable moments: the gene means (from the HVG pass or the sample)
    const sampleMean = counts ? sample.meanNormalized : sample.meanAsStored;
    const shift = Float64Array.from(kept, (g) => (shiftAll ? shiftAll[g] : sampleMean[g]));

    /**
     * Streams the cells into cells.parquet (and their moments, when asked) on the writer thread or
     * inline. With the writer thread, the main thread accumulates the moments of a share of the
     * conditions (MAIN_MOMENT_SHARE) before handing each chunk over, the writer the rest.
     */
    const streamCells = async (tmp: string, spec: MomentSpec | undefined): Promise<Moments | undefined> => {
      const threaded = args.writerThread ?? plan.nKept >= WRITER_THREAD_MIN_CELLS;
      const mainMask = threaded && spec ? conditionsForShare(plan, MAIN_MOMENT_SHARE[source.format]) : undefined;
      const mainAcc = spec && mainMask ? new MomentAccumulator(spec.conditions, spec.nGenes, spec.shift, mainMask) : undefined;
      const writerSpec = spec && mainMask ? { ...spec, only: mainMask.map((m) => 1 - m) } : spec;
      const cells = threaded ? new ThreadedCellsWriter(tmp, writerSpec) : new InlineCellsWriter(tmp, writerSpec);
      let done = 0;
      try {
        for await (const chunk of cellChunks(source, plan, { chunkSize, normalize, geneMap, nGenes: G, librarySize })) {
          done += chunk.cellIds.length;
          mainAcc?.add(chunk);
          await cells.write(chunk); // transfers the chunk's buffers to the writer thread
          log.progress('ingest: statistics', done, plan.nKept, 'cells');
        }
        await cells.close();
      } catch (e) {
        await cells.abort();
        throw e;
      }
      const written = cells.moments();
      return mainAcc && mainMask && written ? takeConditions(mainAcc.result(), written, mainMask) : written;
    };

    const result = await replaceDirectory(outDir, async (tmp) => {
      t = Date.now();
      let moments: Moments | undefined;
      if (engine === 'duckdb') {
        // the statistics in SQL; cells.parquet is the input table itself when nothing changes it
        const labels = duckdbLabels(source, plan);
        const unchanged = plan.nKept === source.nCells && [...labels].every(([l, c]) => l === c);
        if (unchanged) copyFileSync(source.file, join(tmp, DATASET_FILES.cells));
        else await streamCells(tmp, undefined);
        moments = await duckdbMoments({ cellsPath: source.file, labelColumn: plan.conditionColumn, conditionOfLabel: labels, conditions: plan.conditions.map((c) => c.name), nGenes: G });
      } else {
        // the moments are accumulated where cells.parquet is written (the writer thread for large inputs)
        moments = await streamCells(tmp, { conditions: plan.conditions.map((c) => c.name), nGenes: G, shift });
      }
      if (!moments) throw new Error('ingest: no moments were computed');
      lap('statistics', t);
      t = Date.now();
      const genes: GeneInfo[] = kept.map((g0, g) => {
        let s = 0;
        let n = 0;
        for (let c = 0; c < plan.conditions.length; c++) {
          s += moments.mean[c * G + g] * moments.n[c];
          n += moments.n[c];
        }
        return {
          gene: source.genes[g0],
          geneId: source.geneIds[g0] ?? source.genes[g0],
          mean: n > 0 ? s / n : 0,
          dispersionNorm: dispNorm[g0],
          highlyVariable: hvgFlags[g0] === 1,
          isPerturbed: perturbed.has(source.genes[g0]),
        };
      });
      const stats = buildDatasetStats(moments, plan.conditions, genes, source.metadataFile);
      writeDatasetStats(tmp, stats);
      lap('write', t);
      const inputs: Record<string, string> = {};
      for (const f of inputFiles(source, args)) inputs[f] = await sha256File(f);
      const outputs = await describeOutputs(tmp, Object.values(DATASET_FILES));
      const seconds = (Date.now() - t0) / 1000;
      const manifest: StageManifest = {
        stage: 'ingest',
        version: PACKAGE_VERSION,
        config: configOf(args, chunkSize),
        inputs,
        outputs,
        startedAt,
        finishedAt: new Date().toISOString(),
        seconds,
        notes: {
          format: source.format,
          conditionColumn: plan.conditionColumn,
          rawCounts: counts,
          cells: plan.nKept,
          genes: G,
          conditions: plan.conditions.length,
          unmeasuredPerturbedGenes: plan.unmeasuredGenes,
          renamedGenes: names.renamed,
          timings,
        },
      };
      writeManifest(tmp, manifest);
      return { stats, manifest, seconds };
    });
    log.info('ingest.done', { out: outDir, cells: plan.nKept, genes: G, conditions: plan.conditions.length, seconds: result.seconds });
    return {
      outDir,
      format: source.format,
      nCells: plan.nKept,
      nGenes: G,
      nConditions: plan.conditions.length,
      normalized: counts,
      conditionColumn: plan.conditionColumn,
      unmeasuredGenes: plan.unmeasuredGenes,
      seconds: result.seconds,
      manifest: result.manifest,
      stats: result.stats,
    };
  } finally {
    opened.close();
  }
}

/**
 * The conditions whose cells make up about `share` of the kept cells (taken in condition order
 * until the share is reached), as a 0/1 mask; undefined when the share is 0.
 */
function conditionsForShare(plan: CellPlan, share: number): Uint8Array | undefined {
  if (!(share > 0)) return undefined;
  const C = plan.conditions.length;
  const cells = new Float64Array(C);
  for (let i = 0; i < plan.cellCondition.length; i++) if (plan.cellCondition[i] >= 0) cells[plan.cellCondition[i]]++;
  const mask = new Uint8Array(C);
  let taken = 0;
  for (let c = 0; c < C && taken < share * plan.nKept; c++) {
    mask[c] = 1;
    taken += cells[c];
  }
  return mask;
}

/** --engine duckdb reads a Parquet cells table of normalised values, all genes kept. */
function requireDuckdbInput(source: CellSource, counts: boolean, hvg: number): void {
  if (source.format !== 'parquet') {
    throw new GearsUsageError(`--engine duckdb reads a Parquet cells table (cells.parquet with genes.parquet beside it), not ${source.format} (${source.file}); ingest it once with the built-in engine, or convert it to the cells-table layout`);
  }
  if (counts) {
    throw new GearsInputError({ file: source.file, field: 'value', problem: 'holds raw counts; --engine duckdb computes the statistics of normalised values as stored', fix: 'normalise first (the built-in engine does it: gears ingest without --engine), or pass --normalize none if the values are already log-normalised' });
  }
  if (hvg > 0) throw new GearsUsageError('--engine duckdb keeps every gene; drop --hvg, or select genes with the built-in engine');
}

/**
 * Condition label as stored → canonical condition, for every label whose cells are ingested. A
 * label whose cells are only partly kept (an --obs-filter on other columns) cannot be expressed
 * as a label mapping and is refused.
 */
function duckdbLabels(source: CellSource, plan: CellPlan): Map<string, string> {
  const labels = source.metadata(plan.conditionColumn)!;
  const out = new Map<string, string>();
  const dropped = new Set<string>();
  for (let i = 0; i < labels.length; i++) {
    const c = plan.cellCondition[i];
    if (c >= 0) out.set(labels[i], plan.conditions[c].name);
    else dropped.add(labels[i]);
  }
  for (const l of dropped) {
    if (out.has(l)) throw new GearsUsageError(`--engine duckdb ingests whole conditions: label ${l} has cells both kept and filtered out (--obs-filter); use the built-in engine`);
  }
  return out;
}

/** The options that change the output (what the manifest records and the cache compares). */
function configOf(a: IngestArgs, chunkSize: number): Record<string, unknown> {
  return {
    format: a.format ?? 'auto',
    conditionColumn: a.conditionColumn ?? null,
    controlLabels: a.controlLabels ?? null,
    separator: a.separator ?? '+',
    obsFilter: a.obsFilter ?? {},
    normalize: a.normalize ?? 'auto',
    hvg: a.hvg ?? 0,
    keepGenes: a.keepGenes ?? [],
    geneColumn: a.geneColumn ?? null,
    ...(a.layer ? { layer: a.layer } : {}),
    ...(a.useRaw ? { useRaw: true } : {}),
    barcodeColumn: a.barcodeColumn ?? null,
    minCells: a.minCells ?? 0,
    chunkSize,
    engine: a.engine ?? 'builtin',
  };
}

/** Accepted but worth a word: a non-unique gene-id index, cells without a single count. */
function warnSuspicious(source: CellSource, plan: CellPlan, log: Logger): void {
  const ids = new Set(source.geneIds);
  if (ids.size < source.geneIds.length) {
    const seen = new Set<string>();
    const dup = new Set(source.geneIds.filter((g) => (seen.has(g) ? true : (seen.add(g), false))));
    log.warn('ingest.gene_ids_not_unique', { file: source.file, field: source.format === 'h5ad' ? 'var index' : 'gene ids', duplicated: [...dup].slice(0, 20), count: dup.size, note: 'gene ids are recorded as read; gene names are what later stages match on' });
  }
  const empty = (source.emptyCells ?? []).filter((c) => plan.cellCondition[c] >= 0);
  if (empty.length > 0) {
    log.warn('ingest.cells_without_counts', { file: source.file, cells: empty.length, examples: empty.slice(0, 5).map((c) => source.cellIds[c]), note: 'these cells have no stored value at all; they are kept (library size 0, all genes 0): filter them out first if they are empty droplets' });
  }
}
