/**
 * `runEvaluate`: the file-level stage. Reads the dataset directory written by ingest, the split
 * and (optionally) a predictions Parquet, computes the baselines, metrics and GI scores, and
 * writes predictions.parquet, metrics.parquet, metrics_summary.parquet, gi.parquet,
 * gi_precision.parquet, report.html and manifest.json into
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
  readParquetColumns,
  sha256File,
  sha256Json,
  deterministicRunId,
  silentLogger,
  writeFileAtomic,
  writeManifest,
  type DatasetStats,
  type Logger,
  type SplitAssignment,
} from '@gears-pipeline/core';
import { evaluate, evaluatedConditions, giCombinations, scoredModels, DEFAULT_EVAL_SPLITS, type EvaluateResult } from './evaluate.ts';
import { analyseGeneticInteractionsParallel } from './gi/parallel.ts';
import { MIN_GI_GENES } from './gi/analysis.ts';
import { cellValueNeeds, collectCellValues, type CellValues } from './metrics/cell-values.ts';
import { readCellChunks } from '@gears-pipeline/ingest';
import { readPredictionsParquet } from './io/predictions.ts';
import { readSplit } from './io/split.ts';
import { writeEvaluationTables } from './output/tables.ts';
import { buildReport, type ReportOptions, type TrainingHistoryRow } from './report/html.ts';
import { PREDICTIONS_H5AD_FILE, writeEvaluationH5ad } from './output/h5ad.ts';
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
  /** model/training_history.parquet of the model under evaluation: the report draws the training curve */
  trainingHistoryPath?: string;
  /** run identifier written into every table row (default: derived from the input hashes and settings) */
  runId?: string;
  /** worker threads for the GI fits (default: available cores, ≤ 8; 1 = this thread) */
  giThreads?: number;
}

export interface RunEvaluateResult extends EvaluateResult {
  outDir: string;
  files: Map<string, number>;
}

