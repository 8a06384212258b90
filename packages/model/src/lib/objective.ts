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
  /**
   * Runs one epoch: hands every batch, in a seeded order, to `step`, which trains on it
   * synchronously (tfjs wasm/cpu ops are synchronous) before the next batch is built — this is
   * what keeps the streamed cells objective's memory bounded.
   */
  epoch(epoch: number, step: (batch: StepBatch) => void): Promise<void>;
}
