/**
 * Every per-condition metric of the reference (GEARS `compute_metrics`, `deeper_analysis`,
 * `non_dropout_analysis`, `non_zero_analysis`; reference §6) plus the two metrics the field
 * adopted later, all computed on means from the ingest statistics, so they are exact and
 * deterministic (the reference averages over 300 randomly paired control cells).
 *
 * Where the reference uses the per-cell distribution of the observed condition, the statistics
 * give what is needed: std_g = sqrt(m2/n) (np.std, ddof 0) and "gene is zero in every cell"
 * (nonzero count 0, the reference's min == max == 0). Quantile and min/max range metrics
 * (`frac_in_range*`) need the cells themselves: produced only when per-cell values are given.
 */
import type { ConditionGeneLists } from '@gears-pipeline/core';
import { directionCounts, meanStd, mse, pearsonOrZero } from './vector.ts';
import { rangeMetrics } from './cell-values.ts';

/** Everything about one observed condition the metrics need (all arrays over the G genes). */
export interface ObservedCondition {
  /** observed mean expression */
  mean: Float64Array;
  /** per-gene std over the condition's cells (ddof 0) */
  std: Float64Array;
  /** per-gene number of cells with a non-zero value */
  nonzero: Float64Array;
  lists: ConditionGeneLists;
  /** sorted per-cell values of the DE genes, when the cells were read (enables frac_in_range*) */
  cellValues?: Map<number, Float64Array>;
}

/** Dataset-wide context shared by every condition. */
export interface MetricContext {
  /** control mean expression */
  control: Float64Array;
  /** 200 genes with the largest std across per-condition means (reference `most_variable_genes`) */
  hvg200: Int32Array;
  /** the 1,000 genes with the highest control mean (Ahlmann-Eltze et al. 2025), or all genes if fewer */
  topExpressed1000: Int32Array;
  /** mean over training perturbed conditions of their mean expression (Systema reference point) */
  perturbedCentroid: Float64Array;
}

export const DE_TOP_K = [20, 50, 100, 200] as const;

/**
 * All metrics for one condition; a metric the reference leaves unset for this condition
 * (e.g. σ metrics when every DE gene is zero in every cell) is absent from the result.
 */
export function conditionMetrics(pred: Float64Array, obs: ObservedCondition, ctx: MetricContext): Record<string, number> {
  const out: Record<string, number> = {};
  const G = pred.length;
  const tm = obs.mean;
  const ctrl = ctx.control;
  const de20 = obs.lists.topDe20;

  // compute_metrics (training/validation metrics): all genes and the 20 DE genes
  out.mse = mse(pred, tm);
  out.pearson = pearsonOrZero(pred, tm);
  out.mse_de = mse(pred, tm, de20);
  out.pearson_de = pearsonOrZero(pred, tm, de20);

  // deeper_analysis
  const pd = new Float64Array(G);
  const td = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    pd[g] = pred[g] - ctrl[g];
    td[g] = tm[g] - ctrl[g];
  }
  out.pearson_delta = pearsonOrZero(pd, td);
  out.pearson_delta_de = pearsonOrZero(pd, td, de20);
  const all = new Int32Array(G);
  for (let g = 0; g < G; g++) all[g] = g;
  out.frac_correct_direction_all = directionCounts(pred, tm, ctrl, all).same / G;
  for (const k of DE_TOP_K) {
    const idx = obs.lists.ranking.slice(0, k);
    out[`frac_correct_direction_${k}`] = directionCounts(pred, tm, ctrl, idx).same / k;
    out[`pearson_delta_top${k}_de`] = pearsonOrZero(pd, td, idx);
    out[`pearson_top${k}_de`] = pearsonOrZero(pred, tm, idx);
    out[`mse_top${k}_de`] = mse(pd, td, idx);
  }
  Object.assign(out, spreadMetrics(pred, obs, de20, ctrl, ''));
  Object.assign(out, foldChangeGaps(pred, tm, ctrl));
  out.pearson_delta_top200_hvg = pearsonOrZero(pd, td, ctx.hvg200);
  out.pearson_top200_hvg = pearsonOrZero(pred, tm, ctx.hvg200);
  out.mse_top200_hvg = mse(pred, tm, ctx.hvg200);

  // non_dropout_analysis and non_zero_analysis
  Object.assign(out, geneSetFamily(pred, obs, ctrl, pd, td, obs.lists.topNonDropoutDe20, '_non_dropout'));
  Object.assign(out, geneSetFamily(pred, obs, ctrl, pd, td, obs.lists.topNonZeroDe20, '_non_zero'));
  for (const [name, idx] of [['non_zero', obs.lists.nonZero], ['non_dropout', obs.lists.nonDropout]] as const) {
    if (idx.length === 0) continue;
    const d = directionCounts(pred, tm, ctrl, idx);
    out[`frac_correct_direction_${name}`] = d.same / idx.length;
    out[`frac_opposite_direction_${name}`] = d.opposite / idx.length;
    out[`frac_0/1_direction_${name}`] = d.oneZero / idx.length;
  }

  // after GEARS: Ahlmann-Eltze et al. 2025 (L2 over the 1,000 most expressed genes) and
  // Systema (Pearson delta against the centroid of the perturbed training conditions)
  let l2 = 0;
  for (const g of ctx.topExpressed1000) l2 += (pred[g] - tm[g]) ** 2;
  out.l2_top1000_expressed = Math.sqrt(l2);
  out.pearson_delta_top1000_expressed = pearsonOrZero(pd, td, ctx.topExpressed1000);
  const ps = new Float64Array(G);
  const ts = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    ps[g] = pred[g] - ctx.perturbedCentroid[g];
    ts[g] = tm[g] - ctx.perturbedCentroid[g];
  }
  out.pearson_delta_systema = pearsonOrZero(ps, ts);
  out.pearson_delta_systema_top20_de_non_dropout = pearsonOrZero(ps, ts, obs.lists.topNonDropoutDe20);
  return out;
}

