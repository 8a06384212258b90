/**
 * Dense building blocks written around the measured tfjs/wasm pitfalls (DESIGN §7): matmul
 * gradients use explicit transposes (a transposed operand makes wasm matmul ~10× slower), and
 * BatchNorm has an analytic gradient with explicit scale and offset.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_EPS } from './config.ts';

/**
 * Column sums of x [N, C]. (A matmul with a row of ones would be 5 ms instead of 68 ms for
 * 160,000 × 128 — but only when x is cached as the packed right operand; a fresh x costs a
 * ~400 ms repack in XNNPACK, so the plain reduction wins.)
 */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(x, 0);
}

/**
 * aᵀ·b for a [N, m], b [N, n] with N large (weight gradients). wasm matmul repacks its right
 * operand whenever it is a new tensor (≈ 20 ns per element), so the narrower of the two goes on
 * the right; the left one is transposed explicitly (a transposed-operand matmul is ~10× slower).
 */
export function gramT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.shape[1] < b.shape[1]) return tf.transpose(tf.matMul(tf.transpose(b), a)) as tf.Tensor2D;
  return tf.matMul(tf.transpose(a), b);
}

/** a·b for 2-D a [n,k], b [k,m], whose gradient uses only untransposed matmuls. */
export const dense = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(sb)), gramT(sa, dy as tf.Tensor2D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/** x·W + b with W stored [in, out] (the transpose of PyTorch's Linear.weight). */
export const linear = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      const d = dy as tf.Tensor2D;
      return [tf.matMul(d, tf.transpose(sw)), gramT(sx, d), sumRows(d)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * x·W + b followed by a train-mode BatchNorm: the BatchNorm output does not change when a
 * constant is added to a column, so the bias gradient is exactly zero and its column sum over
 * B·G rows is skipped. (The bias still matters in eval mode through the running mean.)
 */
export const linearBeforeBatchNorm = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as tf.Tensor2D[];
      const d = dy as tf.Tensor2D;
      return [tf.matMul(d, tf.transpose(sw)), gramT(sx, d), tf.zeros([sw.shape[1]])];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** Adds a per-condition vector to every gene row: rows [G, H] + perCondition [B, H] → [B·G, H]. */
export const addPerCondition = tf.customGrad(((rows: tf.Tensor, perCondition: tf.Tensor) => {
  const [G, H] = rows.shape;
  const B = perCondition.shape[0];
  return {
    value: tf.reshape(tf.add(tf.reshape(rows, [1, G, H]), tf.reshape(perCondition, [B, 1, H])), [B * G, H]),
    gradFunc: (dy: tf.Tensor) => {
      const d3 = tf.reshape(dy, [B, G, H]);
      return [tf.sum(d3, 0), tf.sum(d3, 1)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (rows: tf.Tensor2D, perCondition: tf.Tensor2D) => tf.Tensor2D;

/** The gene-specific linear head: out[b, g] = Σ_h h[b, g, h] · w[g, h] for h [B, G, H], w [G, H]. */
export const geneHead = tf.customGrad(((h: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([h, w]);
  return {
    value: tf.sum(tf.mul(h, w), 2),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sh, sw] = saved;
      const [B, G] = sh.shape;
      const dy3 = tf.reshape(dy, [B, G, 1]);
      return [tf.mul(dy3, sw), tf.sum(tf.mul(sh, dy3), 0)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (h: tf.Tensor3D, w: tf.Tensor2D) => tf.Tensor2D;

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
    const x2 = xi as tf.Tensor2D;
    const mean = tf.div(sumRows(x2), n);
    const xc = tf.sub(x2, mean) as tf.Tensor2D;
    const variance = tf.div(sumRows(tf.square(xc)), n);
    const inv = tf.rsqrt(tf.add(variance, BN_EPS));
    const xhat = tf.mul(xc, inv);
    record.push({ name, mean: mean.dataSync() as Float32Array, variance: variance.dataSync() as Float32Array, count: n });
    save([xhat, inv, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sinv, sg] = saved;
        const d = dy as tf.Tensor2D;
        const dBeta = sumRows(d);
        const dGamma = sumRows(tf.mul(d, sxhat) as tf.Tensor2D);
        // dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂))
        const centred = tf.sub(tf.sub(d, tf.div(dBeta, n)), tf.mul(sxhat, tf.div(dGamma, n)));
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
