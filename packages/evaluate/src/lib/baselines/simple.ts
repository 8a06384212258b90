/**
 * The three model-free baselines: no change, training mean, additive.
 */
import { conditionGenes, geneNames } from '@gears-pipeline/core';
import type { ModelPredictions } from '../types.ts';
import { perturbedCentroid } from '../metrics/context.ts';
import { plus, targetConditions, trainingView, type BaselineInput } from './common.ts';

/** Every condition predicted as the control mean ("no change"). */
export function noChangeBaseline(input: BaselineInput): ModelPredictions {
  const view = trainingView(input.stats, input.split);
  const mean = new Map<string, Float64Array>();
  for (const c of targetConditions(input)) mean.set(c, Float64Array.from(view.control));
  return { model: 'no_change', genes: geneNames(input.stats), mean };
}

/**
 * Every condition predicted as control + the mean change over the perturbed training conditions,
 * i.e. the mean of their mean expression (computed that way, so it equals the Systema centroid
 * bit for bit). Without perturbed training conditions this is the control mean.
 */
export function trainingMeanBaseline(input: BaselineInput): ModelPredictions {
  const view = trainingView(input.stats, input.split);
  const pred = view.perturbed.length ? perturbedCentroid(input.stats, input.split) : view.control;
  const mean = new Map<string, Float64Array>();
  for (const c of targetConditions(input)) mean.set(c, Float64Array.from(pred));
  return { model: 'training_mean', genes: geneNames(input.stats), mean };
}

/**
 * control + Σ over the condition's genes of the observed change of that gene's single
 * perturbation, taken only from the training split (a held-out single is never looked at).
 * A gene without a training single contributes the training mean change instead, and the
 * condition is flagged — for an unseen single this makes the prediction the training mean.
 */
export function additiveBaseline(input: BaselineInput): ModelPredictions {
  const view = trainingView(input.stats, input.split);
  const mean = new Map<string, Float64Array>();
  const flags = new Map<string, string>();
  for (const c of targetConditions(input)) {
    let pred: Float64Array = Float64Array.from(view.control);
    const missing: string[] = [];
    for (const gene of conditionGenes(c)) {
      const single = view.singles.get(gene);
      if (!single) missing.push(gene);
      pred = plus(pred, single ?? view.meanChange);
    }
    mean.set(c, pred);
    if (missing.length) flags.set(c, `no training single for ${missing.join(', ')}: training mean change used`);
  }
  return { model: 'additive', genes: geneNames(input.stats), mean, flags };
}
