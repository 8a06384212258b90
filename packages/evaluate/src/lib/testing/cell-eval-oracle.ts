/**
 * Test oracle: cell-eval's per-condition metrics and discrimination score as they were before
 * the fast path (evaluate ≤ 20 s at Norman scale, issue 13): one full sort of all genes per
 * top-k set, per model and per k; one pass over the genes per distance kind. metrics/cell-eval.ts
 * is checked against these on random data with ties (metrics/cell-eval.test.ts). Not exported.
 */
import { conditionGenes } from '@gears-pipeline/core';
import type { MetricContext, ObservedCondition } from '../metrics/condition-metrics.ts';
import { CELL_EVAL_OVERLAP_K, type DiscriminationDistance } from '../metrics/cell-eval.ts';

function oracleTopByAbs(v: Float64Array, k: number): Set<number> {
  const idx = Array.from(v, (_, g) => g);
  idx.sort((a, b) => Math.abs(v[b]) - Math.abs(v[a]) || a - b);
  return new Set(idx.slice(0, k));
}

/** The per-condition cell-eval metrics (every one but the discrimination score, which needs all conditions). */
export function oracleCellEvalConditionMetrics(pred: Float64Array, obs: ObservedCondition, ctx: MetricContext): Record<string, number> {
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
  for (const k of CELL_EVAL_OVERLAP_K) {
    const kk = Math.min(k, G);
    const real = oracleTopByAbs(td, kk);
    let hit = 0;
    for (const g of oracleTopByAbs(pd, kk)) if (real.has(g)) hit++;
    out[`overlap_at_${k}`] = hit / kk;
  }
  return out;
}

function oracleDistance(a: Float64Array, b: Float64Array, keep: Uint8Array, kind: DiscriminationDistance): number {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let g = 0; g < a.length; g++) {
    if (!keep[g]) continue;
    const d = a[g] - b[g];
    if (kind === 'l1') s += Math.abs(d);
    else if (kind === 'l2') s += d * d;
    else {
      s += a[g] * b[g];
      na += a[g] * a[g];
      nb += b[g] * b[g];
    }
  }
  if (kind === 'l2') return Math.sqrt(s);
  if (kind === 'cosine') return na > 0 && nb > 0 ? 1 - s / Math.sqrt(na * nb) : 1;
  return s;
}

/**
 * cell-eval's discrimination score of each condition among `conditions` (one split): for the
 * predicted change of p, the observed changes of every condition are sorted by distance; the
 * score is 1 − (position of p's own) / N, so 1 means the prediction is closest to its own data.
 * Ties keep the conditions' order (cell-eval's argsort). Perturbed genes of p are left out.
 */
export function oracleDiscriminationScores(
  conditions: readonly string[],
  predictedDelta: ReadonlyMap<string, Float64Array>,
  observedDelta: ReadonlyMap<string, Float64Array>,
  geneIndex: ReadonlyMap<string, number>,
  kind: DiscriminationDistance,
): Map<string, number> {
  const out = new Map<string, number>();
  const names = conditions.filter((c) => predictedDelta.has(c) && observedDelta.has(c));
  const N = names.length;
  for (const p of names) {
    const pred = predictedDelta.get(p)!;
    const keep = new Uint8Array(pred.length).fill(1);
    for (const gene of conditionGenes(p)) {
      const g = geneIndex.get(gene);
      if (g !== undefined) keep[g] = 0;
    }
    const d = names.map((q) => oracleDistance(observedDelta.get(q)!, pred, keep, kind));
    const own = names.indexOf(p);
    let rank = 0;
    for (let q = 0; q < N; q++) if (d[q] < d[own] || (d[q] === d[own] && q < own)) rank++;
    out.set(p, 1 - rank / N);
  }
  return out;
}
