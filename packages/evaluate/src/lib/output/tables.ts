/**
 * Parquet outputs of the evaluate stage (through core's ParquetTableWriter, atomic):
 *   predictions.parquet  condition, gene, predicted_mean, predicted_delta, observed_mean,
 *                        observed_delta, is_top20_de, split, subgroup, model
 *   metrics.parquet      condition, split, subgroup, model, metric, value, n_conditions
 *   gi.parquet           combination, model, c1, c2, mag, dominance, corr_fit, dcor,
 *                        dcor_singles, dcor_first, dcor_second, eq_contr, gi_type, n_genes
 * With `partitionByModel`, each table is instead a Hive-style directory
 * `<table>/model=<name>/part-0.parquet` (the model column then lives in the path only), which
 * Spark, DuckDB (`hive_partitioning=true`) and Athena read as one partitioned table.
 */
import { join } from 'node:path';
import { ParquetTableWriter, conditionGeneLists, row, type DatasetStats, type ParquetColumnSpec } from '@gears-pipeline/core';
import type { EvaluateResult } from '../evaluate.ts';
import { GI_SCORE_NAMES } from '../gi/scores.ts';

export const PREDICTIONS_COLUMNS: ParquetColumnSpec[] = [
  { name: 'condition', type: 'STRING' },
  { name: 'gene', type: 'STRING' },
  { name: 'predicted_mean', type: 'DOUBLE' },
  { name: 'predicted_delta', type: 'DOUBLE' },
  { name: 'observed_mean', type: 'DOUBLE' },
  { name: 'observed_delta', type: 'DOUBLE' },
  { name: 'is_top20_de', type: 'BOOLEAN' },
  { name: 'split', type: 'STRING' },
  { name: 'subgroup', type: 'STRING' },
  { name: 'model', type: 'STRING' },
];

export const METRICS_COLUMNS: ParquetColumnSpec[] = [
  { name: 'condition', type: 'STRING' },
  { name: 'split', type: 'STRING' },
  { name: 'subgroup', type: 'STRING' },
  { name: 'model', type: 'STRING' },
  { name: 'metric', type: 'STRING' },
  { name: 'value', type: 'DOUBLE' },
  { name: 'n_conditions', type: 'INT32' },
];

export const GI_COLUMNS: ParquetColumnSpec[] = [
  { name: 'combination', type: 'STRING' },
  { name: 'model', type: 'STRING' },
  ...GI_SCORE_NAMES.map((name) => ({ name, type: 'DOUBLE' as const })),
  { name: 'gi_type', type: 'STRING' },
  { name: 'n_genes', type: 'INT32' },
];

export const OUTPUT_TABLES = { predictions: 'predictions', metrics: 'metrics', gi: 'gi' } as const;

export interface TableWriteOptions {
  partitionByModel?: boolean;
}

/** Written file (relative to the output directory) → rows. */
export type WrittenFiles = Map<string, number>;

/**
 * Writes one table, either as `<name>.parquet` or partitioned by model. `rowsFor(model)` yields
 * column batches for one model, so predictions stream model by model and condition by condition.
 */
function writeTable(
  outDir: string,
  name: string,
  columns: ParquetColumnSpec[],
  models: string[],
  batches: (model: string) => Iterable<Record<string, ArrayLike<unknown>>>,
  opts: TableWriteOptions,
  written: WrittenFiles,
): void {
  const groups = opts.partitionByModel ? models.map((m) => [m]) : [models];
  const cols = opts.partitionByModel ? columns.filter((c) => c.name !== 'model') : columns;
  for (const group of groups) {
    const rel = opts.partitionByModel ? join(name, `model=${group[0]}`, 'part-0.parquet') : `${name}.parquet`;
    const w = new ParquetTableWriter(join(outDir, rel), cols);
    try {
      for (const model of group) for (const b of batches(model)) w.write(b);
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    written.set(rel, w.rowCount);
  }
}

export function writeEvaluationTables(outDir: string, stats: DatasetStats, result: EvaluateResult, opts: TableWriteOptions = {}): WrittenFiles {
  const written: WrittenFiles = new Map();
  const G = stats.genes.length;
  const genes = stats.genes.map((g) => g.gene);
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const control = result.context.control;
  const models = result.predictions.map((p) => p.model);
  const modelOf = new Map(result.predictions.map((p) => [p.model, p]));

  writeTable(outDir, OUTPUT_TABLES.predictions, PREDICTIONS_COLUMNS, models, function* (model) {
    const p = modelOf.get(model)!;
    for (const e of result.evaluated) {
      const pred = p.mean.get(e.condition);
      if (!pred) continue;
      const c = ci.get(e.condition)!;
      const obs = row(stats.mean, c, G);
      const de = new Set(conditionGeneLists(stats, c).topDe20);
      yield {
        condition: new Array(G).fill(e.condition),
        gene: genes,
        predicted_mean: pred,
        predicted_delta: Float64Array.from(pred, (v, g) => v - control[g]),
        observed_mean: Float64Array.from(obs),
        observed_delta: Float64Array.from(obs, (v, g) => v - control[g]),
        is_top20_de: genes.map((_, g) => de.has(g)),
        split: new Array(G).fill(e.split),
        subgroup: new Array(G).fill(e.subgroup),
        model: new Array(G).fill(model),
      };
    }
  }, opts, written);

  const metricModels = [...new Set([...models, ...result.metrics.map((r) => r.model)])];
  writeTable(outDir, OUTPUT_TABLES.metrics, METRICS_COLUMNS, metricModels, function* (model) {
    const rows = result.metrics.filter((r) => r.model === model);
    if (rows.length === 0) return;
    yield {
      condition: rows.map((r) => r.condition),
      split: rows.map((r) => r.split),
      subgroup: rows.map((r) => r.subgroup),
      model: rows.map((r) => r.model),
      metric: rows.map((r) => r.metric),
      value: Float64Array.from(rows, (r) => r.value),
      n_conditions: Int32Array.from(rows, (r) => r.nConditions),
    };
  }, opts, written);

  const giModels = [...new Set(result.gi.rows.map((r) => r.model))];
  writeTable(outDir, OUTPUT_TABLES.gi, GI_COLUMNS, giModels.length ? giModels : ['observed'], function* (model) {
    const rows = result.gi.rows.filter((r) => r.model === model);
    if (rows.length === 0) return;
    const batch: Record<string, ArrayLike<unknown>> = {
      combination: rows.map((r) => r.combination),
      model: rows.map((r) => r.model),
      gi_type: rows.map((r) => r.giType),
      n_genes: Int32Array.from(rows, (r) => r.nGenes),
    };
    for (const s of GI_SCORE_NAMES) batch[s] = Float64Array.from(rows, (r) => r.scores[s]);
    yield batch;
  }, opts, written);
  return written;
}
