/**
 * The three numbers the protocol reports per test double: L2 distance between predicted and
 * observed change (over the 1,000 most expressed genes when control expression is known, else over
 * all genes, as Ahlmann-Eltze et al.), Pearson correlation of the changes (GEARS "Pearson delta")
 * and the MSE over the condition's top-20 DE genes (GEARS "mse_de").
 */
import { conditionGeneLists, type DatasetStats } from '@gears-pipeline/core';
import { pearsonOrZero } from '@gears-pipeline/evaluate';

export const L2_TOP_EXPRESSED = 1000;

export interface DoubleMetrics {
  l2: number;
  pearsonDelta: number;
  mseDe: number;
}

/**
 * Genes the L2 distance is taken over: the 1,000 with the highest control expression, or all
 * genes when the control row is all zeros (a log-fold-change table carries no expression level).
 */
export function l2Genes(stats: DatasetStats): number[] {
  const G = stats.genes.length;
  const ctrl = stats.mean.subarray(stats.controlIndex * G, (stats.controlIndex + 1) * G);
  const all = Array.from({ length: G }, (_, g) => g);
  if (ctrl.every((v) => v === 0) || G <= L2_TOP_EXPRESSED) return all;
  return all.sort((a, b) => ctrl[b] - ctrl[a] || a - b).slice(0, L2_TOP_EXPRESSED).sort((a, b) => a - b);
}

export function doubleMetrics(stats: DatasetStats, row: number, truth: ArrayLike<number>, predicted: ArrayLike<number>, genes: number[]): DoubleMetrics {
  let ss = 0;
  for (const g of genes) ss += (predicted[g] - truth[g]) ** 2;
  const de = conditionGeneLists(stats, row).topDe20;
  const mseDe = de.reduce((acc, g) => acc + (predicted[g] - truth[g]) ** 2, 0) / de.length;
  return { l2: Math.sqrt(ss), pearsonDelta: pearsonOrZero(predicted, truth), mseDe };
}

export function meanOf(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
