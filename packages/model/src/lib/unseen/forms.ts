/**
 * Closed-form predictions of the change caused by perturbing a gene never perturbed in training
 * (an "unseen single"), fitted from the training singles alone:
 *
 * - `training_mean`: m, the mean change over the perturbed training conditions (the baseline);
 * - `shrink`: m + α · (net(g) − m), the network shrunk toward the mean (α = 0 is the mean);
 * - `kernel`: m + Σ_j k(g,j) (s_j − m) / (Σ_j k(g,j) + τ·κ): a GO-similarity-weighted average of the
 *   measured single changes s_j, pulled toward m when g is far from every trained gene; k is the
 *   random walk with restart on the GO graph (go-similarity.ts), κ the typical Σk;
 * - `ridge`: m + Σ_j ⟨φ_g, φ_j⟩ β_j with β = (K + λ·κ₂ I)⁻¹ (S − m): a linear model whose
 *   perturbation embedding φ_g is g's GO random-walk profile (prior knowledge only), K_ij = ⟨φ_i, φ_j⟩,
 *   κ₂ the mean of K's diagonal;
 * - `blend`: the average of `kernel` and `ridge`.
 *
 * On top of any of these the perturbed gene's own expression (when it is measured) can be set by
 * `own`: a + b · control mean of that gene, fitted by least squares on the training singles whose
 * gene is measured (CRISPRa raises it, CRISPRi lowers it; the data decides, nothing is hard-coded).
 */
import { goTransitions, randomWalkWithRestart, type GoTransitions } from './go-similarity.ts';
import { inverseSpd } from './linalg.ts';
import type { GeneGraph } from '@gears-pipeline/core';

export type UnseenFormName = 'network' | 'training_mean' | 'shrink' | 'kernel' | 'ridge' | 'blend';
export const UNSEEN_FORM_NAMES: readonly UnseenFormName[] = ['network', 'training_mean', 'shrink', 'kernel', 'ridge', 'blend'];
/** forms that need no network (closed form from the training singles) */
export const CLOSED_FORMS: readonly UnseenFormName[] = ['training_mean', 'kernel', 'ridge', 'blend'];

/** the perturbed gene's own change: intercept + slope · its control mean */
export interface OwnExpression {
  intercept: number;
  slope: number;
}

/** Hyper-parameters of the unseen-single forms (the chosen form's are the ones that matter). */
export interface UnseenParams {
  form: UnseenFormName;
  /** α of `shrink` */
  shrink: number;
  /** restart probability of the GO random walk of `kernel` */
  kernelRestart: number;
  /** τ of `kernel`, relative to the typical similarity mass */
  kernelStrength: number;
  /** restart probability of the GO random walk whose profiles are `ridge`'s embeddings */
  ridgeRestart: number;
  /** λ of `ridge`, relative to the mean of K's diagonal */
  ridge: number;
  /** set the perturbed gene's own change from the fitted rule (null: leave the form's value) */
  own: OwnExpression | null;
}

/** What the forms are fitted from: training data only. */
export interface UnseenBasis {
  G: number;
  /** m: mean change over the perturbed training conditions */
  meanChange: Float64Array;
  /** perturbation-vocabulary index of each trained single, and its measured change */
  genes: number[];
  changes: ArrayLike<number>[];
  /** measured-gene index of each vocabulary gene (−1: not measured) */
  targetGene: Int32Array;
  controlMean: ArrayLike<number>;
}

/**
 * Fitted forms ready to predict: caches the random-walk profiles and the ridge inverse per restart.
 * `exclude` in the predictions leaves one trained gene out (leave-one-out validation) without refitting by hand.
 */
export class UnseenPredictor {
  readonly basis: UnseenBasis;
  private readonly T: GoTransitions;
  private readonly walks = new Map<string, Float64Array>();
  private readonly kernelScale = new Map<number, number>();
  private readonly gram = new Map<number, { K: Float64Array; diag: number }>();
  private readonly inverses = new Map<string, Float64Array>();
  private readonly ridgeBeta = new Map<string, Float64Array[]>();

  constructor(basis: UnseenBasis, go: GeneGraph) {
    this.basis = basis;
    this.T = goTransitions(go);
  }

  walk(gene: number, restart: number): Float64Array {
    const key = `${gene}:${restart}`;
    let r = this.walks.get(key);
    if (!r) this.walks.set(key, (r = randomWalkWithRestart(this.T, gene, restart)));
    return r;
  }

  /** k(g, j) for every trained gene j (0 for j = g) */
  private similarities(gene: number, restart: number): Float64Array {
    const r = this.walk(gene, restart);
    return Float64Array.from(this.basis.genes, (j) => (j === gene ? 0 : r[j]));
  }

  /** κ: mean over trained genes of their similarity mass to the other trained genes */
  private typicalMass(restart: number): number {
    let k = this.kernelScale.get(restart);
    if (k === undefined) {
      const genes = this.basis.genes;
      let s = 0;
      for (const g of genes) for (const v of this.similarities(g, restart)) s += v;
      k = genes.length ? s / genes.length : 0;
      if (!(k > 0)) k = 1;
      this.kernelScale.set(restart, k);
    }
    return k;
  }

  kernel(gene: number, restart: number, strength: number, exclude = -1): Float64Array {
    const { G, meanChange, changes } = this.basis;
    const k = this.similarities(gene, restart);
    if (exclude >= 0) k[exclude] = 0;
    let total = 0;
    for (const v of k) total += v;
    const out = Float64Array.from(meanChange);
    const denom = total + strength * this.typicalMass(restart);
    if (!(denom > 0)) return out;
    for (let j = 0; j < k.length; j++) {
      if (k[j] === 0) continue;
      const w = k[j] / denom;
      const s = changes[j];
      for (let g = 0; g < G; g++) out[g] += w * (s[g] - meanChange[g]);
    }
    return out;
  }

