/**
 * `runEvaluate`: the file-level stage. Reads the dataset directory written by ingest, the split
 * and (optionally) a predictions Parquet, computes the baselines, metrics and GI scores, and
 * writes predictions.parquet, metrics.parquet, gi.parquet, report.html and manifest.json into
 * the output directory (each file atomically; the manifest last).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  DATASET_FILES,
  PACKAGE_VERSION,
  readManifest,
  GearsInputError,
  readDatasetStats,
  sha256File,
  sha256Json,
  silentLogger,
  writeFileAtomic,
  writeManifest,
  type DatasetStats,
  type Logger,
  type SplitAssignment,
} from '@gears-pipeline/core';
import { evaluate, evaluatedConditions, giCombinations, scoredModels, DEFAULT_EVAL_SPLITS, type EvaluateResult } from './evaluate.ts';
import { analyseGeneticInteractionsParallel } from './gi/parallel.ts';
import { cellValueNeeds, collectCellValues, type CellValues } from './metrics/cell-values.ts';
import { readCellChunks } from '@gears-pipeline/ingest';
import { readPredictionsParquet } from './io/predictions.ts';
import { readSplit } from './io/split.ts';
import { writeEvaluationTables } from './output/tables.ts';
import { buildReport, type ReportOptions } from './report/html.ts';
import type { ModelPredictions } from './types.ts';

export const REPORT_FILE = 'report.html';

export interface RunEvaluateArgs {
  /** dataset directory written by `gears ingest` */
  datasetDir: string;
  /** split file (JSON or Parquet, see io/split.ts) — or pass `split` */
  splitPath?: string;
  split?: SplitAssignment[];
  /** predictions Parquet from `gears predict` */
  predictionsPath?: string;
  /** predictions passed in directly (added to those read from predictionsPath) */
  predictions?: ModelPredictions[];
  outDir: string;
  /** file with one gene symbol per line restricting the GI δ vectors (GEARS' genes_with_hi_mean) */
  giGenesPath?: string;
  /** write Hive-style `<table>/model=<name>/part-0.parquet` directories instead of single files */
  partitionByModel?: boolean;
  /** splits to score (default test, val) */
  splits?: string[];
  /** skip the baselines (default: computed) */
  baselines?: boolean;
  reportTitle?: string;
  /**
   * read the dataset's cells.parquet (one streamed pass) for the per-cell range metrics
   * (frac_in_range*); default: when the file exists
   */
  cellMetrics?: boolean;
  /** worker threads for the GI fits (default: available cores, ≤ 8; 1 = this thread) */
  giThreads?: number;
}

export interface RunEvaluateResult extends EvaluateResult {
  outDir: string;
  files: Map<string, number>;
}

export async function runEvaluate(args: RunEvaluateArgs, log: Logger = silentLogger): Promise<RunEvaluateResult> {
  const started = new Date();
  const stats: DatasetStats = await readDatasetStats(args.datasetDir);
  let split = args.split;
  if (!split) {
    if (!args.splitPath) throw new GearsInputError({ file: '(arguments)', field: 'split', problem: 'no split given', fix: 'pass --split <file> (written by gears split)' });
    split = await readSplit(args.splitPath);
  }
  const genes = stats.genes.map((g) => g.gene);
  const predictions: ModelPredictions[] = [...(args.predictions ?? [])];
  if (args.predictionsPath) predictions.push(...(await readPredictionsParquet(args.predictionsPath, genes)));
  let giGeneSet: string[] | undefined;
  if (args.giGenesPath) {
    if (!existsSync(args.giGenesPath)) throw new GearsInputError({ file: args.giGenesPath, field: '(file)', problem: 'does not exist', fix: 'pass a text file with one gene symbol per line, or omit --gi-genes' });
    giGeneSet = readFileSync(args.giGenesPath, 'utf8').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  }
  log.info('evaluate.start', { conditions: stats.conditions.length, genes: genes.length, models: predictions.map((p) => p.model) });
  const cellsPath = join(args.datasetDir, DATASET_FILES.cells);
  let cellValues: CellValues | undefined;
  if (args.cellMetrics ?? existsSync(cellsPath)) {
    const evalSplits = new Set(args.splits ?? DEFAULT_EVAL_SPLITS);
    const needs = cellValueNeeds(stats, split.filter((s) => evalSplits.has(s.split)).map((s) => s.condition));
    cellValues = await collectCellValues(readCellChunks(args.datasetDir), needs);
    log.info('evaluate.cells_read', { conditions: cellValues.size });
  }
  // baselines first, so the GI fits of every model can run on worker threads before scoring
  const models = scoredModels({ stats, split, predictions, baselines: args.baselines });
  const gi = await analyseGeneticInteractionsParallel({
    stats,
    combinations: giCombinations(evaluatedConditions(stats, split, args.splits)),
    predictions: models,
    geneSet: giGeneSet,
    threads: args.giThreads,
    log,
  });
  const result = evaluate({ stats, split, predictions: models, baselines: false, splits: args.splits, giGeneSet, cellValues, gi });
  for (const m of result.missing) log.warn('evaluate.missing_prediction', m);
  for (const s of result.gi.skipped) log.warn('evaluate.gi_skipped', s);
  for (const p of result.predictions) for (const [condition, flag] of p.flags ?? []) log.info('evaluate.baseline_flag', { model: p.model, condition, flag });

  const files = writeEvaluationTables(args.outDir, stats, result, { partitionByModel: args.partitionByModel });
  // the predict stage records which form predicted which kind of condition (composition auto)
  const forms = args.predictionsPath ? (readManifest(dirname(args.predictionsPath))?.notes as { forms?: ReportOptions['forms'] } | undefined)?.forms : undefined;
  writeFileAtomic(join(args.outDir, REPORT_FILE), buildReport(stats, result, { title: args.reportTitle, forms }));
  files.set(REPORT_FILE, 1);

  const inputs: Record<string, string> = {};
  for (const f of [DATASET_FILES.genes, DATASET_FILES.conditions, DATASET_FILES.stats]) {
    const p = join(args.datasetDir, f);
    if (existsSync(p)) inputs[`dataset/${f}`] = await sha256File(p);
  }
  inputs.split = args.splitPath ? await sha256File(args.splitPath) : sha256Json(split);
  if (args.predictionsPath) inputs.predictions = await sha256File(args.predictionsPath);
  if (args.giGenesPath) inputs.gi_genes = await sha256File(args.giGenesPath);
  const outputs: Record<string, { rows?: number; sha256: string }> = {};
  for (const [rel, rows] of files) outputs[rel] = { rows, sha256: await sha256File(join(args.outDir, rel)) };
  const finished = new Date();
  writeManifest(args.outDir, {
    stage: 'evaluate',
    version: PACKAGE_VERSION,
    config: { splits: args.splits ?? ['test', 'val'], cellMetrics: cellValues !== undefined, partitionByModel: Boolean(args.partitionByModel), baselines: args.baselines !== false, models: result.predictions.map((p) => p.model) },
    inputs,
    outputs,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    notes: { evaluated: result.evaluated.length, giCombinations: new Set(result.gi.rows.map((r) => r.combination)).size, missing: result.missing.length },
  });
  log.info('evaluate.done', { outDir: args.outDir, files: [...files.keys()] });
  return { ...result, outDir: args.outDir, files };
}
