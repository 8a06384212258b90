/**
 * Batches of the `moments` objective: sets of training conditions (the network runs once per
 * condition), reshuffled every epoch with a seeded generator.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetStats } from '@gears-pipeline/core';
import { conditionMoments, momentsLoss, stackMoments, type ConditionMoments, type DirectionLoss } from './moments.ts';
import type { Objective, StepBatch } from './objective.ts';
import { Rng } from './rng.ts';

export interface MomentsObjectiveArgs {
  stats: DatasetStats;
  /** training conditions: row in stats and perturbation-vocabulary indices */
  conditions: { row: number; perturbation: number[] }[];
  batchSize: number;
  /** passes over the training conditions per epoch (each reshuffled) */
  passes: number;
  seed: number;
  directionLambda: number;
  directionLoss: DirectionLoss;
  uncertaintyReg: number;
}

/** Splits a shuffled list into batches; a trailing single condition joins the previous batch (BatchNorm needs ≥ 2 rows). */
export function conditionBatches<T>(items: T[], batchSize: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += batchSize) out.push(items.slice(i, i + batchSize));
  if (out.length > 1 && out[out.length - 1].length === 1) out[out.length - 2].push(...out.pop()!);
  return out;
}

export function momentsObjective(a: MomentsObjectiveArgs): Objective {
  const moments = new Map<number, ConditionMoments>(a.conditions.map((c) => [c.row, conditionMoments(a.stats, c.row)]));
  const rng = new Rng(a.seed ^ 0x5eed);
  return {
    name: 'moments',
    async epoch(_epoch, run) {
      const batches: (typeof a.conditions)[] = [];
      for (let pass = 0; pass < Math.max(1, a.passes); pass++) batches.push(...conditionBatches(rng.shuffle([...a.conditions]), a.batchSize));
      for (const batch of batches) {
        const t = stackMoments(batch.map((c) => moments.get(c.row)!));
        const step: StepBatch = {
          perturbations: batch.map((c) => c.perturbation),
          loss: (delta, logvar) => momentsLoss(delta, t, { directionLambda: a.directionLambda, directionLoss: a.directionLoss, logvar, uncertaintyReg: a.uncertaintyReg }),
          dispose: () => tf.dispose(Object.values(t)),
        };
        try {
          run(step);
        } finally {
          step.dispose();
        }
      }
    },
  };
}
