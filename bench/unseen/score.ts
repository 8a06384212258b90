/**
 * Scoring for bench:unseen: per test condition and model, Pearson δ (all genes), top-20 DE MSE and
 * L2; aggregation to mean ± sd over units (folds × seeds, or split seeds), and the paired Wilcoxon
 * signed-rank test over conditions (each condition's values averaged over the units it was tested in).
 */
import { conditionGeneLists, conditionGenes, type DatasetStats, type GeneGraph, type SplitAssignment } from '@gears-pipeline/core';
import { additiveBaseline, linearBaseline, trainingMeanBaseline, wilcoxonSignedRank } from '@gears-pipeline/evaluate';
import { caseMetrics, chooseUnseenForm, CLOSED_FORMS, networkOutputs, predictOutputs, targetGenes, UNSEEN_FORM_NAMES, UnseenPredictor, type GearsModel, type UnseenCase, type UnseenChoice } from '@gears-pipeline/model';
import { observedChange, perturbedMeanChange } from './harness.ts';

export interface ScoreRow {
  unit: string;
  condition: string;
  subgroup: string;
  model: string;
  pearsonDelta: number;
  mseDe: number;
  l2: number;
}

export const METRICS = ['pearsonDelta', 'mseDe', 'l2'] as const;
export type Metric = (typeof METRICS)[number];
/** the model the issue asks about, and what it must beat */
export const CHOSEN = 'gears auto (chosen)';
export const COMPARED = ['training_mean', 'linear'] as const;
/**
 * The training mean over training + validation perturbations: the forms are refitted on both after
 * the choice, so this row shows how much of their gain is only the validation conditions' data.
 */
export const TRAIN_VAL_MEAN = 'training_mean (train + val)';
/** the chosen form as fitted before the refit on validation singles (what it was before that change) */
export const TRAINING_ONLY = 'gears auto, form fitted on training only';

function trainValMean(stats: DatasetStats, split: SplitAssignment[], conditions: string[]): Float64Array[] {
  const G = stats.genes.length;
  const ctrl = stats.mean.subarray(stats.controlIndex * G, (stats.controlIndex + 1) * G);
  const asTrain = split.map((a) => (a.split === 'val' ? { ...a, split: 'train' as const } : a));
  const b = trainingMeanBaseline({ stats, split: asTrain, conditions });
  return conditions.map((c) => Float64Array.from(b.mean.get(c)!, (v, g) => v - ctrl[g]));
}

/**
 * Scores a trained model (composition auto) on the test conditions of its split: the network, the
 * chosen forms, every unseen-single form with the hyper-parameters chosen on validation, and the
 * evaluate package's baselines.
 */
export function scoreModel(unit: string, stats: DatasetStats, split: SplitAssignment[], model: GearsModel): ScoreRow[] {
  const G = stats.genes.length;
  const pidx = new Map(model.pertVocabulary.map((g, i) => [g, i]));
  const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const test = split.filter((a) => a.split === 'test' && rowOf.has(a.condition) && conditionGenes(a.condition).every((g) => pidx.has(g)) && conditionGenes(a.condition).length > 0);
  const sets = test.map((a) => conditionGenes(a.condition).map((g) => pidx.get(g)!));
  const conditions = test.map((a) => a.condition);
  const preds: Record<string, ArrayLike<number>[]> = {
    'gears network (reference)': networkOutputs(model, sets).delta,
    [CHOSEN]: predictOutputs(model, sets).delta,
  };
  const u = model.composition?.unseen;
  const trainOnly = model.composition?.trainingOnly?.unseen;
  if (u && trainOnly && trainOnly !== u) preds[TRAINING_ONLY] = sets.map((p, i) => (p.length === 1 ? trainOnly.predictor.predict(p[0], u.params, preds['gears network (reference)'][i]) : new Float64Array(0)));
  if (u) {
    for (const form of UNSEEN_FORM_NAMES) {
      if (form === 'network') continue;
      preds[`form ${form}`] = sets.map((p, i) => (p.length === 1 ? u.predictor.predict(p[0], { ...u.params, form }, preds['gears network (reference)'][i]) : new Float64Array(0)));
    }
  }
  const ctrl = stats.mean.subarray(stats.controlIndex * G, (stats.controlIndex + 1) * G);
  for (const b of [trainingMeanBaseline({ stats, split, conditions }), linearBaseline({ stats, split, conditions }), additiveBaseline({ stats, split, conditions })]) {
    preds[b.model] = conditions.map((c) => b.mean.get(c)!.map((v, g) => v - ctrl[g]));
  }
  preds[TRAIN_VAL_MEAN] = trainValMean(stats, split, conditions);
  return scorePredictions(unit, stats, split, conditions, preds);
}

