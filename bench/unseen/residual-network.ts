/**
 * Issue 11's first candidate for unseen genes, measured in bench:unseen: the network predicting the
 * deviation from the training mean ("residual on the mean"), alone and shrunk toward the mean.
 *
 * With the `moments` objective a condition enters the loss only through its mean change
 * m = mean(y) − mean(control) and its central moments, which a shift of its mean leaves alone. So
 * a network trained on the statistics with every perturbed condition's mean lowered by m̄ (the mean
 * change of the perturbed training conditions) learns exactly d = change − m̄; its prediction for a
 * gene is m̄ + d. The shrunk form is m̄ + α·d with α chosen on the validation singles (squared error,
 * the grid of the `shrink` form); with no validation single, α = 1.
 */
import { conditionGenes, type DatasetStats } from '@gears-pipeline/core';
import { DEFAULT_SHRINKS, disposeModel, networkOutputs, trainGears, type TrainArgs, type TrainInputs } from '@gears-pipeline/model';
import { observedChange, perturbedMeanChange } from './harness.ts';

export const RESIDUAL_NETWORK = 'network, residual on the mean';
export const RESIDUAL_NETWORK_SHRUNK = 'network, residual on the mean, shrunk (α on validation)';

/** The statistics with every perturbed condition's mean lowered by `shift` (control untouched). */
export function shiftedStats(stats: DatasetStats, shift: ArrayLike<number>): DatasetStats {
  const G = stats.genes.length;
  const mean = Float64Array.from(stats.mean);
  stats.conditions.forEach((c, row) => {
    if (c.isControl) return;
    for (let g = 0; g < G; g++) mean[row * G + g] -= shift[g];
  });
  return { ...stats, mean };
}

/** α minimising Σ‖m̄ + α·d − observed‖² over the cases, on the grid; 1 without cases. */
export function chooseAlpha(mbar: ArrayLike<number>, cases: { d: ArrayLike<number>; observed: ArrayLike<number> }[], grid: readonly number[] = DEFAULT_SHRINKS): number {
  if (cases.length === 0) return 1;
  let best = Infinity;
  let alpha = 1;
  for (const a of grid) {
    let e = 0;
    for (const c of cases) for (let g = 0; g < mbar.length; g++) e += (mbar[g] + a * c.d[g] - c.observed[g]) ** 2;
    if (e < best) [best, alpha] = [e, a];
  }
  return alpha;
}

/**
 * Trains the residual network on a split and returns its predictions (both rows) for the given
 * single-gene test conditions, keyed like scoreModel's predictions.
 */
export async function residualNetworkPredictions(
  args: Partial<TrainArgs>,
  inputs: TrainInputs,
  testConditions: string[],
): Promise<{ alpha: number; preds: Record<string, Float64Array[]> }> {
  const { stats, split } = inputs;
  const G = stats.genes.length;
  const mbar = perturbedMeanChange(stats, split);
  const r = await trainGears({ ...args, composition: 'network' }, { ...inputs, stats: shiftedStats(stats, mbar) });
  try {
    const pidx = new Map(r.model.pertVocabulary.map((g, i) => [g, i]));
    const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
    const valSingles = split.filter((a) => a.split === 'val' && rowOf.has(a.condition) && conditionGenes(a.condition).length === 1 && pidx.has(conditionGenes(a.condition)[0]));
    const dVal = valSingles.length ? networkOutputs(r.model, valSingles.map((a) => [pidx.get(conditionGenes(a.condition)[0])!])).delta : [];
    const alpha = chooseAlpha(mbar, valSingles.map((a, i) => ({ d: dVal[i], observed: observedChange(stats, rowOf.get(a.condition)!) })));
    const sets = testConditions.map((c) => conditionGenes(c).map((g) => pidx.get(g)!));
    const d = networkOutputs(r.model, sets).delta;
    const at = (a: number) => d.map((x) => Float64Array.from({ length: G }, (_, g) => mbar[g] + a * x[g]));
    return { alpha, preds: { [RESIDUAL_NETWORK]: at(1), [RESIDUAL_NETWORK_SHRUNK]: at(alpha) } };
  } finally {
    disposeModel(r.model);
  }
}
