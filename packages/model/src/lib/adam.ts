/**
 * The reference optimiser step: element-wise gradient clamp (clip_grad_value_), then PyTorch Adam
 * with L2 weight decay added to the (clamped) gradient — not AdamW. Parameters without a gradient
 * in a step are skipped, as PyTorch skips parameters whose .grad is None.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** element-wise clamp of the gradient to ±clip (0 = off) */
  clip: number;
}

export const DEFAULT_ADAM: AdamOptions = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 5e-4, clip: 1 };

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
  step: number;
}

export class Adam {
  private slots = new Map<string, Slot>();
  constructor(readonly opts: AdamOptions = DEFAULT_ADAM) {}

  /** One step at learning rate lr for the variables with gradients in `grads` (keyed by variable name). */
  apply(vars: tf.Variable[], grads: Record<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, eps, weightDecay, clip } = this.opts;
    for (const v of vars) {
      const g0 = grads[v.name];
      if (!g0) continue;
      let slot = this.slots.get(v.name);
      if (!slot) {
        slot = { m: tf.variable(tf.zerosLike(v), false), v: tf.variable(tf.zerosLike(v), false), step: 0 };
        this.slots.set(v.name, slot);
      }
      const s = slot;
      s.step++;
      const bc1 = 1 - beta1 ** s.step;
      const bc2 = 1 - beta2 ** s.step;
      tf.tidy(() => {
        let g: tf.Tensor = clip > 0 ? tf.clipByValue(g0, -clip, clip) : g0;
        if (weightDecay !== 0) g = tf.add(g, tf.mul(v, weightDecay));
        const m = tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1));
        const vv = tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2));
        s.m.assign(m);
        s.v.assign(vv);
        const denom = tf.add(tf.div(tf.sqrt(vv), Math.sqrt(bc2)), eps);
        v.assign(tf.sub(v, tf.mul(tf.div(m, denom), lr / bc1)));
      });
    }
  }

  dispose(): void {
    for (const s of this.slots.values()) {
      s.m.dispose();
      s.v.dispose();
    }
    this.slots.clear();
  }
}
