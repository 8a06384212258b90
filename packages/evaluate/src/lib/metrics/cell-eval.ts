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

/** The first k genes by |v|, largest first, ties by lower position: the straightforward sort. */
function topByAbsSorted(v: Float64Array, k: number): Uint8Array {
  const idx = Array.from(v, (_, g) => g);
  idx.sort((a, b) => Math.abs(v[b]) - Math.abs(v[a]) || a - b);
  const mask = new Uint8Array(v.length);
  for (let i = 0; i < k; i++) mask[idx[i]] = 1;
  return mask;
}

/**
 * Membership masks of the top-k genes by |v| for each k (each the first k of the genes sorted by
 * |v| descending, ties by lower position), without sorting the genes: in a sorted copy of |v|
 * the k-th largest value t is the cut; genes above t are in, genes at t fill the remaining
 * places in position order. Same sets as the sort; with a NaN (no total order) the sort is used.
 */
function topByAbsMasks(v: Float64Array, ks: readonly number[]): Uint8Array[] {
  const G = v.length;
  const abs = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const a = Math.abs(v[g]);
    if (a !== a) return ks.map((k) => topByAbsSorted(v, k));
    abs[g] = a;
  }
  const sorted = abs.slice().sort();
  return ks.map((k) => {
    const mask = new Uint8Array(G);
    if (k <= 0) return mask;
    const t = sorted[G - k];
    let above = 0;
    for (let i = G - 1; i >= 0 && sorted[i] > t; i--) above++;
    let atCut = k - above;
    for (let g = 0; g < G; g++) {
      const a = abs[g];
      if (a > t) mask[g] = 1;
      else if (a === t && atCut > 0) {
        mask[g] = 1;
        atCut--;
      }
    }
    return mask;
  });
}

/** The observed side of the per-condition metrics, shared by every model scored on the condition. */
interface ObservedSide {
  control: Float64Array;
  delta: Float64Array;
  top: Uint8Array[];
}
const observedSides = new WeakMap<ObservedCondition, ObservedSide>();

function observedSide(obs: ObservedCondition, control: Float64Array): ObservedSide {
  const cached = observedSides.get(obs);
  if (cached && cached.control === control) return cached;
  const G = obs.mean.length;
  const delta = new Float64Array(G);
  for (let g = 0; g < G; g++) delta[g] = obs.mean[g] - control[g];
  const side = { control, delta, top: topByAbsMasks(delta, CELL_EVAL_OVERLAP_K.map((k) => Math.min(k, G))) };
  observedSides.set(obs, side);
  return side;
}

/**
 * The per-condition cell-eval metrics (every one but the discrimination score, which needs all
 * conditions). The observed change and its top-k sets are computed once per condition (cached on
 * `obs`), not once per model.
 */
export function cellEvalConditionMetrics(pred: Float64Array, obs: ObservedCondition, ctx: MetricContext): Record<string, number> {
  const G = pred.length;
  const ctrl = ctx.control;
  const side = observedSide(obs, ctrl);
  const td = side.delta;
  const pd = new Float64Array(G);
  for (let g = 0; g < G; g++) pd[g] = pred[g] - ctrl[g];
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
  const predictedTop = topByAbsMasks(pd, CELL_EVAL_OVERLAP_K.map((k) => Math.min(k, G)));
  CELL_EVAL_OVERLAP_K.forEach((k, i) => {
    const kk = Math.min(k, G);
    const real = side.top[i];
    const mine = predictedTop[i];
    let hit = 0;
    for (let g = 0; g < G; g++) hit += real[g] & mine[g];
    out[`overlap_at_${k}`] = hit / kk;
  });
  return out;
}

/**
 * cell-eval's discrimination scores of each condition among `conditions` (one split), for all
 * three distances at once: for the predicted change of p, the observed changes of every condition
 * are sorted by distance; the score is 1 − (position of p's own) / N, so 1 means the prediction
 * is closest to its own data. Ties keep the conditions' order (cell-eval's argsort). Perturbed
 * genes of p are left out. One pass over the genes gives the L1, L2 and cosine sums (each summed
 * in gene order, as one pass per distance would).
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
  const d1 = new Float64Array(N);
  const d2 = new Float64Array(N);
  const dc = new Float64Array(N);
  names.forEach((p, own) => {
    const b = predictedDelta.get(p)!;
    const G = b.length;
    // the genes left out, as cut points between the runs of genes summed
    const cuts = [...new Set(conditionGenes(p).map((gene) => geneIndex.get(gene)).filter((g): g is number => g !== undefined && g >= 0 && g < G))].sort((x, y) => x - y);
    cuts.push(G);
    let nb = 0;
    let lo = 0;
    for (const cut of cuts) {
      for (let g = lo; g < cut; g++) nb += b[g] * b[g];
      lo = cut + 1;
    }
    for (let q = 0; q < N; q++) {
      const a = observed[q];
      let s1 = 0;
      let s2 = 0;
      let dot = 0;
      let na = 0;
      lo = 0;
      for (const cut of cuts) {
        for (let g = lo; g < cut; g++) {
          const ag = a[g];
          const bg = b[g];
          const d = ag - bg;
          s1 += Math.abs(d);
          s2 += d * d;
          dot += ag * bg;
          na += ag * ag;
        }
        lo = cut + 1;
      }
      d1[q] = s1;
      d2[q] = Math.sqrt(s2);
      dc[q] = na > 0 && nb > 0 ? 1 - dot / Math.sqrt(na * nb) : 1;
    }
    for (const [kind, d] of [['l1', d1], ['l2', d2], ['cosine', dc]] as const) {
      let rank = 0;
      for (let q = 0; q < N; q++) if (d[q] < d[own] || (d[q] === d[own] && q < own)) rank++;
      out[kind].set(p, 1 - rank / N);
    }
  });
  return out;
}

/** The discrimination score for one distance (see discriminationScoresAll). */
export function discriminationScores(
  conditions: readonly string[],
  predictedDelta: ReadonlyMap<string, Float64Array>,
  observedDelta: ReadonlyMap<string, Float64Array>,
  geneIndex: ReadonlyMap<string, number>,
  kind: DiscriminationDistance,
): Map<string, number> {
  return discriminationScoresAll(conditions, predictedDelta, observedDelta, geneIndex)[kind];
}
