/**
 * Conventions shared by the tables analysts open directly (predictions, metrics, GI): one
 * predictions schema written both by `gears predict` and by `gears evaluate`, scPerturb-style
 * perturbation names beside GEARS's condition names, and the run/model identity columns.
 */
import { CONTROL, conditionGenes } from './condition.ts';
import { sha256Json } from './manifest.ts';
import type { ParquetColumnSpec } from './parquet.ts';

/** scPerturb's label for control cells (GEARS says `ctrl`). */
export const SCPERTURB_CONTROL = 'control';
/** scPerturb joins the genes of a combination with `_` (GEARS: `A+B`, singles `A+ctrl`). */
export const SCPERTURB_SEPARATOR = '_';

/**
 * Rows per Parquet row group of the analyst-facing tables: BI engines (DuckDB, Spark, Power BI)
 * scan row groups in parallel and pay a fixed cost per group, so groups are large (the last one,
 * or a small table's only one, is smaller).
 */
export const BI_ROW_GROUP_ROWS = 100_000;

/** The scPerturb-style name of a GEARS condition: `control`, `FOXA1`, `FOXA1_GATA3`. */
export function scperturbName(condition: string): string {
  const genes = conditionGenes(condition);
  return genes.length === 0 ? SCPERTURB_CONTROL : genes.join(SCPERTURB_SEPARATOR);
}

/**
 * A short, deterministic run identifier (12 hex digits) derived from what the run read (input
 * hashes and settings): the same inputs give the same id, so reruns give identical files.
 */
export function deterministicRunId(inputs: unknown): string {
  return sha256Json(inputs).slice(0, 12);
}

const dict = (name: string, nullable = false): ParquetColumnSpec => ({ name, type: 'STRING', dictionary: true, ...(nullable ? { nullable } : {}) });

/**
 * The one predictions table schema (long form, one row per model × perturbation × gene), written
 * by `gears predict` (observed columns NULL) and by `gears evaluate` (observed columns filled
 * for the evaluated conditions). Key for joins: (run_id, model, condition, gene).
 */
export const PREDICTIONS_TABLE_COLUMNS: ParquetColumnSpec[] = [
  dict('run_id'),
  dict('model'),
  dict('model_version'),
  dict('condition'),
  dict('perturbation'),
  { name: 'n_genes', type: 'INT32' },
  dict('gene'),
  { name: 'predicted_mean', type: 'DOUBLE' },
  { name: 'predicted_delta', type: 'DOUBLE' },
  { name: 'predicted_log_variance', type: 'DOUBLE', nullable: true },
  { name: 'observed_mean', type: 'DOUBLE', nullable: true },
  { name: 'observed_delta', type: 'DOUBLE', nullable: true },
  { name: 'is_top20_de', type: 'BOOLEAN', nullable: true },
  dict('split', true),
  dict('subgroup', true),
];

/** What each predictions column means (for the generated gears-out/README.md). */
export const PREDICTIONS_TABLE_DOC: Record<string, string> = {
  run_id: 'identifier of the stage run that wrote the table (12 hex digits of the hash of its inputs; same inputs, same id)',
  model: 'model name: gears, or a baseline (no_change, training_mean, additive, linear)',
  model_version: 'trained model: first 12 hex digits of the checkpoint weights SHA-256; baselines: baseline-<package version>',
  condition: `GEARS condition name: A+ctrl (single), A+B (combination), sorted genes; ${CONTROL} for control`,
  perturbation: `scPerturb-style name of the same perturbation: A, A_B; ${SCPERTURB_CONTROL} for control`,
  n_genes: 'number of perturbed genes (1 single, 2 combination, …)',
  gene: 'measured gene (symbol as in dataset/genes.parquet)',
  predicted_mean: 'predicted mean expression (normalised, log1p) of the gene after the perturbation',
  predicted_delta: 'predicted_mean minus the control mean of the gene',
  predicted_log_variance: 'uncertainty models only: predicted log variance (reference uncertainty = exp(−value)); NULL otherwise',
  observed_mean: 'measured mean expression in the perturbed cells; NULL when the perturbation was not measured or not evaluated',
  observed_delta: 'observed_mean minus the control mean; NULL when not observed',
  is_top20_de: 'the gene is among the perturbation\'s 20 most differentially expressed genes (Welch t vs control); NULL when not observed',
  split: 'train / val / test for evaluated perturbations; NULL for perturbations outside the split',
  subgroup: 'unseen_single, combo_seen0/1/2 (GEARS simulation split); NULL when not applicable',
};
