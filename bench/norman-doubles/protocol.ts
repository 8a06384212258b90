/**
 * The double-perturbation protocol of Ahlmann-Eltze, Huber & Anders (Nat Methods 2025) on the
 * whole Norman 2019 screen (bundled pseudobulk log fold changes): train on every single and half
 * of the doubles, test on the other half, over seeded random partitions.
 *
 * Only doubles whose two singles were both measured are partitioned (126 of 130), so the additive
 * baseline is defined on every test double; the 4 ZBTB10 doubles (single never measured) always
 * train. A fifth of the training doubles is held out as validation for early stopping and for
 * choosing the composition's interaction weight; the additive baseline ignores it.
 */
import { CONTROL, conditionGenes, mulberry32, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';

export const DEFAULT_PARTITIONS = 5;
/** share of the training doubles held out for validation */
export const VALIDATION_FRACTION = 0.2;

export interface Partition {
  seed: number;
  split: SplitAssignment[];
  trainDoubles: string[];
  valDoubles: string[];
  testDoubles: string[];
}

/** A seeded Fisher–Yates shuffle (copy). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Doubles whose two single perturbations are both in the data set. */
export function doublesWithBothSingles(stats: DatasetStats): string[] {
  const names = new Set(stats.conditions.map((c) => c.name));
  return stats.conditions
    .filter((c) => c.genes.length === 2 && c.genes.every((g) => names.has(`${g}+${CONTROL}`)))
    .map((c) => c.name)
    .sort();
}

export function makePartition(stats: DatasetStats, seed: number): Partition {
  const eligible = doublesWithBothSingles(stats);
  const order = shuffled(eligible, seed);
  const half = Math.floor(order.length / 2);
  const testDoubles = order.slice(half).sort();
  const trainPool = order.slice(0, half);
  const nVal = Math.round(trainPool.length * VALIDATION_FRACTION);
  const valDoubles = trainPool.slice(0, nVal).sort();
  const eligibleSet = new Set(eligible);
  const trainDoubles = [...trainPool.slice(nVal), ...stats.conditions.filter((c) => c.genes.length >= 2 && !eligibleSet.has(c.name)).map((c) => c.name)].sort();
  const val = new Set(valDoubles);
  const test = new Set(testDoubles);
  const split: SplitAssignment[] = stats.conditions.map((c) =>
    test.has(c.name)
      ? { condition: c.name, split: 'test', subgroup: 'combo_seen2' }
      : val.has(c.name)
        ? { condition: c.name, split: 'val', subgroup: 'combo_seen2' }
        : { condition: c.name, split: 'train', subgroup: '' },
  );
  return { seed, split, trainDoubles, valDoubles, testDoubles };
}

/** The observed change of a condition against control (row minus control row). */
export function observedDelta(stats: DatasetStats, condition: string): Float64Array {
  const G = stats.genes.length;
  const c = stats.conditions.findIndex((x) => x.name === condition);
  if (c < 0) throw new Error(`no condition ${condition}`);
  const out = new Float64Array(G);
  for (let g = 0; g < G; g++) out[g] = stats.mean[c * G + g] - stats.mean[stats.controlIndex * G + g];
  return out;
}

export function singleName(gene: string): string {
  return `${gene}+${CONTROL}`;
}

export { conditionGenes };
