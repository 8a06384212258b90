/**
 * Parquet outputs of the evaluate stage, shaped for analysts and BI tools (through core's
 * ParquetTableWriter, atomic; columns and meanings in output/docs.ts):
 *   predictions.parquet      core's shared predictions schema (same as `gears predict` writes)
 *   metrics.parquet          one row per model × evaluated condition × metric (no aggregates,
 *                            so `avg(value) group by model, metric` is the per-condition mean)
 *   metrics_summary.parquet  the means per model × split × subgroup × metric, with n_conditions
 *   gi.parquet               GI scores per combination × model, one boolean column per GI type
 *   gi_precision.parquet     precision@k per model × GI type
 * Every table carries run_id and model_version; undefined values are NULL (never NaN); strings
 * are dictionary-encoded and row groups hold BI_ROW_GROUP_ROWS rows (one per small file).
 * With `partitionByModel`, each table is instead a Hive-style directory
 * `<table>/model=<name>/part-0.parquet` (the model column then lives in the path only), which
 * Spark, DuckDB (`hive_partitioning=true`) and Athena read as one partitioned table.
 */
import { join } from 'node:path';
import {
  BI_ROW_GROUP_ROWS,
  PREDICTIONS_TABLE_COLUMNS,
  ParquetTableWriter,
  conditionGeneLists,
  conditionGenes,
  repeated,
  row,
  scperturbName,
  type DatasetStats,
  type ParquetBatch,
  type ParquetColumnSpec,
} from '@gears-pipeline/core';
import type { EvaluateResult } from '../evaluate.ts';
import { GI_SCORE_NAMES } from '../gi/scores.ts';
import { GI_TYPES, giTypeFlags } from '../gi/types.ts';
import { OBSERVED_MODEL } from '../gi/analysis.ts';
import { AGGREGATE_CONDITION, BASELINE_VERSION, GI_CONDITION } from '../types.ts';

const dict = (name: string, nullable = false): ParquetColumnSpec => ({ name, type: 'STRING', dictionary: true, ...(nullable ? { nullable } : {}) });
const identity = [dict('run_id'), dict('model'), dict('model_version')];

export const PREDICTIONS_COLUMNS: ParquetColumnSpec[] = PREDICTIONS_TABLE_COLUMNS;

export const METRICS_COLUMNS: ParquetColumnSpec[] = [
  ...identity,
  dict('condition'),
  dict('perturbation'),
  dict('split'),
  dict('subgroup'),
  dict('metric'),
  { name: 'value', type: 'DOUBLE', nullable: true },
];

export const METRICS_SUMMARY_COLUMNS: ParquetColumnSpec[] = [
  ...identity,
  dict('split'),
  dict('subgroup'),
  dict('metric'),
  { name: 'value', type: 'DOUBLE', nullable: true },
  { name: 'n_conditions', type: 'INT32' },
];

/** GI type → its boolean column in gi.parquet. */
export const GI_TYPE_COLUMN = (type: string): string => `is_${type}`;

export const GI_COLUMNS: ParquetColumnSpec[] = [
  ...identity,
  dict('combination'),
  dict('perturbation'),
  ...GI_SCORE_NAMES.map((name) => ({ name, type: 'DOUBLE' as const, nullable: true })),
  ...GI_TYPES.map((t) => ({ name: GI_TYPE_COLUMN(t.type), type: 'BOOLEAN' as const, nullable: true })),
  { name: 'n_gi_genes', type: 'INT32' },
];

export const GI_PRECISION_COLUMNS: ParquetColumnSpec[] = [
  ...identity,
  dict('split'),
  dict('gi_type'),
  { name: 'k', type: 'INT32' },
  { name: 'n_true', type: 'INT32' },
  { name: 'n_combinations', type: 'INT32' },
  { name: 'precision', type: 'DOUBLE', nullable: true },
];

export const OUTPUT_TABLES = {
  predictions: 'predictions',
  metrics: 'metrics',
  metricsSummary: 'metrics_summary',
  gi: 'gi',
  giPrecision: 'gi_precision',
} as const;

/** model_version of predictions that came without one (e.g. passed in from another tool). */
export const UNVERSIONED = 'unversioned';

