/**
 * Composition `singles`: combinations predicted from single-gene effects instead of from the
 * network's fused embedding alone.
 *
 * Why: on Norman 2019 doubles the reference network predicts worse than simply adding the two
 * measured single-gene changes (Ahlmann-Eltze et al. 2025), and adding them overshoots: a double's
 * change is on average about two thirds of the sum (docs/experiments.md). So a combination P is
 *
 *   Δ(P) = w ⊙ Σ_{g∈P} s(g) + λ · (net(P) − Σ_{g∈P} net({g}))
 *
 * where s(g) is the measured change of the single perturbation of g when the model trained on it,
 * and the network's own prediction net({g}) otherwise (so genes never perturbed in training, the
 * combo_seen0/1 cases, still work through the GO graph); w is a per-gene weight fitted by ridge
 * regression on the training combinations, shrunk toward one global weight; λ scales the
 * network's interaction term. The ridge strength and λ are chosen on the validation combinations,
 * then w is refitted on training and validation combinations together.
 *
 * A single perturbation is s(g) itself. With no training combinations the composition is the plain
 * sum of single effects (w = 1, λ = 0). A combination none of whose genes has a measured single
 * (combo_seen0) has nothing measured to compose: the network predicts it whole, as the reference
 * does, and such combinations stay out of the fit. A perturbed gene's own expression, when it is measured,
 * is never weighted: CRISPR sets it directly, it is not a downstream effect to compose (it is left
 * out of the weight fit and predicted as the sum plus λ · interaction).
 *
 * Composition `auto` can add to this each perturbed gene's combination residual (what its
 * combinations repeatedly do beyond the composition; combination-residuals.ts), where validation
 * prefers it.
 */
import type { DatasetStats } from '@gears-pipeline/core';
import type { GearsModel } from './model.ts';
import type { UnseenParams, UnseenPredictor } from './unseen/forms.ts';
import { MIN_VALIDATION_CONDITIONS, type UnseenChoice } from './unseen/select.ts';
import { addResiduals, fitCombinationResiduals, type CombinationResiduals } from './combination-residuals.ts';

/**
 * 'network': the reference; 'singles': combinations composed from single effects; 'auto': the
 * unseen-single form and, per kind of combination, network or composition, chosen on validation
 * (composition-auto.ts).
 */
export type CompositionName = 'network' | 'singles' | 'auto';
export const COMPOSITION_NAMES: readonly CompositionName[] = ['network', 'singles', 'auto'];
/** kinds of combination by how many of their genes have a measured single in training */
export type ComboKind = 'combo_seen0' | 'combo_seen1' | 'combo_seen2';
export const COMBO_KINDS: readonly ComboKind[] = ['combo_seen0', 'combo_seen1', 'combo_seen2'];
/** 'residuals': the composition plus each perturbed gene's combination residual (combination-residuals.ts; auto only) */
export type ComboForm = 'network' | 'singles' | 'residuals';

/** How one kind of combination is predicted, and why. */
export interface ComboChoice {
  form: ComboForm;
  decidedOn: 'validation' | 'pooled validation' | 'fallback' | 'rule';
  reason: string;
  /** validation scores of both forms (empty when not decided on validation) */
  scores: { form: ComboForm; n: number; pearsonDelta: number; mseDe: number; mse: number }[];
}

/** The unseen-single form of a composition: fitted predictor, its parameters and the record of the choice. */
export interface UnseenComposition {
  predictor: UnseenPredictor;
  params: UnseenParams;
  choice: Omit<UnseenChoice, 'params'>;
}

/**
 * Ridge strengths tried, relative to the mean over genes of Σ_c S_cg² (so the grid does not
 * depend on the data's scale); Infinity = one global weight for every gene.
 */
export const DEFAULT_RIDGE_GRID: readonly number[] = [0.03, 0.1, 0.3, 1, 3, Infinity];
/** weights of the network's interaction term tried */
export const DEFAULT_INTERACTION_GRID: readonly number[] = [0, 0.25, 0.5, 1];
/** used when there are training combinations but none for validation */
export const FALLBACK_RIDGE = 1;

