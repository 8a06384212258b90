/**
 * The reference's validation metrics on means (reference §6 `compute_metrics`): per condition,
 * mse over all genes and mse over its top-20 DE genes of the predicted mean (control mean + d_p,
 * exact for mean predictions) against the observed mean; overall = unweighted mean over conditions.
 */
import { conditionGeneLists, type DatasetStats } from '@gears-pipeline/core';

export interface ConditionMetrics {
  condition: string;
  mse: number;
  mseDe: number;
}

/** Metrics of one condition from its predicted change d [G]. */
export function meanMetrics(stats: DatasetStats, c: number, controlMean: Float32Array, delta: ArrayLike<number>): ConditionMetrics {
  const G = stats.genes.length;
  let mse = 0;
  for (let g = 0; g < G; g++) mse += (controlMean[g] + delta[g] - stats.mean[c * G + g]) ** 2;
  const de = conditionGeneLists(stats, c).topDe20;
  let mseDe = 0;
  for (const g of de) mseDe += (controlMean[g] + delta[g] - stats.mean[c * G + g]) ** 2;
  return { condition: stats.conditions[c].name, mse: mse / G, mseDe: de.length ? mseDe / de.length : 0 };
}

export function averageMetrics(rows: ConditionMetrics[]): { mse: number; mseDe: number } {
  if (rows.length === 0) return { mse: NaN, mseDe: NaN };
  return { mse: rows.reduce((a, r) => a + r.mse, 0) / rows.length, mseDe: rows.reduce((a, r) => a + r.mseDe, 0) / rows.length };
}
