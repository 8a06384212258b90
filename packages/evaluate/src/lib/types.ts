/**
 * Plain-data contracts of the evaluate stage. The model stage (or any other predictor) hands
 * predictions over as predicted MEAN expression per condition over the dataset genes; everything
 * else comes from the ingest statistics and the split.
 */
import { PACKAGE_VERSION } from '@gears-pipeline/core';

/** Predicted mean expression per condition, in the gene order of `genes`. */
export interface ModelPredictions {
  /** model name as shown in every output table (`gears`, `no_change`, `additive`, …) */
  model: string;
  /** gene names; must equal the dataset's genes (same order) */
  genes: string[];
  /** condition (canonical GEARS name) → predicted mean expression per gene */
  mean: Map<string, Float64Array>;
  /** model version shown in the output tables (e.g. checkpoint hash); baselines: baseline-<package version> */
  version?: string;
  /** optional per-condition notes (e.g. a baseline fell back for a missing single) */
  flags?: Map<string, string>;
}

/** One value of one metric for one condition (or an aggregate row). */
export interface MetricRow {
  condition: string;
  split: string;
  subgroup: string;
  model: string;
  metric: string;
  value: number;
  /** number of conditions behind an aggregate row; 1 for a per-condition row */
  nConditions: number;
}

/** Condition name used on aggregate rows of metrics.parquet. */
export const AGGREGATE_CONDITION = '__mean__';
/** Subgroup name on the aggregate row over every evaluated condition of a split. */
export const OVERALL_SUBGROUP = 'overall';
/** Condition name on the GI precision@k rows of metrics.parquet. */
export const GI_CONDITION = '__gi__';

export const SUBGROUPS = ['unseen_single', 'combo_seen0', 'combo_seen1', 'combo_seen2'] as const;

/** model_version of the baselines and of the observed GI rows: the code version that computed them. */
export const BASELINE_VERSION = `baseline-${PACKAGE_VERSION}`;
