/**
 * The `moments` objective (DESIGN §2): the reference's per-condition loss averaged exactly over
 * its random control pairing, from the per-(condition, gene) sufficient statistics.
 *
 * For a condition with cells y and a control cell x drawn independently, z = y − x, and a
 * prediction x + d, the reference loss per gene is (x + d − y)^4 = (d − z)^4, whose expectation is
 *
 *   E[(d − z)^4] = e^4 + 6·e²·c2 − 4·e·c3 + c4,   e = d − m,
 *   m = mean(y) − mean(x), c2 = var(y) + var(x), c3 = c3(y) − c3(x), c4 = c4(y) + c4(x) + 6·var(x)·var(y)
 *
 * with population central moments (M_k / n). The control condition is special: the reference
 * trains control cells with target = input (x = y, the same cell), so z = 0 and its loss is
 * exactly mean_g d^4 over all genes — not the independent-pairing formula.
 */
import * as tf from '@tensorflow/tfjs';
import { conditionGeneLists, type DatasetStats } from '@gears-pipeline/core';

/** The per-gene constants of one condition's expected loss. */
export interface ConditionMoments {
  m: Float32Array;
  c2: Float32Array;
  c3: Float32Array;
  c4: Float32Array;
  /** 1/|J_p| on the loss genes J_p (non-zero genes; all genes for control), 0 elsewhere */
  geneWeight: Float32Array;
  /** sign(mean(y) − control mean) per gene: the direction target at the means */
  direction: Float32Array;
  /** mean(y) − control mean (the tanh direction target) */
  meanChange: Float32Array;
}

/** Computes the loss constants of condition c (row of `stats`). */
export function conditionMoments(stats: DatasetStats, c: number): ConditionMoments {
  const G = stats.genes.length;
  const m = new Float32Array(G);
  const c2 = new Float32Array(G);
  const c3 = new Float32Array(G);
  const c4 = new Float32Array(G);
  const geneWeight = new Float32Array(G);
  const direction = new Float32Array(G);
  const meanChange = new Float32Array(G);
  const x = stats.controlIndex;
  if (c === x) {
    geneWeight.fill(1 / G);
    return { m, c2, c3, c4, geneWeight, direction, meanChange };
  }
  const ny = stats.conditions[c].nCells;
  const nx = stats.conditions[x].nCells;
  for (let g = 0; g < G; g++) {
    const ky = c * G + g;
    const kx = x * G + g;
    const vy = stats.m2[ky] / ny;
    const vx = stats.m2[kx] / nx;
    m[g] = stats.mean[ky] - stats.mean[kx];
    c2[g] = vy + vx;
    c3[g] = stats.m3[ky] / ny - stats.m3[kx] / nx;
    c4[g] = stats.m4[ky] / ny + stats.m4[kx] / nx + 6 * vx * vy;
    meanChange[g] = m[g];
    direction[g] = Math.sign(m[g]);
  }
  const J = conditionGeneLists(stats, c).nonZero;
  for (const g of J) geneWeight[g] = 1 / J.length;
  return { m, c2, c3, c4, geneWeight, direction, meanChange };
}

export type DirectionLoss = 'reference' | 'tanh';

export interface LossTensors {
  m: tf.Tensor2D;
  c2: tf.Tensor2D;
  c3: tf.Tensor2D;
  c4: tf.Tensor2D;
  w: tf.Tensor2D;
  direction: tf.Tensor2D;
  meanChange: tf.Tensor2D;
}

/** Stacks the constants of a batch of conditions into [B_c, G] tensors. */
export function stackMoments(rows: ConditionMoments[]): LossTensors {
  const G = rows[0].m.length;
  const stack = (k: keyof ConditionMoments) => {
    const a = new Float32Array(rows.length * G);
    rows.forEach((r, i) => a.set(r[k], i * G));
    return tf.tensor2d(a, [rows.length, G]);
  };
  return { m: stack('m'), c2: stack('c2'), c3: stack('c3'), c4: stack('c4'), w: stack('geneWeight'), direction: stack('direction'), meanChange: stack('meanChange') };
}

/** Per condition, per gene expected 4th-power error E[(d − z)^4] (differentiable in d). */
export function expectedFourthPower(delta: tf.Tensor2D, t: LossTensors): tf.Tensor2D {
  const e = tf.sub(delta, t.m);
  const e2 = tf.square(e);
  return tf.add(tf.add(tf.square(e2), tf.mul(tf.mul(e2, t.c2), 6)), tf.sub(t.c4, tf.mul(tf.mul(e, t.c3), 4))) as tf.Tensor2D;
}

export interface MomentsLossOptions {
  directionLambda: number;
  directionLoss: DirectionLoss;
  /** log-variance of the uncertainty head, and its weight (reference `uncertainty_reg`) */
  logvar?: tf.Tensor2D;
  uncertaintyReg?: number;
}

/**
 * The batch loss: mean over conditions of L_p = mean_{J_p} E[(d − z)^4] + λ·direction term.
 *
 * Direction term, evaluated at the means (the pairing expectation of a sign is not a function of
 * the four moments): 'reference' = (sign(ȳ − ctrl) − sign(d))², which like the reference's sign
 * form has zero gradient and only changes the reported value; 'tanh' = (tanh(ȳ − ctrl) − tanh(d))²,
 * differentiable. With the uncertainty head: + reg·(exp(−logvar)·E[(d−z)^4] + logvar), the
 * reference's term plus the log-variance penalty it lacks (its minimiser is logvar = log E[r^4]).
 */
export function momentsLoss(delta: tf.Tensor2D, t: LossTensors, opts: MomentsLossOptions): tf.Scalar {
  const B = delta.shape[0];
  const r4 = expectedFourthPower(delta, t);
  let perGene: tf.Tensor = r4;
  if (opts.logvar) {
    const reg = opts.uncertaintyReg ?? 1;
    perGene = tf.add(perGene, tf.mul(tf.add(tf.mul(tf.exp(tf.neg(opts.logvar)), r4), opts.logvar), reg));
  }
  if (opts.directionLambda !== 0) {
    const dir =
      opts.directionLoss === 'tanh'
        ? tf.square(tf.sub(tf.tanh(t.meanChange), tf.tanh(delta)))
        : tf.square(tf.sub(t.direction, tf.sign(delta))); // sign has a zero gradient in tfjs too
    perGene = tf.add(perGene, tf.mul(dir, opts.directionLambda));
  }
  return tf.div(tf.sum(tf.mul(perGene, t.w)), B) as tf.Scalar;
}
