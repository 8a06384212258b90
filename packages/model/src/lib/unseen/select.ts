/**
 * Choosing the unseen-single form on validation conditions only.
 *
 * Two kinds of validation case exist:
 * - the validation split's single perturbations (genes neither the network nor the closed forms
 *   saw): every form, network included, is scored on them;
 * - leave-one-out over the trained singles: each trained gene is predicted by the closed forms
 *   fitted without it (exact for `ridge`, by exclusion for `kernel`, refit for the own-expression
 *   rule). The network saw these genes, so it cannot be scored there.
 *
 * Hyper-parameters of the closed forms (restart, τ, λ, own-expression on/off) are picked by the
 * mean squared error over all genes on both kinds pooled; α of `shrink` on the validation singles.
 * The form is then picked on the validation singles when there are at least
 * MIN_VALIDATION_CONDITIONS of them; otherwise among the closed forms on the leave-one-out cases;
 * with too few of those as well, the reference network is kept and the reason recorded.
 * Picking = lowest rank sum of mean Pearson δ (higher better) and mean top-20 DE MSE (lower better),
 * ties broken by MSE over all genes.
 */
import { CLOSED_FORMS, fitOwnExpression, type OwnExpression, type UnseenFormName, type UnseenParams, type UnseenPredictor } from './forms.ts';
import { DEFAULT_RESTARTS } from './go-similarity.ts';

/** fewer validation conditions than this cannot decide between forms */
export const MIN_VALIDATION_CONDITIONS = 3;
export const DEFAULT_KERNEL_STRENGTHS: readonly number[] = [0.1, 0.3, 1, 3, 10];
export const DEFAULT_RIDGES: readonly number[] = [0.01, 0.1, 1, 10];
export const DEFAULT_SHRINKS: readonly number[] = [0, 0.125, 0.25, 0.375, 0.5, 0.75, 1];

/** A condition to score on: its gene, observed change, top-20 DE genes, and (validation split) the network's prediction. */
export interface UnseenCase {
  gene: number;
  observed: ArrayLike<number>;
  de: readonly number[];
  network?: ArrayLike<number>;
}

export interface FormScore {
  form: UnseenFormName;
  n: number;
  pearsonDelta: number;
  mseDe: number;
  mse: number;
}

export interface UnseenChoice {
  params: UnseenParams;
  /** where the form was chosen: the validation split, leave-one-out over trained singles, or no choice */
  decidedOn: 'validation' | 'leave-one-out' | 'fallback';
  reason: string;
  nValidation: number;
  nLeaveOneOut: number;
  /** every candidate's scores on the cases the choice was made on */
  scores: FormScore[];
}

export interface ChooseOptions {
  restarts?: readonly number[];
  kernelStrengths?: readonly number[];
  ridges?: readonly number[];
  shrinks?: readonly number[];
  /** restrict the candidates (e.g. to measure one form alone) */
  forms?: readonly UnseenFormName[];
  minValidation?: number;
}

export function caseMetrics(pred: ArrayLike<number>, c: UnseenCase): { pearsonDelta: number; mseDe: number; mse: number } {
  const n = pred.length;
  let sp = 0, so = 0;
  for (let g = 0; g < n; g++) (sp += pred[g]), (so += c.observed[g]);
  const mp = sp / n, mo = so / n;
  let cov = 0, vp = 0, vo = 0, se = 0;
  for (let g = 0; g < n; g++) {
    const a = pred[g] - mp, b = c.observed[g] - mo;
    cov += a * b;
    vp += a * a;
    vo += b * b;
    se += (pred[g] - c.observed[g]) ** 2;
  }
  const pearsonDelta = vp > 0 && vo > 0 ? cov / Math.sqrt(vp * vo) : 0;
  let de = 0;
  for (const g of c.de) de += (pred[g] - c.observed[g]) ** 2;
  return { pearsonDelta, mseDe: c.de.length ? de / c.de.length : 0, mse: se / n };
}

function squaredError(pred: ArrayLike<number>, obs: ArrayLike<number>): number {
  let s = 0;
  for (let g = 0; g < pred.length; g++) s += (pred[g] - obs[g]) ** 2;
  return s;
}

/** A case and how to predict it: leave-one-out cases exclude their own trained gene. */
interface Scored {
  c: UnseenCase;
  exclude: number;
  own: OwnExpression | null;
}

