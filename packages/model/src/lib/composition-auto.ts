/**
 * Fitting a model's composition after training (`train.composition` singles or auto).
 *
 * Both fit the unseen-single form first (unseen/select.ts: closed forms from the training singles,
 * hyper-parameters and form chosen on validation), so that a gene never perturbed in training is
 * predicted by the better single-gene predictor, alone and inside combinations; then the
 * composition's weights (composition.ts). `auto` also fits per-gene combination residuals
 * (combination-residuals.ts) and chooses, per kind of combination (0, 1 or 2 genes with a measured
 * single), between the network's own prediction, the composition and the composition plus
 * residuals, on the validation combinations of that kind; with fewer than MIN_VALIDATION_CONDITIONS
 * of them, on all validation combinations pooled; with fewer still, the reference network, and the
 * reason is kept.
 */
import { DEFAULT_RESIDUAL_RIDGES } from './combination-residuals.ts';
import { conditionGeneLists, silentLogger, type DatasetStats, type Logger } from '@gears-pipeline/core';
import { COMBO_KINDS, comboKind, composedDeltas, fitComposition, targetGenes, type ComboChoice, type ComboForm, type ComboKind, type Composition, type CompositionCondition, type CompositionName, type NetworkDeltas, type UnseenComposition } from './composition.ts';
import type { GearsModel } from './model.ts';
import { UnseenPredictor, type UnseenBasis } from './unseen/forms.ts';
import { caseMetrics, chooseUnseenForm, MIN_VALIDATION_CONDITIONS, type UnseenCase } from './unseen/select.ts';

function observed(stats: DatasetStats, row: number): Float64Array {
  const G = stats.genes.length;
  return Float64Array.from({ length: G }, (_, g) => stats.mean[row * G + g] - stats.mean[stats.controlIndex * G + g]);
}

/** Fits the composition of a trained model (mode singles or auto); see the module comment. */
export function fitModelComposition(
  model: GearsModel,
  mode: Exclude<CompositionName, 'network'>,
  stats: DatasetStats,
  sets: { train: CompositionCondition[]; val: CompositionCondition[] },
  net: NetworkDeltas,
  log: Logger = silentLogger,
): Composition {
  const G = stats.genes.length;
  const targetGene = targetGenes(model.pertVocabulary, model.genes);
  const perturbed = sets.train.filter((c) => c.perturbation.length > 0 && c.row !== stats.controlIndex);
  const trainedSingles = perturbed.filter((c) => c.perturbation.length === 1).sort((a, b) => a.perturbation[0] - b.perturbation[0]);
  const basisOf = (conditions: CompositionCondition[], singles: CompositionCondition[]) => {
    const meanChange = new Float64Array(G);
    for (const c of conditions) {
      const d = observed(stats, c.row);
      for (let g = 0; g < G; g++) meanChange[g] += d[g] / conditions.length;
    }
    return { G, meanChange, genes: singles.map((c) => c.perturbation[0]), changes: singles.map((c) => Float32Array.from(observed(stats, c.row))), targetGene, controlMean: model.controlMean };
  };
  const predictor = new UnseenPredictor(basisOf(perturbed, trainedSingles), model.goGraph);
  const changes = predictor.basis.changes;
  const valSingles = sets.val.filter((c) => c.perturbation.length === 1);
  const valNet = net(valSingles.map((c) => c.perturbation));
  const validation: UnseenCase[] = valSingles.map((c, i) => ({ gene: c.perturbation[0], observed: observed(stats, c.row), de: conditionGeneLists(stats, c.row).topDe20, network: valNet[i] }));
  const leaveOneOut: UnseenCase[] = trainedSingles.map((c, i) => ({ gene: c.perturbation[0], observed: changes[i], de: conditionGeneLists(stats, c.row).topDe20 }));
  const { params, ...choice } = chooseUnseenForm(predictor, validation, leaveOneOut);
  if (choice.decidedOn === 'fallback') log.warn('unseen_form_fallback', { reason: choice.reason });
  log.info('unseen_form_chosen', { form: params.form, ownExpression: params.own !== null, decidedOn: choice.decidedOn, reason: choice.reason, scores: choice.scores });
  const unseen = { predictor, params, choice };
  const fitted = fitComposition(net, stats, sets, targetGene, { unseen, ...(mode === 'auto' ? { residualRidges: DEFAULT_RESIDUAL_RIDGES } : {}) });
  // Chosen on validation, the form is refitted on training + validation singles (as the combination
  // weights are): a validation single is one more measured neighbour for a gene never perturbed.
  // The combination choices below score the training-only form (trainingOnly.unseen): no leak.
  const final = refitOnValidation(unseen, sets, perturbed, trainedSingles, basisOf, model.goGraph);
  const composition: Composition = { ...fitted, unseen: final, trainingOnly: { ...fitted.trainingOnly, unseen }, mode };
  if (final !== unseen) log.info('unseen_form_refitted', { form: params.form, singles: final.predictor.basis.genes.length, validationSingles: final.predictor.basis.genes.length - trainedSingles.length });
  if (composition.residuals) log.info('combination_residuals', { ridge: Number.isFinite(composition.residuals.ridge) ? composition.residuals.ridge : 'none', genes: composition.residuals.byPerturbation.size, reason: composition.residuals.reason });
  if (mode === 'auto') composition.combos = chooseComboForms(composition, stats, sets.val, net, log);
  return composition;
}

