/** What a training objective hands the shared training loop for one optimiser step. */
import type * as tf from '@tensorflow/tfjs';

export interface StepBatch {
  /** distinct conditions of the step (rows of the network output), as perturbation-vocabulary indices */
  perturbations: number[][];
  /** the differentiable batch loss from the network output */
  loss(delta: tf.Tensor2D, logvar?: tf.Tensor2D): tf.Scalar;
  /** frees the batch's constant tensors */
  dispose(): void;
}

export interface Objective {
  name: 'moments' | 'cells';
  /** the steps of one epoch, in a seeded order */
  epoch(epoch: number): AsyncIterable<StepBatch>;
}
