/**
 * Dense building blocks written around the measured tfjs/wasm pitfalls (DESIGN §7): matmul
 * gradients use explicit transposes (a transposed operand makes wasm matmul ~10× slower), and
 * BatchNorm has an analytic gradient with explicit scale and offset.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPS } from './config.ts';

/** a·b for 2-D a [n,k], b [k,m], whose gradient uses only untransposed matmuls. */
export const dense = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x·W + b with W stored [in, out] (the transpose of PyTorch's Linear.weight). */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(dense(x, w), b);
}

/** Batch statistics observed by a BatchNorm layer in train mode, for the running-stat update. */
export interface BatchStat {
  name: string;
  mean: Float32Array;
  /** biased (population) variance used for normalisation */
  variance: Float32Array;
  /** number of rows the statistics were taken over */
  count: number;
}

/**
 * Train-mode BatchNorm1d over the rows of x [N, C]: normalises with the batch mean and biased
 * variance, returns γ·x̂ + β, and pushes the batch statistics to `record` (the running mean /
 * variance are updated by the caller, outside the gradient tape).
 */
export function batchNormTrain(name: string, x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, record: BatchStat[]): tf.Tensor2D {
  const n = x.shape[0];
  const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(xi, 0);
    const xc = tf.sub(xi, mean);
    const variance = tf.mean(tf.square(xc), 0);
    const inv = tf.rsqrt(tf.add(variance, BN_EPS));
    const xhat = tf.mul(xc, inv);
    record.push({ name, mean: mean.dataSync() as Float32Array, variance: variance.dataSync() as Float32Array, count: n });
    save([xhat, inv, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sinv, sg] = saved;
        const dBeta = tf.sum(dy, 0);
        const dGamma = tf.sum(tf.mul(dy, sxhat), 0);
        // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂))
        const centred = tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(sxhat, tf.div(dGamma, n)));
        return [tf.mul(centred, tf.mul(sg, sinv)), dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, gamma, beta) as tf.Tensor2D;
}

/** Eval-mode BatchNorm1d: uses the running statistics. */
export function batchNormEval(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, runningMean: tf.Tensor1D, runningVar: tf.Tensor1D): tf.Tensor2D {
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(runningVar, BN_EPS)));
  const shift = tf.sub(beta, tf.mul(runningMean, scale));
  return tf.add(tf.mul(x, scale), shift);
}