async function readTrainingHistory(path: string): Promise<TrainingHistoryRow[]> {
  const t = await readParquetColumns(path, ['epoch', 'train_loss', 'val_mse', 'val_mse_de']);
  return t.epoch.map((e, i) => ({ epoch: Number(e), trainLoss: Number(t.train_loss[i]), valMse: Number(t.val_mse[i]), valMseDe: Number(t.val_mse_de[i]) }));
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
  // baselines first, so the GI fits of every model run on worker threads while this thread reads
  // the cells (the two are independent; in sequence they were the stage's two longest waits)
  const models = scoredModels({ stats, split, predictions, baselines: args.baselines });
  const giRun = analyseGeneticInteractionsParallel({
    stats,
    combinations: giCombinations(evaluatedConditions(stats, split, args.splits)),
    predictions: models,
    geneSet: giGeneSet,
    threads: args.giThreads,
    log,
  });
  let cellValues: CellValues | undefined;
  try {
    if (args.cellMetrics ?? existsSync(cellsPath)) {
      const evalSplits = new Set(args.splits ?? DEFAULT_EVAL_SPLITS);
      const needs = cellValueNeeds(stats, split.filter((s) => evalSplits.has(s.split)).map((s) => s.condition));
      cellValues = await collectCellValues(readCellChunks(args.datasetDir), needs);
      log.info('evaluate.cells_read', { conditions: cellValues.size });
    }
  } catch (e) {
    await giRun.catch(() => undefined); // let the workers finish before reporting the read error
    throw e;
  }
  const gi = await giRun;
  const result = evaluate({ stats, split, predictions: models, baselines: false, splits: args.splits, giGeneSet, cellValues, gi });
  for (const m of result.missing) log.warn('evaluate.missing_prediction', m);
  // one line per reason, not per condition: a default run has dozens of identical reasons
  for (const [reason, combos] of groupBy(result.gi.skipped, (s) => withoutGeneNames(s.reason), (s) => s.combination)) {
    log.warn('evaluate.gi_skipped', { reason, combinations: combos.length, examples: examples(combos) });
  }
  const gs = result.gi.geneSet;
  if (gs?.fellBack) {
    log.warn('evaluate.gi_genes_fallback', { file: args.giGenesPath, listed: gs.listed, measured: gs.measured, minimum: MIN_GI_GENES, using: 'all genes', fix: 'pass a --gi-genes list that matches the dataset\'s genes (e.g. highly expressed genes of this dataset)' });
  }
  for (const p of result.predictions) {
    for (const [flag, conditions] of groupBy(p.flags ?? [], ([, f]) => withoutGeneNames(f), ([c]) => c)) {
      log.info('evaluate.baseline_flag', { model: p.model, flag, conditions: conditions.length, examples: examples(conditions) });
    }
  }

  const inputs: Record<string, string> = {};
  for (const f of [DATASET_FILES.genes, DATASET_FILES.conditions, DATASET_FILES.stats]) {
    const p = join(args.datasetDir, f);
    if (existsSync(p)) inputs[`dataset/${f}`] = await sha256File(p);
  }
  inputs.split = args.splitPath ? await sha256File(args.splitPath) : sha256Json(split);
  if (args.predictionsPath) inputs.predictions = await sha256File(args.predictionsPath);
  if (args.giGenesPath) inputs.gi_genes = await sha256File(args.giGenesPath);
  if (args.trainingHistoryPath && existsSync(args.trainingHistoryPath)) inputs.training_history = await sha256File(args.trainingHistoryPath);
  const config = { splits: args.splits ?? ['test', 'val'], cellMetrics: cellValues !== undefined, partitionByModel: Boolean(args.partitionByModel), baselines: args.baselines !== false, models: result.predictions.map((p) => p.model) };
  // deterministic: the same inputs and settings give the same id (and byte-identical tables)
  const runId = args.runId ?? deterministicRunId({ stage: 'evaluate', inputs, config });

  const files = writeEvaluationTables(args.outDir, stats, result, { partitionByModel: args.partitionByModel, runId });
  // the predict stage records which form predicted which kind of condition (composition auto)
  const forms = args.predictionsPath ? (readManifest(dirname(args.predictionsPath))?.notes as { forms?: ReportOptions['forms'] } | undefined)?.forms : undefined;
  const h5adRows = await writeEvaluationH5ad(join(args.outDir, PREDICTIONS_H5AD_FILE), stats, split, result.predictions);
  if (h5adRows > 0) files.set(PREDICTIONS_H5AD_FILE, h5adRows);
  const history = args.trainingHistoryPath && existsSync(args.trainingHistoryPath) ? await readTrainingHistory(args.trainingHistoryPath) : undefined;
  writeFileAtomic(join(args.outDir, REPORT_FILE), buildReport(stats, result, { title: args.reportTitle, history, forms }));
  files.set(REPORT_FILE, 1);

  const outputs: Record<string, { rows?: number; sha256: string }> = {};
  for (const [rel, rows] of files) outputs[rel] = { rows, sha256: await sha256File(join(args.outDir, rel)) };
  const finished = new Date();
  writeManifest(args.outDir, {
    stage: 'evaluate',
    version: PACKAGE_VERSION,
    config,
    inputs,
    outputs,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    notes: { runId, evaluated: result.evaluated.length, giCombinations: new Set(result.gi.rows.map((r) => r.combination)).size, missing: result.missing.length },
  });
  log.info('evaluate.done', { outDir: args.outDir, files: [...files.keys()] });
  return { ...result, outDir: args.outDir, files };
}

/** Groups items by a key, keeping the given value of each, in first-seen order. */
function groupBy<T>(items: Iterable<T>, key: (t: T) => string, value: (t: T) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(value(t));
    else out.set(k, [value(t)]);
  }
  return out;
}

/** At most 8 names, then how many more: enough to find them, short enough for one log line. */
function examples(names: readonly string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

/** A reason with its gene / condition names replaced by `…`, so conditions failing the same way group together. */
export function withoutGeneNames(reason: string): string {
  return reason.replace(/(no training single for |perturbed gene\(s\) |observed )([^:]+?)(?= missing|: | not measured|$)/g, '$1…');
}