  private gramOf(restart: number): { K: Float64Array; diag: number } {
    let e = this.gram.get(restart);
    if (!e) {
      const n = this.basis.genes.length;
      const phi = this.basis.genes.map((g) => this.walk(g, restart));
      const K = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) K[i * n + j] = K[j * n + i] = dot(phi[i], phi[j]);
      let diag = 0;
      for (let i = 0; i < n; i++) diag += K[i * n + i];
      e = { K, diag: n ? diag / n : 1 };
      this.gram.set(restart, e);
    }
    return e;
  }

  private ridgeInverse(restart: number, ridge: number): Float64Array {
    const key = `${restart}:${ridge}`;
    let inv = this.inverses.get(key);
    if (!inv) {
      const n = this.basis.genes.length;
      const { K, diag } = this.gramOf(restart);
      const A = Float64Array.from(K);
      for (let i = 0; i < n; i++) A[i * n + i] += ridge * diag;
      this.inverses.set(key, (inv = inverseSpd(A, n)));
    }
    return inv;
  }

  /** β = (K + λI)⁻¹ (S − m), one row per trained gene */
  private beta(restart: number, ridge: number): Float64Array[] {
    const key = `${restart}:${ridge}`;
    let b = this.ridgeBeta.get(key);
    if (!b) {
      const { G, meanChange, changes } = this.basis;
      const n = changes.length;
      const inv = this.ridgeInverse(restart, ridge);
      b = Array.from({ length: n }, () => new Float64Array(G));
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const a = inv[i * n + j];
          const s = changes[j];
          const bi = b[i];
          for (let g = 0; g < G; g++) bi[g] += a * (s[g] - meanChange[g]);
        }
      }
      this.ridgeBeta.set(key, b);
    }
    return b;
  }

  /**
   * The ridge form for `gene`. With `exclude` = i (gene is trained gene i), the exact
   * leave-one-out prediction y_i − β_i / [(K + λI)⁻¹]_ii, which equals refitting without i.
   */
  ridge(gene: number, restart: number, ridge: number, exclude = -1): Float64Array {
    const { G, meanChange, changes } = this.basis;
    const n = changes.length;
    const beta = this.beta(restart, ridge);
    const out = Float64Array.from(meanChange);
    if (exclude >= 0) {
      const a = this.ridgeInverse(restart, ridge)[exclude * n + exclude];
      const s = changes[exclude];
      for (let g = 0; g < G; g++) out[g] = s[g] - beta[exclude][g] / a;
      return out;
    }
    const phi = this.walk(gene, restart);
    for (let j = 0; j < n; j++) {
      const k = dot(phi, this.walk(this.basis.genes[j], restart));
      if (k === 0) continue;
      const bj = beta[j];
      for (let g = 0; g < G; g++) out[g] += k * bj[g];
    }
    return out;
  }

  /**
   * The prediction of `params.form` for an unseen single `gene` (vocabulary index). `network` is the
   * network's own prediction for it (needed by `network` and `shrink` only).
   */
  predict(gene: number, params: UnseenParams, network?: ArrayLike<number>, exclude = -1): Float64Array {
    const { meanChange } = this.basis;
    let out: Float64Array;
    switch (params.form) {
      case 'training_mean':
        out = Float64Array.from(meanChange);
        break;
      case 'network':
      case 'shrink': {
        if (!network) throw new Error(`form ${params.form} needs the network's prediction`);
        const a = params.form === 'network' ? 1 : params.shrink;
        out = Float64Array.from(meanChange, (m, g) => m + a * (network[g] - m));
        break;
      }
      case 'kernel':
        out = this.kernel(gene, params.kernelRestart, params.kernelStrength, exclude);
        break;
      case 'ridge':
        out = this.ridge(gene, params.ridgeRestart, params.ridge, exclude);
        break;
      case 'blend': {
        const k = this.kernel(gene, params.kernelRestart, params.kernelStrength, exclude);
        const r = this.ridge(gene, params.ridgeRestart, params.ridge, exclude);
        out = k.map((v, g) => (v + r[g]) / 2);
        break;
      }
    }
    const t = this.basis.targetGene[gene];
    if (params.own && t >= 0) out[t] = params.own.intercept + params.own.slope * this.basis.controlMean[t];
    return out;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0 && b[i] !== 0) s += a[i] * b[i];
  return s;
}

/**
 * The own-expression rule fitted on the trained singles whose gene is measured (least squares of
 * its change on its control mean; the slope is 0 when the control means do not vary, as in a
 * log-fold-change table). `exclude` leaves one trained single out. Null with no such single.
 */
export function fitOwnExpression(basis: UnseenBasis, exclude = -1): OwnExpression | null {
  const xs: number[] = [];
  const ys: number[] = [];
  basis.genes.forEach((p, i) => {
    const t = basis.targetGene[p];
    if (t < 0 || i === exclude) return;
    xs.push(basis.controlMean[t]);
    ys.push(basis.changes[i][t]);
  });
  if (xs.length === 0) return null;
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) (sxx += (xs[i] - mx) ** 2), (sxy += (xs[i] - mx) * (ys[i] - my));
  const slope = n >= 3 && sxx > 1e-12 * n ? sxy / sxx : 0;
  return { intercept: my - slope * mx, slope };
}
