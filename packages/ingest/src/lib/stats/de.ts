/**
 * The DE ranking GEARS takes from scanpy's `rank_genes_groups(method='t-test', reference='ctrl',
 * rankby_abs=True)` (reference §1.3): per gene, Welch's t of the condition against control with
 * unbiased variances (ddof 1: var = M2 / (n − 1)), NaN → 0, genes ranked by |t| descending.
 * scanpy leaves the order of equal |t| unspecified; we break ties by gene position so reruns agree.
 */

/** Welch t of group 1 against group 2 from means, sums of squared deviations and counts. */
export function welchT(mean1: number, m2_1: number, n1: number, mean2: number, m2_2: number, n2: number): number {
  const v1 = m2_1 / (n1 - 1) / n1;
  const v2 = m2_2 / (n2 - 1) / n2;
  const t = (mean1 - mean2) / Math.sqrt(v1 + v2);
  return Number.isNaN(t) ? 0 : t;
}

/** 0-based rank of each gene by |t| descending, ties by gene position. */
export function rankByAbsT(t: ArrayLike<number>): Int32Array {
  const G = t.length;
  const order = Array.from({ length: G }, (_, g) => g);
  const abs = Float64Array.from(t, Math.abs);
  order.sort((a, b) => abs[b] - abs[a] || a - b);
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
