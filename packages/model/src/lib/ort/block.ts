/**
 * The per-condition block (bn_pert_base → recovery_w → gene-specific head 1) on onnxruntime as a
 * tfjs op with its own gradient: forward and hand-derived backward are ONNX graphs
 * (recovery-graphs.ts) run by onnxruntime's CPU matrix kernels; the rest of the network stays on
 * tfjs. Sessions are built once per (genes, hidden size) and reused.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchStat } from '../ops.ts';
import { encodeModel } from './onnx-proto.ts';
import { backwardGraph, blockParams, EVAL_STATS, forwardGraph } from './recovery-graphs.ts';
import { loadOnnxRuntime, OrtSession, type Feed } from './runtime.ts';

/** GEARS parameter names in the order of blockParams (g0, b0, W1, c1, …, w, v). */
export const BLOCK_PARAM_NAMES = [
  'bn_pert_base.weight', 'bn_pert_base.bias',
  'recovery_w.network.0.weight', 'recovery_w.network.0.bias', 'recovery_w.network.1.weight', 'recovery_w.network.1.bias',
  'recovery_w.network.3.weight', 'recovery_w.network.3.bias', 'recovery_w.network.4.weight', 'recovery_w.network.4.bias',
  'indv_w1', 'indv_b1',
];
const BN_NAMES = ['bn_pert_base', 'recovery_w.network.1', 'recovery_w.network.4'];

interface Sessions {
  train: OrtSession;
  eval: OrtSession;
  backward: OrtSession;
}
const cache = new Map<string, Sessions>();

function sessions(G: number, H: number): Sessions {
  const key = `${G}x${H}`;
  let s = cache.get(key);
  if (!s) {
    const { ort, why } = loadOnnxRuntime();
    if (!ort) throw new Error(why ?? 'onnxruntime-node not available');
    s = {
      train: new OrtSession(ort, encodeModel(forwardGraph(G, H, 'train'))),
      eval: new OrtSession(ort, encodeModel(forwardGraph(G, H, 'eval'))),
      backward: new OrtSession(ort, encodeModel(backwardGraph(G, H))),
    };
    cache.set(key, s);
  }
  return s;
}

const feed = (t: tf.Tensor): Feed => ({ data: t.dataSync() as Float32Array, dims: t.shape });

/**
 * out1 [B, G] from the gene rows [G, H] and the fused perturbation vectors [B, H]. Train mode
 * pushes the three BatchNorm layers' batch statistics to `record`; eval mode reads `running`
 * (rm0, rv0, rm1, rv1, rm2, rv2).
 */
export function ortBlock(rows: tf.Tensor2D, fused: tf.Tensor2D, params: tf.Tensor[], mode: 'train' | 'eval', record: BatchStat[], running?: tf.Tensor[]): tf.Tensor2D {
  const [G, H] = rows.shape;
  const B = fused.shape[0];
  const s = sessions(G, H);
  const names = blockParams(G, H).map(([n]) => n);
  if (mode === 'eval') {
    const feeds: Record<string, Feed> = { rows: feed(rows), fused: feed(fused) };
    names.forEach((n, i) => (feeds[n] = feed(params[i])));
    EVAL_STATS.forEach((n, i) => (feeds[n] = feed(running![i])));
    return tf.tensor2d(s.eval.run(feeds, ['out1']).out1, [B, G]);
  }
  const op = tf.customGrad(((...args: tf.Tensor[]) => {
    const [r, f, ...ps] = args.slice(0, 2 + names.length);
    const feeds: Record<string, Feed> = { rows: feed(r), fused: feed(f) };
    names.forEach((n, i) => (feeds[n] = feed(ps[i])));
    const outs = ['out1', 'A0', 'A1', 'xhat0', 'xhat1', 'xhat2', 'mean0', 'var0', 'inv0', 'mean1', 'var1', 'inv1', 'mean2', 'var2', 'inv2'];
    const o = s.train.run(feeds, outs);
    BN_NAMES.forEach((name, k) => record.push({ name, mean: o[`mean${k}`], variance: o[`var${k}`], count: B * G }));
    return {
      value: tf.tensor2d(o.out1, [B, G]),
      gradFunc: (dy: tf.Tensor) => {
        const C = [H, 2 * H, H];
        const bw: Record<string, Feed> = {
          d_out1: feed(dy), N: { data: Float32Array.of(B * G), dims: [] },
          A0: { data: o.A0, dims: [B, G, H] }, A1: { data: o.A1, dims: [B, G, 2 * H] },
          xhat0: { data: o.xhat0, dims: [B, G, H] }, xhat1: { data: o.xhat1, dims: [B, G, 2 * H] }, xhat2: { data: o.xhat2, dims: [B, G, H] },
          inv0: { data: o.inv0, dims: [C[0]] }, inv1: { data: o.inv1, dims: [C[1]] }, inv2: { data: o.inv2, dims: [C[2]] },
          g0: feeds.g0, W1: feeds.W1, g1: feeds.g1, W2: feeds.W2, g2: feeds.g2, b2: feeds.b2, w: feeds.w,
        };
        const g = s.backward.run(bw, ['d_rows', 'd_fused', 'd_g0', 'd_b0', 'd_W1', 'd_g1', 'd_b1', 'd_W2', 'd_g2', 'd_b2', 'd_w', 'd_v']);
        return [
          tf.tensor2d(g.d_rows, [G, H]), tf.tensor2d(g.d_fused, [B, H]),
          tf.tensor1d(g.d_g0), tf.tensor1d(g.d_b0),
          tf.tensor2d(g.d_W1, [H, 2 * H]), tf.zeros([2 * H]), tf.tensor1d(g.d_g1), tf.tensor1d(g.d_b1),
          tf.tensor2d(g.d_W2, [2 * H, H]), tf.zeros([H]), tf.tensor1d(g.d_g2), tf.tensor1d(g.d_b2),
          tf.tensor2d(g.d_w, [G, H]), tf.tensor1d(g.d_v),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(rows, fused, ...params) as tf.Tensor2D;
}

let enabled = false;

/** Routes the per-condition block of `forward` through onnxruntime (true) or tfjs (false). */
export function setOrtBlock(on: boolean): void {
  if (on && !loadOnnxRuntime().ort) throw new Error(loadOnnxRuntime().why ?? 'onnxruntime-node not available');
  enabled = on;
}

export function ortBlockEnabled(): boolean {
  return enabled;
}
