/** Leave-genes-out folds for bench:unseen, and the observed change of a condition. */
import { conditionGenes, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';
import { shuffled } from '../norman-doubles/protocol.ts';

export interface Fold {
  fold: number;
  seed: number;
  split: SplitAssignment[];
  testGenes: string[];
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

/**
 * Mean change over a split's perturbed conditions in the given sets (default the training set):
 * what `training_mean` predicts, and the centre of the unseen-single forms.
 */
export function perturbedMeanChange(stats: DatasetStats, split: SplitAssignment[], sets: readonly SplitAssignment['split'][] = ['train']): Float64Array {
  const G = stats.genes.length;
  const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const rows = split.filter((a) => sets.includes(a.split) && rowOf.has(a.condition) && !stats.conditions[rowOf.get(a.condition)!].isControl && conditionGenes(a.condition).length > 0).map((a) => rowOf.get(a.condition)!);
  const m = new Float64Array(G);
  for (const r of rows) {
    const d = observedChange(stats, r);
    for (let g = 0; g < G; g++) m[g] += d[g] / rows.length;
  }
  return m;
}
