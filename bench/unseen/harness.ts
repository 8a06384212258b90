/**
 * What bench:unseen needs around the unseen-single forms: leave-genes-out folds, the cases the
 * forms are validated and tested on, and the baselines (training_mean, linear from evaluate).
 */
import { CONTROL, conditionGeneLists, conditionGenes, mulberry32, type DatasetStats, type GeneGraph, type SplitAssignment } from '@gears-pipeline/core';
import { linearBaseline, trainingMeanBaseline } from '@gears-pipeline/evaluate';
import { caseMetrics, chooseUnseenForm, targetGenes, UnseenPredictor, type UnseenCase, type UnseenChoice, type UnseenFormName } from '@gears-pipeline/model';

export interface Fold {
  fold: number;
  seed: number;
  split: SplitAssignment[];
  testGenes: string[];
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Leave-genes-out folds over the genes with a single perturbation: a fold's genes are test, every
 * condition containing one of them is left out of training (so they are never seen perturbed);
 * of the remaining single genes a share `valFraction` is validation (their conditions likewise).
 */
export function geneFolds(stats: DatasetStats, vocabulary: ReadonlySet<string>, nFolds: number, seed: number, valFraction = 0.15): Fold[] {
  const singles = stats.conditions.filter((c) => !c.isControl && conditionGenes(c.name).length === 1 && vocabulary.has(conditionGenes(c.name)[0])).map((c) => conditionGenes(c.name)[0]);
  const order = shuffled([...new Set(singles)].sort(), seed);
  const folds: Fold[] = [];
  for (let f = 0; f < nFolds; f++) {
    const test = new Set(order.filter((_, i) => i % nFolds === f));
    const rest = shuffled(order.filter((g) => !test.has(g)), seed * 1000 + f);
    const val = new Set(rest.slice(0, Math.max(1, Math.round(rest.length * valFraction))));
    const split: SplitAssignment[] = [];
    for (const c of stats.conditions) {
      if (c.isControl) {
        split.push({ condition: c.name, split: 'train', subgroup: '' });
        continue;
      }
      const genes = conditionGenes(c.name);
      if (genes.some((g) => test.has(g))) {
        if (genes.length === 1) split.push({ condition: c.name, split: 'test', subgroup: 'unseen_single' });
      } else if (genes.some((g) => val.has(g))) {
        if (genes.length === 1) split.push({ condition: c.name, split: 'val', subgroup: 'unseen_single' });
      } else split.push({ condition: c.name, split: 'train', subgroup: '' });
    }
    folds.push({ fold: f + 1, seed, split, testGenes: [...test].sort() });
  }
  return folds;
}

export function observedChange(stats: DatasetStats, row: number): Float64Array {
  const G = stats.genes.length;
  return Float64Array.from({ length: G }, (_, g) => stats.mean[row * G + g] - stats.mean[stats.controlIndex * G + g]);
}

export interface UnseenSetup {
  predictor: UnseenPredictor;
  validation: UnseenCase[];
  leaveOneOut: UnseenCase[];
  test: (UnseenCase & { condition: string })[];
}

/**
 * The forms' basis from a split: training singles (measured changes), the training mean change,
 * validation and test single cases (with the network's predictions when `network` is given).
 */
export function unseenSetup(stats: DatasetStats, split: readonly SplitAssignment[], goGraph: GeneGraph, network?: (genes: number[]) => ArrayLike<number>[]): UnseenSetup {
  const vocab = goGraph.nodes;
  const pidx = new Map(vocab.map((g, i) => [g, i]));
  const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const G = stats.genes.length;
  const meanChange = new Float64Array(G);
  const genes: number[] = [];
  const changes: Float64Array[] = [];
  const loo: UnseenCase[] = [];
  let nPerturbed = 0;
  const singleCases = (which: 'val' | 'test') =>
    split
      .filter((a) => a.split === which && conditionGenes(a.condition).length === 1 && pidx.has(conditionGenes(a.condition)[0]) && rowOf.has(a.condition))
      .map((a) => ({ condition: a.condition, gene: pidx.get(conditionGenes(a.condition)[0])!, observed: observedChange(stats, rowOf.get(a.condition)!), de: conditionGeneLists(stats, rowOf.get(a.condition)!).topDe20 }));
  for (const a of split) {
    if (a.split !== 'train' || a.condition === CONTROL) continue;
    const row = rowOf.get(a.condition);
    if (row === undefined || stats.conditions[row].isControl) continue;
    const d = observedChange(stats, row);
    for (let g = 0; g < G; g++) meanChange[g] += d[g];
    nPerturbed++;
    const gs = conditionGenes(a.condition);
    if (gs.length === 1 && pidx.has(gs[0])) {
      genes.push(pidx.get(gs[0])!);
      changes.push(d);
      loo.push({ gene: pidx.get(gs[0])!, observed: d, de: conditionGeneLists(stats, row).topDe20 });
    }
  }
  if (nPerturbed) for (let g = 0; g < G; g++) meanChange[g] /= nPerturbed;
  const controlMean = stats.mean.subarray(stats.controlIndex * G, (stats.controlIndex + 1) * G);
  const predictor = new UnseenPredictor({ G, meanChange, genes, changes, targetGene: targetGenes(vocab, stats.genes.map((g) => g.gene)), controlMean }, goGraph);
  const validation = singleCases('val');
  const test = singleCases('test');
  if (network) {
    const vn = network(validation.map((c) => c.gene));
    validation.forEach((c, i) => ((c as UnseenCase).network = vn[i]));
    const tn = network(test.map((c) => c.gene));
    test.forEach((c, i) => ((c as UnseenCase).network = tn[i]));
  }
  return { predictor, validation, leaveOneOut: loo, test };
}

export interface GeneScore {
  condition: string;
  pearsonDelta: number;
  mseDe: number;
  l2: number;
}

/** Test-gene scores of every form (with the chosen hyper-parameters), the chosen form and the baselines. */
export function scoreFold(stats: DatasetStats, split: SplitAssignment[], setup: UnseenSetup, forms: readonly UnseenFormName[]): { choice: UnseenChoice; models: Record<string, GeneScore[]> } {
  const choice = chooseUnseenForm(setup.predictor, setup.validation, setup.leaveOneOut);
  const models: Record<string, GeneScore[]> = {};
  const score = (c: UnseenCase & { condition: string }, pred: ArrayLike<number>): GeneScore => {
    const m = caseMetrics(pred, c);
    return { condition: c.condition, pearsonDelta: m.pearsonDelta, mseDe: m.mseDe, l2: Math.sqrt(m.mse * pred.length) };
  };
  for (const form of forms) {
    if ((form === 'network' || form === 'shrink') && !setup.test[0]?.network) continue;
    models[form] = setup.test.map((c) => score(c, setup.predictor.predict(c.gene, { ...choice.params, form, own: form === 'network' ? null : choice.params.own }, c.network)));
  }
  models.chosen = setup.test.map((c) => score(c, setup.predictor.predict(c.gene, choice.params, c.network)));
  const conditions = setup.test.map((c) => c.condition);
  const ctrl = stats.mean.subarray(stats.controlIndex * stats.genes.length, (stats.controlIndex + 1) * stats.genes.length);
  for (const base of [trainingMeanBaseline({ stats, split, conditions }), linearBaseline({ stats, split, conditions })]) {
    models[`baseline ${base.model}`] = setup.test.map((c) => score(c, base.mean.get(c.condition)!.map((v, g) => v - ctrl[g])));
  }
  return { choice, models };
}
