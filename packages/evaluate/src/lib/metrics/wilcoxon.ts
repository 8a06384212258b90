/**
 * Paired Wilcoxon signed-rank test (two-sided), for comparing two models over the same genes.
 *
 * Zero differences are dropped (Wilcoxon's rule); tied |differences| get their average rank.
 * p-value: exact for n ≤ EXACT_MAX_N (the null distribution of W+ enumerated over the 2^n sign
 * patterns by dynamic programming over the — possibly half-integer — ranks, so ties are handled
 * exactly), otherwise the normal approximation with tie correction and continuity correction.
 */

export const EXACT_MAX_N = 50;

export interface WilcoxonResult {
  /** pairs with a non-zero difference */
  n: number;
  /** sum of the ranks of the positive differences (a − b > 0) */
  wPlus: number;
  wMinus: number;
  /** two-sided p-value */
  p: number;
  method: 'exact' | 'normal' | 'none';
  /** median of a − b over all pairs */
  medianDifference: number;
}

export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonResult {
  if (a.length !== b.length) throw new Error(`wilcoxonSignedRank: ${a.length} vs ${b.length} values`);
  const all = a.map((x, i) => x - b[i]);
  const sorted = [...all].sort((x, y) => x - y);
  const medianDifference = sorted.length ? (sorted[(sorted.length - 1) >> 1] + sorted[sorted.length >> 1]) / 2 : 0;
  const d = all.filter((x) => x !== 0 && Number.isFinite(x));
  const n = d.length;
  if (n === 0) return { n, wPlus: 0, wMinus: 0, p: 1, method: 'none', medianDifference };
  const order = d.map((x, i) => i).sort((i, j) => Math.abs(d[i]) - Math.abs(d[j]));
  const rank = new Float64Array(n);
  const tieSizes: number[] = [];
  for (let k = 0; k < n; ) {
    let e = k;
    while (e + 1 < n && Math.abs(d[order[e + 1]]) === Math.abs(d[order[k]])) e++;
    const r = (k + e + 2) / 2;
    for (let q = k; q <= e; q++) rank[order[q]] = r;
    if (e > k) tieSizes.push(e - k + 1);
    k = e + 1;
  }
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (d[i] > 0) wPlus += rank[i];
  const total = (n * (n + 1)) / 2;
  const wMinus = total - wPlus;
  if (n <= EXACT_MAX_N) {
    // ranks are multiples of 1/2: count sign patterns by twice the rank sum
    const twice = Array.from(rank, (r) => Math.round(2 * r));
    const max = twice.reduce((s, r) => s + r, 0);
    let counts = new Float64Array(max + 1);
    counts[0] = 1;
    for (const r of twice) {
      const next = Float64Array.from(counts);
      for (let s = 0; s + r <= max; s++) if (counts[s]) next[s + r] += counts[s];
      counts = next;
    }
    const all2 = 2 ** n;
    const w = Math.round(2 * Math.min(wPlus, wMinus));
    let tail = 0;
    for (let s = 0; s <= w; s++) tail += counts[s];
    return { n, wPlus, wMinus, p: Math.min(1, (2 * tail) / all2), method: 'exact', medianDifference };
  }
  const mean = total / 2;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieSizes.reduce((s, t) => s + (t ** 3 - t), 0) / 48;
  const z = (Math.abs(wPlus - mean) - 0.5) / Math.sqrt(variance);
  return { n, wPlus, wMinus, p: Math.min(1, 2 * normalUpperTail(Math.max(0, z))), method: 'normal', medianDifference };
}

/** P(Z > z) for a standard normal (Abramowitz–Stegun 7.1.26 erfc, |error| < 1.5e-7). */
function normalUpperTail(z: number): number {
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return erfc / 2;
}