/** Fits the hyper-parameters and chooses the unseen-single form (see the module comment). */
export function chooseUnseenForm(predictor: UnseenPredictor, validation: readonly UnseenCase[], leaveOneOut: readonly UnseenCase[], opts: ChooseOptions = {}): UnseenChoice {
  const basis = predictor.basis;
  const minN = opts.minValidation ?? MIN_VALIDATION_CONDITIONS;
  const allowed = new Set(opts.forms ?? ['network', 'training_mean', 'shrink', 'kernel', 'ridge', 'blend']);
  const ownAll = fitOwnExpression(basis);
  const pooled: Scored[] = [
    ...leaveOneOut.map((c) => ({ c, exclude: basis.genes.indexOf(c.gene), own: fitOwnExpression(basis, basis.genes.indexOf(c.gene)) })),
    ...validation.map((c) => ({ c, exclude: -1, own: ownAll })),
  ];
  const params: UnseenParams = { form: 'network', shrink: 1, kernelRestart: DEFAULT_RESTARTS[0], kernelStrength: 1, ridgeRestart: DEFAULT_RESTARTS[0], ridge: 1, own: null };
  const canFit = basis.genes.length > 0 && pooled.length > 0;
  if (canFit) {
    let best = Infinity;
    for (const r of opts.restarts ?? DEFAULT_RESTARTS) {
      for (const t of opts.kernelStrengths ?? DEFAULT_KERNEL_STRENGTHS) {
        let e = 0;
        for (const s of pooled) e += squaredError(predictor.kernel(s.c.gene, r, t, s.exclude), s.c.observed);
        if (e < best) [best, params.kernelRestart, params.kernelStrength] = [e, r, t];
      }
    }
    best = Infinity;
    for (const r of opts.restarts ?? DEFAULT_RESTARTS) {
      for (const l of opts.ridges ?? DEFAULT_RIDGES) {
        let e = 0;
        for (const s of pooled) e += squaredError(predictor.ridge(s.c.gene, r, l, s.exclude), s.c.observed);
        if (e < best) [best, params.ridgeRestart, params.ridge] = [e, r, l];
      }
    }
  }
  // the own-expression rule is kept when it beats the kernel's value at the perturbed gene itself
  let ownGain = 0;
  let ownCases = 0;
  if (canFit && ownAll) {
    for (const s of pooled) {
      const t = basis.targetGene[s.c.gene];
      if (t < 0 || !s.own) continue;
      const k = predictor.kernel(s.c.gene, params.kernelRestart, params.kernelStrength, s.exclude)[t];
      const o = s.own.intercept + s.own.slope * basis.controlMean[t];
      ownGain += (k - s.c.observed[t]) ** 2 - (o - s.c.observed[t]) ** 2;
      ownCases++;
    }
  }
  const useOwn = ownCases > 0 && ownGain > 0;
  const withNet = validation.filter((c) => c.network);
  if (withNet.length > 0) {
    let best = Infinity;
    for (const a of opts.shrinks ?? DEFAULT_SHRINKS) {
      let e = 0;
      for (const c of withNet) e += squaredError(predictor.predict(c.gene, { ...params, form: 'shrink', shrink: a, own: null }, c.network), c.observed);
      if (e < best) [best, params.shrink] = [e, a];
    }
  }
  const scoreOn = (cases: Scored[], forms: UnseenFormName[]): FormScore[] =>
    forms.map((form) => {
      const m = cases.map((s) => caseMetrics(predictor.predict(s.c.gene, { ...params, form, own: useOwn && form !== 'network' ? s.own : null }, s.c.network, s.exclude), s.c));
      const mean = (f: (x: (typeof m)[number]) => number) => m.reduce((a, x) => a + f(x), 0) / Math.max(1, m.length);
      return { form, n: m.length, pearsonDelta: mean((x) => x.pearsonDelta), mseDe: mean((x) => x.mseDe), mse: mean((x) => x.mse) };
    });
  const finish = (decidedOn: UnseenChoice['decidedOn'], reason: string, scores: FormScore[]): UnseenChoice => {
    const form = decidedOn === 'fallback' ? 'network' : pick(scores);
    return { params: { ...params, form, own: useOwn && form !== 'network' ? ownAll : null }, decidedOn, reason, nValidation: validation.length, nLeaveOneOut: leaveOneOut.length, scores };
  };
  const closed = CLOSED_FORMS.filter((f) => allowed.has(f) && (canFit || f === 'training_mean'));
  if (withNet.length >= minN) {
    const forms = [...(['network', 'shrink'] as const).filter((f) => allowed.has(f)), ...closed];
    return finish('validation', `${withNet.length} validation singles (≥ ${minN})`, scoreOn(withNet.map((c) => ({ c, exclude: -1, own: ownAll })), forms));
  }
  const loo = pooled.filter((s) => s.exclude >= 0);
  if (loo.length >= minN && closed.length > 0) {
    return finish('leave-one-out', `${withNet.length} validation singles (< ${minN}): chose among the closed forms on ${loo.length} trained singles left out one at a time; the network cannot be validated there`, scoreOn(loo, closed));
  }
  return finish('fallback', `${withNet.length} validation singles and ${loo.length} trained singles (< ${minN} each): too few to choose, the reference network is kept`, []);
}

/** Lowest rank sum of Pearson δ (descending) and top-20 DE MSE (ascending); ties by MSE. */
export function pick(scores: readonly FormScore[]): UnseenFormName {
  const rank = (key: (s: FormScore) => number) => {
    const sorted = [...scores].sort((a, b) => key(a) - key(b));
    return new Map(scores.map((s) => [s.form, sorted.findIndex((x) => key(x) === key(s))]));
  };
  const rp = rank((s) => -s.pearsonDelta);
  const rd = rank((s) => s.mseDe);
  return [...scores].sort((a, b) => rp.get(a.form)! + rd.get(a.form)! - (rp.get(b.form)! + rd.get(b.form)!) || a.mse - b.mse)[0].form;
}