/**
 * The unseen-single form with its basis refitted on training + validation conditions (mean change
 * over both, measured singles of both, sorted by perturbation index); the same form unless there
 * are validation perturbations. Hyper-parameters and form stay those chosen on validation.
 */
function refitOnValidation(
  unseen: UnseenComposition,
  sets: { train: CompositionCondition[]; val: CompositionCondition[] },
  perturbed: CompositionCondition[],
  trainedSingles: CompositionCondition[],
  basisOf: (conditions: CompositionCondition[], singles: CompositionCondition[]) => UnseenBasis,
  go: GearsModel['goGraph'],
): UnseenComposition {
  const valPerturbed = sets.val.filter((c) => c.perturbation.length > 0);
  if (valPerturbed.length === 0) return unseen;
  const trained = new Set(trainedSingles.map((c) => c.perturbation[0]));
  const valSingles = valPerturbed.filter((c) => c.perturbation.length === 1 && !trained.has(c.perturbation[0]));
  const singles = [...trainedSingles, ...valSingles].sort((a, b) => a.perturbation[0] - b.perturbation[0]);
  return { ...unseen, predictor: new UnseenPredictor(basisOf([...perturbed, ...valPerturbed], singles), go) };
}

/** Network or composition per kind of combination, on the validation combinations (see the module comment). */
function chooseComboForms(composition: Composition, stats: DatasetStats, val: CompositionCondition[], net: NetworkDeltas, log: Logger): Record<ComboKind, ComboChoice> {
  const G = stats.genes.length;
  const combos = val.filter((c) => c.perturbation.length >= 2);
  // candidates in order of complexity: each must beat the choice so far (decide)
  const forms: ComboForm[] = composition.residuals?.byPerturbation.size ? ['network', 'singles', 'residuals'] : ['network', 'singles'];
  const everywhere = (form: ComboForm): Composition['combos'] => Object.fromEntries(COMBO_KINDS.map((k) => [k, { form, decidedOn: 'rule', reason: '', scores: [] }]));
  const sets = combos.map((c) => c.perturbation);
  const preds = { network: net(sets) } as Record<ComboForm, Float32Array[]>;
  // the compositions are scored as fitted on the training combinations only: the final fit has seen the validation combinations
  const heldOut = { ...composition, ...composition.trainingOnly };
  for (const form of forms.slice(1)) preds[form] = composedDeltas({ ...heldOut, combos: everywhere(form) }, net, sets, G);
  const cases = combos.map((c) => ({ kind: comboKind(c.perturbation, composition.singles), gene: -1, observed: observed(stats, c.row), de: conditionGeneLists(stats, c.row).topDe20 }));
  const scoreOn = (idx: number[]) =>
    forms.map((form) => {
      const m = idx.map((i) => caseMetrics(preds[form][i], cases[i]));
      const mean = (f: (x: (typeof m)[number]) => number) => m.reduce((a, x) => a + f(x), 0) / Math.max(1, m.length);
      return { form, n: m.length, pearsonDelta: mean((x) => x.pearsonDelta), mseDe: mean((x) => x.mseDe), mse: mean((x) => x.mse) };
    });
  const all = cases.map((_, i) => i);
  const out = {} as Record<ComboKind, ComboChoice>;
  for (const kind of COMBO_KINDS) {
    const mine = all.filter((i) => cases[i].kind === kind);
    let choice: ComboChoice;
    if (mine.length >= MIN_VALIDATION_CONDITIONS) choice = decideComboForm(scoreOn(mine), 'validation', `${mine.length} validation ${kind} combinations`);
    else if (all.length >= MIN_VALIDATION_CONDITIONS) choice = decideComboForm(scoreOn(all), 'pooled validation', `${mine.length} validation ${kind} combinations (< ${MIN_VALIDATION_CONDITIONS}): decided on all ${all.length} validation combinations`);
    else choice = { form: 'network', decidedOn: 'fallback', reason: `${all.length} validation combinations (< ${MIN_VALIDATION_CONDITIONS}): too few to choose, the reference network is kept`, scores: [] };
    if (choice.decidedOn === 'fallback') log.warn('combo_form_fallback', { kind, reason: choice.reason });
    log.info('combo_form_chosen', { kind, form: choice.form, decidedOn: choice.decidedOn, reason: choice.reason, scores: choice.scores });
    out[kind] = choice;
  }
  return out;
}

