/**
 * Dataset-wide quantities the metrics share, derived once from the ingest statistics.
 */
import { conditionGeneLists, row, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';
import type { MetricContext, ObservedCondition } from './condition-metrics.ts';

export const HVG_COUNT = 200;
export const TOP_EXPRESSED_COUNT = 1000;

/** Control mean expression (stats mean row of `ctrl`), copied. */
export function controlMean(stats: DatasetStats): Float64Array {
  return Float64Array.from(row(stats.mean, stats.controlIndex, stats.genes.length));
}

/**
 * The reference's `most_variable_genes`: the 200 genes with the largest std (ddof 0) of the
 * per-condition means over every condition of the data set (control included).
 */
export function mostVariableGenes(stats: DatasetStats, k = HVG_COUNT): Int32Array {
  const G = stats.genes.length;
  const C = stats.conditions.length;
  const sd = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += stats.mean[c * G + g];
    const m = s / C;
    let q = 0;
    for (let c = 0; c < C; c++) q += (stats.mean[c * G + g] - m) ** 2;
    sd[g] = Math.sqrt(q / C);
  }
  return topIndices(sd, k);
}

/** Genes ranked by control mean, highest first (ties: lower position first), first k. */
export function topExpressedGenes(control: Float64Array, k = TOP_EXPRESSED_COUNT): Int32Array {
  return topIndices(control, k);
}

function topIndices(score: Float64Array, k: number): Int32Array {
  const order = Array.from({ length: score.length }, (_, g) => g);
  order.sort((a, b) => score[b] - score[a] || a - b);
  return Int32Array.from(order.slice(0, Math.min(k, order.length)));
}

/**
 * Systema's reference point: the unweighted mean over perturbed conditions of their mean
 * expression. Only training conditions are used, so no held-out profile leaks into the
 * reference; with no perturbed training condition, every perturbed condition is used.
 */
export function perturbedCentroid(stats: DatasetStats, split: readonly SplitAssignment[]): Float64Array {
  const G = stats.genes.length;
  const train = new Set(split.filter((s) => s.split === 'train').map((s) => s.condition));
  let rows = stats.conditions.map((c, i) => ({ c, i })).filter(({ c, i }) => i !== stats.controlIndex && !c.isControl);
  const trained = rows.filter(({ c }) => train.has(c.name));
  if (trained.length > 0) rows = trained;
  const out = new Float64Array(G);
  for (const { i } of rows) {
    for (let g = 0; g < G; g++) out[g] += stats.mean[i * G + g];
  }
  if (rows.length > 0) for (let g = 0; g < G; g++) out[g] /= rows.length;
  return out;
}

export function metricContext(stats: DatasetStats, split: readonly SplitAssignment[]): MetricContext {
  const control = controlMean(stats);
  return {
    control,
    hvg200: mostVariableGenes(stats),
    topExpressed1000: topExpressedGenes(control),
    perturbedCentroid: perturbedCentroid(stats, split),
  };
}

/** The observed side of condition c: mean, per-cell std (ddof 0), nonzero counts, gene lists. */
export function observedCondition(stats: DatasetStats, c: number): ObservedCondition {
  const G = stats.genes.length;
  const n = stats.conditions[c].nCells;
  const m2 = row(stats.m2, c, G);
  const std = new Float64Array(G);
  for (let g = 0; g < G; g++) std[g] = n > 0 ? Math.sqrt(Math.max(0, m2[g]) / n) : 0;
  return {
    mean: Float64Array.from(row(stats.mean, c, G)),
    std,
    nonzero: Float64Array.from(row(stats.nonzero, c, G)),
    lists: conditionGeneLists(stats, c),
  };
}
