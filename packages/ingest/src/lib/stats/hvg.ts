/**
 * Highly variable genes as scanpy's default `highly_variable_genes(flavor='seurat', n_top_genes=N)`
 * on log-normalised data (facts of its `_highly_variable_genes_single_batch`, re-derived here):
 * - work on expm1(x) (back to normalised counts); per gene mean μ and variance σ² (ddof 1);
 * - μ = 0 is replaced by 1e-12; dispersion = σ²/μ; a dispersion of exactly 0 becomes NaN;
 *   dispersion ← log(dispersion), mean ← log1p(μ);
 * - the log means are cut into 20 equal-width bins (pandas `cut`: the range is widened by 0.1%
 *   on the low side so the minimum falls in the first bin, intervals closed on the right);
 * - per bin: average and sample standard deviation (ddof 1) of the non-NaN dispersions; a bin
 *   whose standard deviation is undefined (one gene) gets average 0 and deviation = its average,
 *   i.e. a normalised dispersion of 1;
 * - normalised dispersion = (dispersion − bin average) / bin deviation;
 * - the N-th largest non-NaN normalised dispersion is the cut-off; a gene is highly variable when
 *   its normalised dispersion (NaN → 0) is ≥ the cut-off (ties can select more than N).
 * Needs one streaming pass over the cells for Σ expm1(x) and Σ expm1(x)² per gene.
 */
import type { CellChunk } from '@gears-pipeline/core';

export const HVG_BINS = 20;

/** Per-gene sums of expm1(x) and its square over streamed cells. */
export class GeneSumAccumulator {
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  /** plain sums of the stored values (for the moment shift) */
  readonly sumLog: Float64Array;
  cells = 0;
  constructor(nGenes: number) {
    this.sum = new Float64Array(nGenes);
    this.sumSq = new Float64Array(nGenes);
    this.sumLog = new Float64Array(nGenes);
  }
  add(chunk: CellChunk): void {
    const { indices, values } = chunk;
    this.cells += chunk.indptr.length - 1;
    for (let k = 0; k < values.length; k++) {
      const g = indices[k];
      const x = values[k];
      const e = Math.expm1(x);
      this.sum[g] += e;
      this.sumSq[g] += e * e;
      this.sumLog[g] += x;
    }
  }
}

export interface HvgResult {
  /** log1p of the mean of expm1(x) */
  means: Float64Array;
  /** log dispersion (NaN when the variance is 0) */
  dispersions: Float64Array;
  dispersionsNorm: Float64Array;
  highlyVariable: Uint8Array;
}

export function highlyVariableGenes(sum: Float64Array, sumSq: Float64Array, nCells: number, nTop: number, nBins = HVG_BINS): HvgResult {
  const G = sum.length;
  const means = new Float64Array(G);
  const dispersions = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    let mu = sum[g] / nCells;
    let v = (sumSq[g] / nCells - mu * mu) * (nCells / (nCells - 1));
    if (v < 0) v = 0;
    if (mu === 0) mu = 1e-12;
    const disp = v / mu;
    dispersions[g] = disp === 0 ? NaN : Math.log(disp);
    means[g] = Math.log1p(mu);
  }
  // pandas.cut(bins=n): equal-width edges over [min, max], lowest edge lowered by 0.1% of the range
  let lo = Infinity;
  let hi = -Infinity;
  for (const m of means) {
    if (m < lo) lo = m;
    if (m > hi) hi = m;
  }
  const edges = new Float64Array(nBins + 1);
  if (lo === hi) {
    const a = lo !== 0 ? 0.001 * Math.abs(lo) : 0.001;
    for (let i = 0; i <= nBins; i++) edges[i] = lo - a + ((2 * a) * i) / nBins;
  } else {
    for (let i = 0; i <= nBins; i++) edges[i] = lo + ((hi - lo) * i) / nBins;
    edges[0] -= (hi - lo) * 0.001;
  }
  const bin = new Int32Array(G);
  for (let g = 0; g < G; g++) {
    // first bin whose right edge is ≥ the mean (intervals are (left, right])
    let b = 0;
    while (b < nBins - 1 && means[g] > edges[b + 1]) b++;
    bin[g] = b;
  }
  const cnt = new Float64Array(nBins);
  const s1 = new Float64Array(nBins);
  for (let g = 0; g < G; g++) {
    if (Number.isNaN(dispersions[g])) continue;
    cnt[bin[g]]++;
    s1[bin[g]] += dispersions[g];
  }
  const avg = new Float64Array(nBins);
  const dev = new Float64Array(nBins);
  const ss = new Float64Array(nBins);
  for (let b = 0; b < nBins; b++) avg[b] = cnt[b] > 0 ? s1[b] / cnt[b] : NaN;
  for (let g = 0; g < G; g++) {
    if (Number.isNaN(dispersions[g])) continue;
    const d = dispersions[g] - avg[bin[g]];
    ss[bin[g]] += d * d;
  }
  for (let b = 0; b < nBins; b++) {
    dev[b] = cnt[b] > 1 ? Math.sqrt(ss[b] / (cnt[b] - 1)) : NaN;
    if (Number.isNaN(dev[b])) {
      dev[b] = avg[b];
      avg[b] = 0;
    }
  }
  const dispersionsNorm = new Float64Array(G);
  for (let g = 0; g < G; g++) dispersionsNorm[g] = (dispersions[g] - avg[bin[g]]) / dev[bin[g]];
  const finite = Array.from(dispersionsNorm).filter((x) => !Number.isNaN(x)).sort((a, b) => b - a);
  const n = Math.min(nTop, finite.length);
  const cut = n > 0 ? finite[n - 1] : Infinity;
  const highlyVariable = new Uint8Array(G);
  for (let g = 0; g < G; g++) {
    const x = Number.isNaN(dispersionsNorm[g]) ? 0 : dispersionsNorm[g];
    if (x >= cut) highlyVariable[g] = 1;
  }
  return { means, dispersions, dispersionsNorm, highlyVariable };
}