/**
 * Starting from the network (the reference), each candidate in turn replaces the choice so far when
 * it beats it on both Pearson δ and top-20 DE MSE, or on one of them and on MSE (exported for tests).
 */
export function decideComboForm(scores: ComboChoice['scores'], decidedOn: ComboChoice['decidedOn'], reason: string): ComboChoice {
  let chosen = scores[0];
  for (const s of scores.slice(1)) {
    const better = (s.pearsonDelta > chosen.pearsonDelta ? 1 : 0) + (s.mseDe < chosen.mseDe ? 1 : 0);
    if (better === 2 || (better === 1 && s.mse < chosen.mse)) chosen = s;
  }
  return { form: chosen.form, decidedOn, reason, scores };
}

/** How manifests and reports name a combination form. */
export const FORM_LABELS: Record<ComboForm, string> = { network: 'network', singles: 'composition', residuals: 'composition + gene residuals' };

/** Which form predicts which kind of condition (for manifests, run summaries and reports). */
export interface FormsInUse {
  composition: CompositionName;
  unseen_single: { form: string; own_expression: boolean; decided_on: string; reason: string; scores: unknown[] };
  combo_seen0: ComboFormInUse;
  combo_seen1: ComboFormInUse;
  combo_seen2: ComboFormInUse;
}

/** One kind of combination: its form, the choice, and for the residual form its μ and validation SSE per μ. */
export interface ComboFormInUse {
  form: string;
  decided_on: string;
  reason: string;
  scores: unknown[];
  residuals?: { ridge: number | null; genes: number; reason: string; selection: { ridge: number | null; valSse: number }[] };
}

/** The forms a model predicts with, per kind of condition (a model without composition: the network everywhere). */
export function formsInUse(composition: Composition | undefined): FormsInUse {
  const round = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(4)) : v)));
  if (!composition) {
    const net = { form: 'network', decided_on: 'setting', reason: 'train.composition network', scores: [] };
    return { composition: 'network', unseen_single: { ...net, own_expression: false }, combo_seen0: net, combo_seen1: net, combo_seen2: net };
  }
  const mode = composition.mode ?? 'singles';
  const u = composition.unseen;
  const unseen_single = u
    ? { form: u.params.form, own_expression: u.params.own !== null, decided_on: u.choice.decidedOn, reason: u.choice.reason, scores: round(u.choice.scores) }
    : { form: 'network', own_expression: false, decided_on: 'setting', reason: 'checkpoint written before unseen forms existed', scores: [] };
  const combo = (kind: ComboKind) => {
    const c = composition.combos?.[kind];
    const r = composition.residuals;
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    if (c && c.form === 'residuals' && r) {
      const residuals = { ridge: finite(r.ridge), genes: r.byPerturbation.size, reason: r.reason, selection: round(r.selection.map((x) => ({ ridge: finite(x.ridge), valSse: x.valSse }))) };
      return { form: FORM_LABELS[c.form], decided_on: c.decidedOn, reason: c.reason, scores: round(c.scores), residuals };
    }
    if (c) return { form: FORM_LABELS[c.form], decided_on: c.decidedOn, reason: c.reason, scores: round(c.scores) };
    return kind === 'combo_seen0' ? { form: 'network', decided_on: 'rule', reason: 'no gene with a measured single to compose', scores: [] } : { form: 'composition', decided_on: 'setting', reason: `train.composition ${mode}`, scores: [] };
  };
  return { composition: mode, unseen_single, combo_seen0: combo('combo_seen0'), combo_seen1: combo('combo_seen1'), combo_seen2: combo('combo_seen2') };
}
