/**
 * Per-gene combination residuals: what a perturbed gene does inside combinations that the
 * composition of single effects misses, learned from the training combinations.
 *
 * Why: on the Norman 2019 doubles a gene's doubles deviate from the composed prediction in a way
 * that repeats across its partners (some genes dominate their partner, some are buffered more than
 * the average double). The composition's per-gene weights are shared by every combination, so they
 * cannot express that; one change vector per perturbed gene can. A combination P is then
 *
 *   Δ(P) = composition(P) + Σ_{g∈P} r_g
 *
 * with r fitted by ridge regression on the training combinations' residuals
 * (observed − composition), the same for every measured gene: r = (MᵀM + μI)⁻¹ Mᵀ R, M the
 * combinations × perturbed-genes incidence matrix, R the residuals. μ counts combinations: a gene
 * seen in n training combinations keeps about n/(n + μ) of its mean residual, so a gene seen once
 * is shrunk hard toward zero and a gene never in a training combination gets r = 0 (the
 * composition alone). μ is chosen on the validation combinations among DEFAULT_RESIDUAL_RIDGES and
 * Infinity (no residuals), with the composition's weights fitted on training combinations only.
 */
import { inverseSpd } from './unseen/linalg.ts';

/** μ tried (in combinations); Infinity (no residuals) is always a candidate too */
export const DEFAULT_RESIDUAL_RIDGES: readonly number[] = [1, 2, 4, 8, 16, 32];

/** The residuals a composition carries (composition `auto`, form 'residuals'). */
export interface CombinationResiduals {
  /** r_g per perturbation-vocabulary index; genes in no fitted combination are absent (r = 0) */
  byPerturbation: Map<number, Float32Array>;
  /** chosen μ; Infinity = no residuals (validation preferred the composition alone) */
  ridge: number;
  /** validation sum of squared errors per μ tried (Infinity included), for the record */
  selection: { ridge: number; valSse: number }[];
  /** why there are (no) residuals */
  reason: string;
}

/** A combination as the residual fit sees it: its genes and observed − composition. */
export interface ResidualCase {
  perturbation: number[];
  residual: ArrayLike<number>;
}

/**
 * Ridge fit of one change vector per perturbed gene to the combinations' residuals (see the module
 * comment). Returns an empty map for μ = Infinity or no combinations.
 */
export function fitCombinationResiduals(cases: readonly ResidualCase[], ridge: number, G: number): Map<number, Float32Array> {
  if (!Number.isFinite(ridge) || cases.length === 0) return new Map();
  if (!(ridge > 0)) throw new Error(`residual ridge must be > 0, got ${ridge}`);
  const genes = [...new Set(cases.flatMap((c) => c.perturbation))].sort((a, b) => a - b);
  const at = new Map(genes.map((p, i) => [p, i]));
  const n = genes.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = ridge;
  const rhs = Array.from({ length: n }, () => new Float64Array(G));
  for (const c of cases) {
    const idx = [...new Set(c.perturbation)].map((p) => at.get(p)!);
    for (const i of idx) {
      for (const j of idx) a[i * n + j] += 1;
      const row = rhs[i];
      for (let g = 0; g < G; g++) row[g] += c.residual[g];
    }
  }
  const inv = inverseSpd(a, n);
  const out = new Map<number, Float32Array>();
  for (let i = 0; i < n; i++) {
    const r = new Float32Array(G);
    for (let k = 0; k < n; k++) {
      const w = inv[i * n + k];
      if (w === 0) continue;
      const row = rhs[k];
      for (let g = 0; g < G; g++) r[g] += w * row[g];
    }
    out.set(genes[i], r);
  }
  return out;
}

/** Adds Σ_{g∈P} r_g to a composed change in place (genes without a residual add nothing). */
export function addResiduals(delta: Float32Array, perturbation: readonly number[], residuals: CombinationResiduals | undefined): Float32Array {
  if (!residuals) return delta;
  for (const p of new Set(perturbation)) {
    const r = residuals.byPerturbation.get(p);
    if (r) for (let g = 0; g < delta.length; g++) delta[g] += r[g];
  }
  return delta;
}