/** The single-gene test conditions of a split that a model with this vocabulary can predict. */
export function testSingles(stats: DatasetStats, split: SplitAssignment[], vocabulary: readonly string[]): string[] {
  const names = new Set(stats.conditions.map((c) => c.name));
  const vocab = new Set(vocabulary);
  return split.filter((a) => a.split === 'test' && names.has(a.condition) && conditionGenes(a.condition).length === 1 && vocab.has(conditionGenes(a.condition)[0])).map((a) => a.condition);
}

/** Rows for predictions of test conditions (by model name, in the order of `conditions`; an empty prediction is not scored). */
export function scorePredictions(unit: string, stats: DatasetStats, split: SplitAssignment[], conditions: string[], preds: Record<string, ArrayLike<number>[]>): ScoreRow[] {
  const G = stats.genes.length;
  const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const subgroup = new Map(split.map((a) => [a.condition, a.subgroup]));
  const rows: ScoreRow[] = [];
  conditions.forEach((condition, i) => {
    const row = rowOf.get(condition)!;
    const c = { gene: -1, observed: observedChange(stats, row), de: conditionGeneLists(stats, row).topDe20 };
    for (const [model, p] of Object.entries(preds)) {
      if (p[i].length === 0) continue;
      const m = caseMetrics(p[i], c);
      rows.push({ unit, condition, subgroup: subgroup.get(condition) ?? '', model, pearsonDelta: m.pearsonDelta, mseDe: m.mseDe, l2: Math.sqrt(m.mse * G) });
    }
  });
  return rows;
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / Math.max(1, x.length);
const sd = (x: number[]) => (x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1)) : 0);
const r4 = (x: number) => Number(x.toFixed(4));

export interface Summary {
  /** per subgroup → model → metric: mean and sd over units of the per-unit means, and conditions scored */
  table: Record<string, Record<string, Record<Metric, { mean: number; sd: number }> & { n: number; units: number }>>;
  /** per subgroup → 'chosen vs X' → metric: the paired test over conditions */
  tests: Record<string, Record<string, Record<'pearsonDelta' | 'mseDe', { n: number; wPlus: number; p: number; method: string; medianDifference: number }>>>;
}

export function summarise(rows: ScoreRow[]): Summary {
  const table: Summary['table'] = {};
  const tests: Summary['tests'] = {};
  const subgroups = [...new Set(rows.map((r) => r.subgroup))].sort();
  for (const sub of subgroups) {
    const mine = rows.filter((r) => r.subgroup === sub);
    table[sub] = {};
    for (const model of [...new Set(mine.map((r) => r.model))]) {
      const rs = mine.filter((r) => r.model === model);
      const units = [...new Set(rs.map((r) => r.unit))];
      const entry = { n: rs.length, units: units.length } as Summary['table'][string][string];
      for (const m of METRICS) {
        const perUnit = units.map((u) => mean(rs.filter((r) => r.unit === u).map((r) => r[m])));
        entry[m] = { mean: r4(mean(perUnit)), sd: r4(sd(perUnit)) };
      }
      table[sub][model] = entry;
    }
    tests[sub] = {};
    const byCondition = (model: string, m: Metric) => {
      const out = new Map<string, number[]>();
      for (const r of mine) if (r.model === model) (out.get(r.condition) ?? out.set(r.condition, []).get(r.condition)!).push(r[m]);
      return new Map([...out].map(([k, v]) => [k, mean(v)]));
    };
    for (const other of COMPARED) {
      const t = {} as Summary['tests'][string][string];
      for (const m of ['pearsonDelta', 'mseDe'] as const) {
        const a = byCondition(CHOSEN, m);
        const b = byCondition(other, m);
        const keys = [...a.keys()].filter((k) => b.has(k));
        const w = wilcoxonSignedRank(keys.map((k) => a.get(k)!), keys.map((k) => b.get(k)!));
        t[m] = { n: w.n, wPlus: w.wPlus, p: Number(w.p.toPrecision(3)), method: w.method, medianDifference: r4(w.medianDifference) };
      }
      tests[sub][`chosen vs ${other}`] = t;
    }
  }
  return { table, tests };
}