export interface Composition {
  /** measured change of each single perturbation the model trained on, by perturbation-vocabulary index */
  singles: Map<number, Float32Array>;
  /** per-gene weight of the summed single effects */
  geneWeights: Float32Array;
  /** the weight the per-gene weights are shrunk toward (least squares over all genes) */
  globalWeight: number;
  /** λ, the weight of the network's interaction term */
  interactionWeight: number;
  /** chosen relative ridge strength */
  ridge: number;
  /** combinations the weights were fitted on */
  nCombinations: number;
  /** measured-gene index of each perturbation-vocabulary gene, −1 when it is not measured */
  targetGene: Int32Array;
  /** validation sum of squared errors per (ridge, λ) tried, for the record */
  selection: { ridge: number; interactionWeight: number; valSse: number }[];
  /** 'singles' when absent (checkpoints written before 'auto' existed) */
  mode?: Exclude<CompositionName, 'network'>;
  /** single genes never perturbed in training (and inside combinations): this form instead of the network's single prediction */
  unseen?: UnseenComposition;
  /** per kind of combination, network or composition ('auto'); absent: composed, except combo_seen0 (network) */
  combos?: Partial<Record<ComboKind, ComboChoice>>;
  /** per-gene combination residuals ('auto'; used where combos chose 'residuals'); absent in checkpoints before format 3 */
  residuals?: CombinationResiduals;
  /**
   * The same composition fitted on the training combinations only (chosen ridge, λ and μ), to score
   * it on the validation combinations it has not seen (auto's per-kind choice); not saved
   */
  trainingOnly?: Partial<Pick<Composition, 'geneWeights' | 'globalWeight' | 'residuals' | 'unseen'>>;
}

/** A condition as training sees it: its statistics row and perturbation-vocabulary indices. */
export interface CompositionCondition {
  row: number;
  perturbation: number[];
}

export interface FitCompositionOptions {
  ridgeGrid?: readonly number[];
  interactionGrid?: readonly number[];
  /**
   * 'measured' (default): s(g) is the measured change of a trained single; 'network': always the
   * network's own single-gene prediction (kept for comparison: it composes the network's errors)
   */
  singleEffects?: 'measured' | 'network';
  /** the unseen-single form to use for genes without a measured single (default: the network's prediction) */
  unseen?: UnseenComposition;
  /**
   * μ grid of the per-gene combination residuals (combination-residuals.ts); fitted only when given
   * (composition auto) and there are ≥ MIN_VALIDATION_CONDITIONS validation combinations to choose μ
   */
  residualRidges?: readonly number[];
}

/** The single effect of a gene without a measured single: the unseen form when there is one and it is not the network. */
function unseenSingle(unseen: UnseenComposition | undefined, gene: number, net: Float32Array): Float32Array {
  if (!unseen || unseen.params.form === 'network') return net;
  return Float32Array.from(unseen.predictor.predict(gene, unseen.params, net));
}

/** Measured-gene index of each perturbation-vocabulary gene (−1 when not measured). */
export function targetGenes(pertVocabulary: readonly string[], genes: readonly string[]): Int32Array {
  const idx = new Map(genes.map((g, i) => [g, i]));
  return Int32Array.from(pertVocabulary, (g) => idx.get(g) ?? -1);
}

/** The network's raw change predictions (eval mode) for perturbation index sets. */
export type NetworkDeltas = (perturbations: number[][]) => Float32Array[];

interface Combination {
  perturbation: number[];
  /** measured-gene indices of the perturbed genes themselves */
  targets: number[];
  /** Σ s(g) */
  sum: Float32Array;
  /** net(P) − Σ net({g}) */
  interaction: Float32Array;
  observed: Float32Array;
}

function observedDelta(stats: DatasetStats, row: number): Float32Array {
  const G = stats.genes.length;
  const out = new Float32Array(G);
  const base = row * G;
  const ctrl = stats.controlIndex * G;
  for (let g = 0; g < G; g++) out[g] = stats.mean[base + g] - stats.mean[ctrl + g];
  return out;
}

/** Single effects s(g) and interaction terms for a list of perturbation sets, network calls batched. */
function composeInputs(singles: Map<number, Float32Array>, net: NetworkDeltas, sets: number[][], G: number, unseen?: UnseenComposition): { sum: Float32Array; interaction: Float32Array; joint?: Float32Array }[] {
  const genes = [...new Set(sets.flat())];
  const netSingle = new Map<number, Float32Array>();
  net(genes.map((g) => [g])).forEach((d, i) => netSingle.set(genes[i], d));
  const single = new Map<number, Float32Array>();
  for (const g of genes) single.set(g, singles.get(g) ?? unseenSingle(unseen, g, netSingle.get(g)!));
  const combos = sets.filter((p) => p.length >= 2);
  const netCombo = net(combos);
  let k = 0;
  return sets.map((p) => {
    const sum = new Float32Array(G);
    const interaction = new Float32Array(G);
    for (const gene of p) {
      const s = single.get(gene)!;
      for (let g = 0; g < G; g++) sum[g] += s[g];
    }
    if (p.length < 2) return { sum, interaction };
    const joint = netCombo[k++];
    interaction.set(joint);
    for (const gene of p) {
      const s = netSingle.get(gene)!;
      for (let g = 0; g < G; g++) interaction[g] -= s[g];
    }
    return { sum, interaction, joint };
  });
}