export interface TableWriteOptions {
  partitionByModel?: boolean;
  /** run identifier written into every row (see core deterministicRunId) */
  runId?: string;
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
  batches: (model: string) => Iterable<ParquetBatch>,
  opts: TableWriteOptions,
  written: WrittenFiles,
): void {
  const groups = opts.partitionByModel ? models.map((m) => [m]) : [models];
  const cols = opts.partitionByModel ? columns.filter((c) => c.name !== 'model') : columns;
  for (const group of groups) {
    const rel = opts.partitionByModel ? join(name, `model=${group[0]}`, 'part-0.parquet') : `${name}.parquet`;
    const w = new ParquetTableWriter(join(outDir, rel), cols, { rowGroupRows: BI_ROW_GROUP_ROWS });
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

/** One value for all n rows: the writer stores it once (core `repeated`). */
const fill = <T>(n: number, v: T) => repeated(v, n);

export function writeEvaluationTables(outDir: string, stats: DatasetStats, result: EvaluateResult, opts: TableWriteOptions = {}): WrittenFiles {
  const written: WrittenFiles = new Map();
  const runId = opts.runId ?? 'unknown';
  const G = stats.genes.length;
  const genes = stats.genes.map((g) => g.gene);
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const control = result.context.control;
  const models = result.predictions.map((p) => p.model);
  const modelOf = new Map(result.predictions.map((p) => [p.model, p]));
  const versionOf = (model: string) => modelOf.get(model)?.version ?? UNVERSIONED;
  const ident = (n: number, model: string) => ({ run_id: fill(n, runId), model: fill(n, model), model_version: fill(n, versionOf(model)) });

  // per evaluated condition, shared by every model: observed mean and change, top-20 DE flags
  const observedOf = new Map<string, { mean: Float64Array; delta: Float64Array; top20: Uint8Array }>();
  const observed = (condition: string) => {
    let o = observedOf.get(condition);
    if (!o) {
      const c = ci.get(condition)!;
      const mean = Float64Array.from(row(stats.mean, c, G));
      const delta = new Float64Array(G);
      for (let g = 0; g < G; g++) delta[g] = mean[g] - control[g];
      const top20 = new Uint8Array(G);
      for (const g of conditionGeneLists(stats, c).topDe20) top20[g] = 1;
      o = { mean, delta, top20 };
      observedOf.set(condition, o);
    }
    return o;
  };
  writeTable(outDir, OUTPUT_TABLES.predictions, PREDICTIONS_COLUMNS, models, function* (model) {
    const p = modelOf.get(model)!;
    for (const e of result.evaluated) {
      const pred = p.mean.get(e.condition);
      if (!pred) continue;
      const obs = observed(e.condition);
      const predictedDelta = new Float64Array(G);
      for (let g = 0; g < G; g++) predictedDelta[g] = pred[g] - control[g];
      yield {
        ...ident(G, model),
        condition: fill(G, e.condition),
        perturbation: fill(G, scperturbName(e.condition)),
        n_genes: fill(G, conditionGenes(e.condition).length),
        gene: genes,
        predicted_mean: pred,
        predicted_delta: predictedDelta,
        predicted_log_variance: fill(G, null),
        observed_mean: obs.mean,
        observed_delta: obs.delta,
        is_top20_de: Array.from(obs.top20, (v) => v === 1),
        split: fill(G, e.split),
        subgroup: fill(G, e.subgroup),
      };
    }
  }, opts, written);

  const perCondition = result.metrics.filter((r) => r.condition !== AGGREGATE_CONDITION && r.condition !== GI_CONDITION);
  const summary = result.metrics.filter((r) => r.condition === AGGREGATE_CONDITION);
  const metricModels = [...new Set([...models, ...result.metrics.map((r) => r.model)])];
  writeTable(outDir, OUTPUT_TABLES.metrics, METRICS_COLUMNS, metricModels, function* (model) {
    const rows = perCondition.filter((r) => r.model === model);
    if (rows.length === 0) return;
    yield {
      ...ident(rows.length, model),
      condition: rows.map((r) => r.condition),
      perturbation: rows.map((r) => scperturbName(r.condition)),
      split: rows.map((r) => r.split),
      subgroup: rows.map((r) => r.subgroup),
      metric: rows.map((r) => r.metric),
      value: Float64Array.from(rows, (r) => r.value),
    };
  }, opts, written);

  writeTable(outDir, OUTPUT_TABLES.metricsSummary, METRICS_SUMMARY_COLUMNS, metricModels, function* (model) {
    const rows = summary.filter((r) => r.model === model);
    if (rows.length === 0) return;
    yield {
      ...ident(rows.length, model),
      split: rows.map((r) => r.split),
      subgroup: rows.map((r) => r.subgroup),
      metric: rows.map((r) => r.metric),
      value: Float64Array.from(rows, (r) => r.value),
      n_conditions: Int32Array.from(rows, (r) => r.nConditions),
    };
  }, opts, written);

  const giModels = [...new Set(result.gi.rows.map((r) => r.model))];
  const giVersion = (model: string) => (model === OBSERVED_MODEL ? BASELINE_VERSION : versionOf(model));
  writeTable(outDir, OUTPUT_TABLES.gi, GI_COLUMNS, giModels.length ? giModels : [OBSERVED_MODEL], function* (model) {
    const rows = result.gi.rows.filter((r) => r.model === model);
    if (rows.length === 0) return;
    const flags = rows.map((r) => giTypeFlags(r.scores));
    const batch: ParquetBatch = {
      run_id: fill(rows.length, runId),
      model: fill(rows.length, model),
      model_version: fill(rows.length, giVersion(model)),
      combination: rows.map((r) => r.combination),
      perturbation: rows.map((r) => scperturbName(r.combination)),
      n_gi_genes: Int32Array.from(rows, (r) => r.nGenes),
    };
    for (const s of GI_SCORE_NAMES) batch[s] = Float64Array.from(rows, (r) => r.scores[s]);
    for (const t of GI_TYPES) batch[GI_TYPE_COLUMN(t.type)] = flags.map((f) => f[t.type]);
    yield batch;
  }, opts, written);

  const evalSplit = [...new Set(result.evaluated.map((e) => e.split))].sort().join('+');
  const precModels = [...new Set(result.gi.precision.map((p) => p.model))];
  writeTable(outDir, OUTPUT_TABLES.giPrecision, GI_PRECISION_COLUMNS, precModels.length ? precModels : models, function* (model) {
    const rows = result.gi.precision.filter((r) => r.model === model);
    if (rows.length === 0) return;
    yield {
      ...ident(rows.length, model),
      split: fill(rows.length, evalSplit),
      gi_type: rows.map((r) => r.type),
      k: Int32Array.from(rows, (r) => r.k),
      n_true: Int32Array.from(rows, (r) => r.nTrue),
      n_combinations: Int32Array.from(rows, (r) => r.nCombinations),
      precision: Float64Array.from(rows, (r) => r.precision),
    };
  }, opts, written);
  return written;
}