/**
 * Without a network (UNSEEN_NETWORK=0, for a loaded machine): the closed forms fitted from the
 * split's training singles exactly as composition auto fits them, chosen among themselves on
 * leave-one-out over the trained singles plus the validation singles (the network and `shrink`
 * need a trained network and are left out).
 */
export function scoreClosedForms(unit: string, stats: DatasetStats, split: SplitAssignment[], goGraph: GeneGraph): { rows: ScoreRow[]; choice: UnseenChoice } {
  const G = stats.genes.length;
  const vocab = goGraph.nodes;
  const pidx = new Map(vocab.map((g, i) => [g, i]));
  const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const single = (which: string) => split.filter((a) => a.split === which && rowOf.has(a.condition) && !stats.conditions[rowOf.get(a.condition)!].isControl && conditionGenes(a.condition).length === 1 && pidx.has(conditionGenes(a.condition)[0]));
  const meanChange = perturbedMeanChange(stats, split);
  const trained = single('train').sort((a, b) => pidx.get(conditionGenes(a.condition)[0])! - pidx.get(conditionGenes(b.condition)[0])!);
  const asCase = (a: SplitAssignment): UnseenCase & { condition: string; subgroup: string } => ({ condition: a.condition, subgroup: a.subgroup || 'unseen_single', gene: pidx.get(conditionGenes(a.condition)[0])!, observed: observedChange(stats, rowOf.get(a.condition)!), de: conditionGeneLists(stats, rowOf.get(a.condition)!).topDe20 });
  const loo = trained.map(asCase);
  const controlMean = stats.mean.subarray(stats.controlIndex * G, (stats.controlIndex + 1) * G);
  const predictor = new UnseenPredictor({ G, meanChange, genes: loo.map((c) => c.gene), changes: loo.map((c) => c.observed), targetGene: targetGenes(vocab, stats.genes.map((g) => g.gene)), controlMean }, goGraph);
  const choice = chooseUnseenForm(predictor, single('val').map(asCase), loo);
  // as composition auto does: the chosen form refitted on training + validation singles and perturbations
  const finalMean = perturbedMeanChange(stats, split, ['train', 'val']);
  const basisCases = [...trained, ...single('val')].sort((a, b) => pidx.get(conditionGenes(a.condition)[0])! - pidx.get(conditionGenes(b.condition)[0])!).map(asCase);
  const refitted = new UnseenPredictor({ ...predictor.basis, meanChange: finalMean, genes: basisCases.map((c) => c.gene), changes: basisCases.map((c) => c.observed) }, goGraph);
  const test = single('test').map(asCase);
  const conditions = test.map((c) => c.condition);
  const preds: Record<string, ArrayLike<number>[]> = { [CHOSEN]: test.map((c) => refitted.predict(c.gene, choice.params)) };
  for (const form of CLOSED_FORMS) preds[`form ${form}`] = test.map((c) => refitted.predict(c.gene, { ...choice.params, form }));
  preds[TRAINING_ONLY] = test.map((c) => predictor.predict(c.gene, choice.params));
  const ctrl = controlMean;
  for (const b of [trainingMeanBaseline({ stats, split, conditions }), linearBaseline({ stats, split, conditions })]) preds[b.model] = conditions.map((c) => b.mean.get(c)!.map((v, g) => v - ctrl[g]));
  preds[TRAIN_VAL_MEAN] = trainValMean(stats, split, conditions);
  const rows: ScoreRow[] = [];
  test.forEach((c, i) => {
    for (const [name, p] of Object.entries(preds)) {
      const m = caseMetrics(p[i], c);
      rows.push({ unit, condition: c.condition, subgroup: c.subgroup, model: name, pearsonDelta: m.pearsonDelta, mseDe: m.mseDe, l2: Math.sqrt(m.mse * G) });
    }
  });
  return { rows, choice };
}