/** The kind of a combination: how many of its genes have a measured single (3+ genes count as at most 2). */
export function comboKind(perturbation: number[], singles: Map<number, Float32Array>): ComboKind {
  const seen = perturbation.filter((p) => singles.has(p)).length;
  return seen === 0 ? 'combo_seen0' : seen < perturbation.length ? 'combo_seen1' : 'combo_seen2';
}

/**
 * How a combination is predicted: by the per-kind choice of 'auto'; otherwise the network when
 * none of its genes has a measured single (combo_seen0), as the reference does, else the composition.
 */
function comboFormOf(perturbation: number[], singles: Map<number, Float32Array>, combos?: Composition['combos']): ComboForm {
  const kind = comboKind(perturbation, singles);
  return combos?.[kind]?.form ?? (kind === 'combo_seen0' ? 'network' : 'singles');
}

function networkOnly(perturbation: number[], singles: Map<number, Float32Array>, combos?: Composition['combos']): boolean {
  return perturbation.length >= 2 && comboFormOf(perturbation, singles, combos) === 'network';
}

function targetsOf(perturbation: number[], targetGene: Int32Array): number[] {
  return perturbation.map((p) => targetGene[p]).filter((g) => g >= 0);
}

interface Weights {
  geneWeights: Float32Array;
  globalWeight: number;
}

/** Per-gene ridge toward the global least-squares weight, on targets observed − λ·interaction. */
function fitWeights(combos: Combination[], lambda: number, ridge: number, G: number): Weights {
  const sxy = new Float64Array(G);
  const sxx = new Float64Array(G);
  for (const c of combos) {
    for (let g = 0; g < G; g++) {
      if (c.targets.includes(g)) continue;
      const x = c.sum[g];
      sxy[g] += x * (c.observed[g] - lambda * c.interaction[g]);
      sxx[g] += x * x;
    }
  }
  let totXY = 0, totXX = 0;
  for (let g = 0; g < G; g++) (totXY += sxy[g]), (totXX += sxx[g]);
  const globalWeight = totXX > 0 ? totXY / totXX : 1;
  const strength = ridge * (totXX / G);
  const geneWeights = new Float32Array(G);
  for (let g = 0; g < G; g++) {
    geneWeights[g] = !Number.isFinite(ridge) || !(sxx[g] + strength > 0) ? globalWeight : (sxy[g] + strength * globalWeight) / (sxx[g] + strength);
  }
  return { geneWeights, globalWeight };
}

/** The composed change of one combination (a perturbed gene's own expression unweighted). */
function composedOf(c: Combination, w: Weights, lambda: number, G: number): Float32Array {
  const out = new Float32Array(G);
  for (let g = 0; g < G; g++) out[g] = (c.targets.includes(g) ? 1 : w.geneWeights[g]) * c.sum[g] + lambda * c.interaction[g];
  return out;
}

function sse(combos: Combination[], w: Weights, lambda: number, G: number, residuals?: CombinationResiduals): number {
  let s = 0;
  for (const c of combos) {
    const p = addResiduals(composedOf(c, w, lambda, G), c.perturbation, residuals);
    for (let g = 0; g < G; g++) s += (p[g] - c.observed[g]) ** 2;
  }
  return s;
}

function residualCases(combos: Combination[], w: Weights, lambda: number, G: number) {
  return combos.map((c) => {
    const p = composedOf(c, w, lambda, G);
    for (let g = 0; g < G; g++) p[g] = c.observed[g] - p[g];
    return { perturbation: c.perturbation, residual: p };
  });
}

/**
 * Per-gene combination residuals on top of the chosen weights: μ on the validation combinations
 * (weights and residuals from training combinations only; no residuals, μ = Infinity, tried first
 * and kept on ties), then refitted on training + validation combinations with the final weights.
 */
function chooseResiduals(train: Combination[], val: Combination[], final: Weights, lambda: number, ridge: number, grid: readonly number[], G: number): { residuals: CombinationResiduals; trainingOnly?: CombinationResiduals } {
  if (train.length === 0 || val.length < MIN_VALIDATION_CONDITIONS) {
    return { residuals: { byPerturbation: new Map(), ridge: Infinity, selection: [], reason: `${train.length} training and ${val.length} validation combinations (need ≥ 1 and ≥ ${MIN_VALIDATION_CONDITIONS}): no residuals` } };
  }
  const wTrain = fitWeights(train, lambda, ridge, G);
  const cases = residualCases(train, wTrain, lambda, G);
  const selection: CombinationResiduals['selection'] = [];
  let best = Infinity;
  let mu = Infinity;
  for (const r of [Infinity, ...grid]) {
    const valSse = sse(val, wTrain, lambda, G, { byPerturbation: fitCombinationResiduals(cases, r, G), ridge: r, selection: [], reason: '' });
    selection.push({ ridge: r, valSse });
    if (valSse < best) [best, mu] = [valSse, r];
  }
  const all = [...train, ...val];
  const byPerturbation = fitCombinationResiduals(residualCases(all, final, lambda, G), mu, G);
  const reason = Number.isFinite(mu) ? `μ ${mu} lowest validation SSE over ${val.length} combinations` : `no μ beat the composition alone on ${val.length} validation combinations`;
  return { residuals: { byPerturbation, ridge: mu, selection, reason }, trainingOnly: { byPerturbation: fitCombinationResiduals(cases, mu, G), ridge: mu, selection, reason } };
}

