/**
 * cell-eval's metric family (Arc Institute, github.com/ArcInstitute/cell-eval), computed beside
 * GEARS's on the same exact means. Names follow cell-eval; definitions are cell-eval's formulas
 * applied to per-condition means (cell-eval averages cells of a predicted AnnData into the same
 * means first). Where cell-eval needs a per-cell DE test (Wilcoxon + FDR), which pseudobulk
 * predictions cannot have, the observed DE genes stand in, as noted per metric:
 *   mae            mean over genes |pred − obs| (cell-eval `mae`; its `mse` = GEARS `mse`)
 *   mse_delta      mean (δpred − δobs)², δ = mean − control mean (cell-eval `mse_delta`); with the
 *                  one observed control shared by prediction and data it equals `mse`
 *   mae_delta      mean |δpred − δobs| (cell-eval `mae_delta`; cell-eval's `pearson_delta` = GEARS's)
 *   discrimination_score_{l1,l2,cosine}
 *                  1 − rank/N: rank of the condition's own observed change among the N observed
 *                  changes of the same split, by distance to its predicted change, the perturbed
 *                  genes left out (cell-eval `discrimination_score_*`; 1 = best)
 *   de_direction_match
 *                  share of the observed top-20 DE genes (Welch t; cell-eval: FDR < 0.05) whose
 *                  predicted change has the observed sign (cell-eval `de_direction_match`)
 *   overlap_at_{50,100,200}
 *                  |top-k genes by |δobs| ∩ top-k by |δpred|| / k (cell-eval `overlap_at_k`, which
 *                  ranks significant genes by |log2 fold change|; here all genes by |δ| of log data)
 */
import { conditionGenes } from '@gears-pipeline/core';
import type { MetricContext, ObservedCondition } from './condition-metrics.ts';

export const CELL_EVAL_OVERLAP_K = [50, 100, 200] as const;
export const DISCRIMINATION_DISTANCES = ['l1', 'l2', 'cosine'] as const;
export type DiscriminationDistance = (typeof DISCRIMINATION_DISTANCES)[number];

/** Genes ordered by |v| descending, ties by position: one sort serves every overlap_at_k. */
function orderByAbs(v: Float64Array): Uint32Array {
  const idx = Array.from(v, (_, g) => g);
  idx.sort((a, b) => Math.abs(v[b]) - Math.abs(v[a]) || a - b);
  return Uint32Array.from(idx);
}

/** The observed order is the same for every model scored on a condition: computed once per condition. */
const observedOrder = new WeakMap<ObservedCondition, Uint32Array>();

/** The per-condition cell-eval metrics (every one but the discrimination score, which needs all conditions). */
export function cellEvalConditionMetrics(pred: Float64Array, obs: ObservedCondition, ctx: MetricContext): Record<string, number> {
  const G = pred.length;
  const ctrl = ctx.control;
  const pd = Float64Array.from(pred, (v, g) => v - ctrl[g]);
  const td = Float64Array.from(obs.mean, (v, g) => v - ctrl[g]);
  let ae = 0;
  let se = 0;
  let aed = 0;
  for (let g = 0; g < G; g++) {
    ae += Math.abs(pred[g] - obs.mean[g]);
    se += (pd[g] - td[g]) ** 2;
    aed += Math.abs(pd[g] - td[g]);
  }
  const out: Record<string, number> = { mae: ae / G, mse_delta: se / G, mae_delta: aed / G };
  const de = obs.lists.topDe20;
  out.de_direction_match = de.length ? de.filter((g) => Math.sign(pd[g]) === Math.sign(td[g])).length / de.length : NaN;
  let realOrder = observedOrder.get(obs);
  if (!realOrder) observedOrder.set(obs, (realOrder = orderByAbs(td)));
  const predOrder = orderByAbs(pd);
  // position of each gene in the observed order: gene g is in the observed top k iff realPos[g] < k
  const realPos = new Uint32Array(G);
  for (let i = 0; i < G; i++) realPos[realOrder[i]] = i;
  for (const k of CELL_EVAL_OVERLAP_K) {
    const kk = Math.min(k, G);
    let hit = 0;
    for (let i = 0; i < kk; i++) if (realPos[predOrder[i]] < kk) hit++;
    out[`overlap_at_${k}`] = hit / kk;
  }
  return out;
}

/** The three distances of cell-eval between a and b over the kept genes, in one pass. */
function distances(a: Float64Array, b: Float64Array, keep: Uint8Array): Record<DiscriminationDistance, number> {
  let l1 = 0;
  let l2 = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let g = 0; g < a.length; g++) {
    if (!keep[g]) continue;
    const x = a[g];
    const y = b[g];
    const d = x - y;
    l1 += Math.abs(d);
    l2 += d * d;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return { l1, l2: Math.sqrt(l2), cosine: na > 0 && nb > 0 ? 1 - dot / Math.sqrt(na * nb) : 1 };
}

/**
 * cell-eval's discrimination score of each condition among `conditions` (one split): for the
 * predicted change of p, the observed changes of every condition are sorted by distance; the
 * score is 1 − (position of p's own) / N, so 1 means the prediction is closest to its own data.
 * Ties keep the conditions' order (cell-eval's argsort). Perturbed genes of p are left out.
 * Every distance kind comes from the same pass over the genes.
 */
export function discriminationScoresAll(
  conditions: readonly string[],
  predictedDelta: ReadonlyMap<string, Float64Array>,
  observedDelta: ReadonlyMap<string, Float64Array>,
  geneIndex: ReadonlyMap<string, number>,
): Record<DiscriminationDistance, Map<string, number>> {
  const out = { l1: new Map<string, number>(), l2: new Map<string, number>(), cosine: new Map<string, number>() };
  const names = conditions.filter((c) => predictedDelta.has(c) && observedDelta.has(c));
  const N = names.length;
  const observed = names.map((q) => observedDelta.get(q)!);
  names.forEach((p, own) => {
    const pred = predictedDelta.get(p)!;
    const keep = new Uint8Array(pred.length).fill(1);
    for (const gene of conditionGenes(p)) {
      const g = geneIndex.get(gene);
      if (g !== undefined) keep[g] = 0;
    }
    const d = observed.map((o) => distances(o, pred, keep));
    for (const kind of DISCRIMINATION_DISTANCES) {
      let rank = 0;
      for (let q = 0; q < N; q++) if (d[q][kind] < d[own][kind] || (d[q][kind] === d[own][kind] && q < own)) rank++;
      out[kind].set(p, 1 - rank / N);
    }
  });
  return out;
}

/** The discrimination scores of one distance kind (see `discriminationScoresAll`). */
export function discriminationScores(
  conditions: readonly string[],
  predictedDelta: ReadonlyMap<string, Float64Array>,
  observedDelta: ReadonlyMap<string, Float64Array>,
  geneIndex: ReadonlyMap<string, number>,
  kind: DiscriminationDistance,
): Map<string, number> {
  return discriminationScoresAll(conditions, predictedDelta, observedDelta, geneIndex)[kind];
}
