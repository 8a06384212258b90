/**
 * The DE ranking GEARS takes from scanpy's `rank_genes_groups(method='t-test', reference='ctrl',
 * rankby_abs=True)` (reference §1.3): per gene, Welch's t of the condition against control with
 * unbiased variances (ddof 1: var = M2 / (n − 1)), NaN → 0, genes ranked by |t| descending.
 * scanpy leaves the order of equal |t| unspecified; we break ties by gene position so reruns agree.
 */
import { stableOrderByValue } from '@gears-pipeline/core';

/** Welch t of group 1 against group 2 from means, sums of squared deviations and counts. */
export function welchT(mean1: number, m2_1: number, n1: number, mean2: number, m2_2: number, n2: number): number {
  const v1 = m2_1 / (n1 - 1) / n1;
  const v2 = m2_2 / (n2 - 1) / n2;
  const t = (mean1 - mean2) / Math.sqrt(v1 + v2);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * 0-based rank of each gene by |t| descending, ties by gene position.
 *
 * The stable radix order of core (`stableOrderByValue`) over −|t|: the same order as a comparison
 * sort by (|t| descending, gene ascending), ≈ 5× faster than Array.sort with a comparator, which
 * was 0.4 s of the 281 × 5,000 ingest (node --cpu-prof). |NaN| (never produced by welchT) sorts first.
 */
export function rankByAbsT(t: ArrayLike<number>): Int32Array {
  const G = t.length;
  // descending |t| with ties by position = ascending −|t| in a stable sort; NaN (never written:
  // t is 0 where undefined) goes first, as the largest
  const keys = new Float64Array(G);
  for (let g = 0; g < G; g++) keys[g] = t[g] !== t[g] ? -Infinity : -Math.abs(t[g]);
  const order = stableOrderByValue(keys) ?? Uint32Array.from({ length: G }, (_, g) => g).sort((a, b) => keys[a] - keys[b] || a - b);
  const rank = new Int32Array(G);
  for (let i = 0; i < G; i++) rank[order[i]] = i;
  return rank;
}

/**
 * The DE ranking of a profile without within-condition variance (pseudobulk means or log fold
 * changes, where Welch's t is undefined): 0-based rank of each gene by |mean − control mean|
 * descending, ties by gene position — the same ordering rule as `rankByAbsT`.
 */
export function rankByAbsDelta(mean: ArrayLike<number>, control: ArrayLike<number>): Int32Array {
  if (mean.length !== control.length) throw new Error(`rankByAbsDelta: ${mean.length} values, ${control.length} control values`);
  return rankByAbsT(Float64Array.from(mean, (v, g) => v - control[g]));
}