/**
 * Fits the composition of a trained model: single effects from the training singles, weights
 * from the training combinations, ridge and λ chosen on the validation combinations.
 */
export function fitComposition(
  net: NetworkDeltas,
  stats: DatasetStats,
  conditions: { train: CompositionCondition[]; val: CompositionCondition[] },
  targetGene: Int32Array,
  opts: FitCompositionOptions = {},
): Composition {
  const G = stats.genes.length;
  const singles = new Map<number, Float32Array>();
  if ((opts.singleEffects ?? 'measured') === 'measured') {
    for (const c of conditions.train) if (c.perturbation.length === 1) singles.set(c.perturbation[0], observedDelta(stats, c.row));
  }
  const toCombos = (list: CompositionCondition[]): Combination[] => {
    const multi = list.filter((c) => c.perturbation.length >= 2 && !networkOnly(c.perturbation, singles));
    const parts = composeInputs(singles, net, multi.map((c) => c.perturbation), G, opts.unseen);
    return multi.map((c, i) => ({ ...parts[i], perturbation: c.perturbation, targets: targetsOf(c.perturbation, targetGene), observed: observedDelta(stats, c.row) }));
  };
  const train = toCombos(conditions.train);
  const val = toCombos(conditions.val);
  const selection: Composition['selection'] = [];
  if (train.length === 0 && val.length === 0) {
    return { singles, geneWeights: new Float32Array(G).fill(1), globalWeight: 1, interactionWeight: 0, ridge: Infinity, nCombinations: 0, targetGene, selection, ...(opts.unseen ? { unseen: opts.unseen } : {}) };
  }
  let ridge = FALLBACK_RIDGE;
  let lambda = 0;
  const ridges = opts.ridgeGrid ?? DEFAULT_RIDGE_GRID;
  const lambdas = opts.interactionGrid ?? DEFAULT_INTERACTION_GRID;
  if (ridges.length === 1) ridge = ridges[0];
  if (lambdas.length === 1) lambda = lambdas[0];
  if (train.length > 0 && val.length > 0 && ridges.length * lambdas.length > 1) {
    let best = Infinity;
    for (const r of ridges) {
      for (const l of lambdas) {
        const valSse = sse(val, fitWeights(train, l, r, G), l, G);
        selection.push({ ridge: r, interactionWeight: l, valSse });
        if (valSse < best) [best, ridge, lambda] = [valSse, r, l];
      }
    }
  }
  const all = [...train, ...val];
  const w = fitWeights(all, lambda, ridge, G);
  const fitted = opts.residualRidges ? chooseResiduals(train, val, w, lambda, ridge, opts.residualRidges, G) : undefined;
  // without training combinations the held-out composition is the plain sum (w = 1), as fitted on nothing
  const heldOutWeights = train.length > 0 ? fitWeights(train, lambda, ridge, G) : { geneWeights: new Float32Array(G).fill(1), globalWeight: 1 };
  const trainingOnly = val.length > 0 ? { ...heldOutWeights, ...(fitted?.trainingOnly ? { residuals: fitted.trainingOnly } : {}) } : undefined;
  return { singles, ...w, interactionWeight: lambda, ridge, nCombinations: all.length, targetGene, selection, ...(opts.unseen ? { unseen: opts.unseen } : {}), ...(fitted ? { residuals: fitted.residuals } : {}), ...(trainingOnly ? { trainingOnly } : {}) };
}

/** Changes predicted by a model with composition `singles` for perturbation index sets. */
export function composedDeltas(composition: Composition, net: NetworkDeltas, sets: number[][], G: number): Float32Array[] {
  const parts = composeInputs(composition.singles, net, sets, G, composition.unseen);
  return sets.map((p, i) => {
    const { sum, interaction, joint } = parts[i];
    if (p.length < 2) return sum;
    const form = comboFormOf(p, composition.singles, composition.combos);
    if (form === 'network') return joint!;
    const out = new Float32Array(G);
    for (let g = 0; g < G; g++) out[g] = composition.geneWeights[g] * sum[g] + composition.interactionWeight * interaction[g];
    for (const g of targetsOf(p, composition.targetGene)) out[g] = sum[g] + composition.interactionWeight * interaction[g];
    return form === 'residuals' ? addResiduals(out, p, composition.residuals) : out;
  });
}
