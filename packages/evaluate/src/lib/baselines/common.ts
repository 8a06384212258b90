/**
 * What every baseline needs from the statistics: control mean, observed changes of training
 * conditions, and the list of conditions to predict.
 */
import { conditionGenes, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';
import { controlMean } from '../metrics/context.ts';

export interface BaselineInput {
  stats: DatasetStats;
  split: readonly SplitAssignment[];
  /** conditions to predict; default: every non-control condition of the statistics */
  conditions?: readonly string[];
}

export interface TrainingView {
  G: number;
  control: Float64Array;
  /** training conditions other than control, with their observed change (mean − control) */
  perturbed: { name: string; genes: string[]; change: Float64Array }[];
  /** gene → observed change of its single-gene training condition */
  singles: Map<string, Float64Array>;
  /** mean change over the perturbed training conditions (zero when there are none) */
  meanChange: Float64Array;
}

export function trainingView(stats: DatasetStats, split: readonly SplitAssignment[]): TrainingView {
  const G = stats.genes.length;
  const control = controlMean(stats);
  const train = new Set(split.filter((s) => s.split === 'train').map((s) => s.condition));
  const perturbed: TrainingView['perturbed'] = [];
  stats.conditions.forEach((c, i) => {
    if (i === stats.controlIndex || c.isControl || !train.has(c.name)) return;
    const change = new Float64Array(G);
    for (let g = 0; g < G; g++) change[g] = stats.mean[i * G + g] - control[g];
    perturbed.push({ name: c.name, genes: c.genes.length ? c.genes : conditionGenes(c.name), change });
  });
  const singles = new Map<string, Float64Array>();
  for (const p of perturbed) if (p.genes.length === 1) singles.set(p.genes[0], p.change);
  const meanChange = new Float64Array(G);
  for (const p of perturbed) for (let g = 0; g < G; g++) meanChange[g] += p.change[g];
  if (perturbed.length) for (let g = 0; g < G; g++) meanChange[g] /= perturbed.length;
  return { G, control, perturbed, singles, meanChange };
}

export function targetConditions(input: BaselineInput): string[] {
  if (input.conditions) return [...input.conditions];
  return input.stats.conditions.filter((c, i) => i !== input.stats.controlIndex && !c.isControl).map((c) => c.name);
}

export function plus(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}