/**
 * The per-cell-spread metrics over a DE list: the σ family and the direction share over the
 * genes not zero in every cell. `suffix` is '' (deeper_analysis), '_non_dropout' or '_non_zero'.
 */
function spreadMetrics(pred: Float64Array, obs: ObservedCondition, de: readonly number[], ctrl: Float64Array, suffix: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (obs.cellValues) Object.assign(out, rangeMetrics(pred, de, obs.cellValues, suffix));
  // the reference's nonzero_des: DE genes that are not zero in every cell
  const nonzeroDe = de.filter((g) => obs.nonzero[g] > 0);
  if (nonzeroDe.length === 0) return out; // the reference skips these metrics ("all de genes are 0")
  if (suffix === '') {
    // frac_correct_direction_20_nonzero: the reference compares position-ordered predictions with
    // rank-ordered control values (§6 bug); here predicted, observed and control are aligned by gene.
    out.frac_correct_direction_20_nonzero = directionCounts(pred, obs.mean, ctrl, nonzeroDe).same / nonzeroDe.length;
  }
  const sigma: number[] = [];
  for (const g of de) {
    if (obs.std[g] > 0) sigma.push(Math.abs(pred[g] - obs.mean[g]) / obs.std[g]);
  }
  if (sigma.length === 0) return out;
  const { mean, std } = meanStd(sigma);
  out[`mean_sigma${suffix}`] = mean;
  out[`std_sigma${suffix}`] = std;
  out[`frac_sigma_below_1${suffix}`] = 1 - sigma.filter((s) => s > 1).length / sigma.length;
  out[`frac_sigma_below_2${suffix}`] = 1 - sigma.filter((s) => s > 2).length / sigma.length;
  return out;
}

/** The `top20_*` family over a non-dropout / non-zero DE list (reference `non_dropout_analysis`). */
function geneSetFamily(
  pred: Float64Array,
  obs: ObservedCondition,
  ctrl: Float64Array,
  pd: Float64Array,
  td: Float64Array,
  de: readonly number[],
  suffix: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (de.length === 0) return out;
  const d = directionCounts(pred, obs.mean, ctrl, de);
  out[`frac_correct_direction_top20${suffix}`] = d.same / de.length;
  out[`frac_opposite_direction_top20${suffix}`] = d.opposite / de.length;
  out[`frac_0/1_direction_top20${suffix}`] = d.oneZero / de.length;
  Object.assign(out, spreadMetrics(pred, obs, de, ctrl, suffix));
  out[`pearson_delta_top20_de${suffix}`] = pearsonOrZero(pd, td, de);
  out[`pearson_top20_de${suffix}`] = pearsonOrZero(pred, obs.mean, de);
  out[`mse_top20_de${suffix}`] = mse(pd, td, de);
  return out;
}

/**
 * fold_change_gap_* of `deeper_analysis`: fold change = observed / control mean (NaN, ±inf and
 * observed mean < 0.5 → 0); over genes in each fold-change band, mean |pred/ctrl − obs/ctrl|.
 */
function foldChangeGaps(pred: Float64Array, tm: Float64Array, ctrl: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  const G = pred.length;
  const fc = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const f = tm[g] / ctrl[g];
    fc[g] = Number.isFinite(f) && tm[g] >= 0.5 ? f : 0;
  }
  const bands: [string, (f: number) => boolean][] = [
    ['fold_change_gap_all', (f) => f > 0],
    ['fold_change_gap_downreg_0.33', (f) => f > 0 && f < 0.333],
    ['fold_change_gap_downreg_0.1', (f) => f > 0 && f < 0.1],
    ['fold_change_gap_upreg_3', (f) => f > 3],
    ['fold_change_gap_upreg_10', (f) => f > 10],
  ];
  for (const [name, keep] of bands) {
    let s = 0;
    let n = 0;
    for (let g = 0; g < G; g++) {
      if (!keep(fc[g])) continue;
      s += Math.abs(pred[g] / ctrl[g] - tm[g] / ctrl[g]);
      n++;
    }
    if (n > 0) out[name] = s / n;
  }
  return out;
}
