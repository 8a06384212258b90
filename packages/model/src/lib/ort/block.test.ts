import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend.ts';
import { DEFAULT_MODEL_CONFIG } from '../config.ts';
import { createParams, disposeParams, trainableVariables } from '../params.ts';
import { forward, renormEmbeddings, updateRunningStats, type BatchStats } from '../network.ts';
import { gcnNormalize } from '../sparse.ts';
import { setOrtBlock } from './block.ts';
import { loadOnnxRuntime } from './runtime.ts';

const haveOrt = loadOnnxRuntime().ort !== null;

function ring(n: number) {
  const s: number[] = [], t: number[] = [], w: number[] = [];
  for (let i = 0; i < n; i++) for (const k of [1, 3]) s.push((i + k) % n), t.push(i), w.push(0.5);
  return { source: Int32Array.from(s), target: Int32Array.from(t), weight: Float64Array.from(w) };
}

/** Loss, gradients, BatchNorm statistics and eval output with the block on tfjs or onnxruntime. */
function run(onOrt: boolean) {
  const G = 30, P = 12, cfg = { ...DEFAULT_MODEL_CONFIG, hiddenSize: 8 };
  const p = createParams(cfg, G, P, 3);
  const graphs = { coexpression: gcnNormalize(ring(G), G), go: gcnNormalize(ring(P), P) };
  const perts = [[0], [1, 2], [], [3, 4, 5]];
  const target = tf.randomNormal([perts.length, G], 0, 1, 'float32', 7);
  setOrtBlock(onOrt);
  try {
    renormEmbeddings(p);
    const stats: BatchStats = [];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.sub(forward(p, graphs, { perturbations: perts }, 'train', stats).delta, target))) as tf.Scalar, trainableVariables(p));
    updateRunningStats(p, stats);
    const ev = tf.tidy(() => forward(p, graphs, { perturbations: perts }, 'eval').delta.dataSync() as Float32Array);
    const g = Object.fromEntries([...p.vars].filter(([, v]) => grads[v.name]).map(([name, v]) => [name, grads[v.name].dataSync() as Float32Array]));
    const loss = value.dataSync()[0];
    return { loss, g, ev, stats: stats.map((s) => s.name).sort() };
  } finally {
    setOrtBlock(false);
    disposeParams(p);
  }
}

const maxRel = (a: Float32Array, b: Float32Array) => {
  // gradients that are zero in exact arithmetic (a bias before a train-mode BatchNorm) are ~1e-7 noise
  let scale = 1e-3, d = 0;
  for (let i = 0; i < a.length; i++) (scale = Math.max(scale, Math.abs(b[i]))), (d = Math.max(d, Math.abs(a[i] - b[i])));
  return d / scale;
};

test('the onnxruntime block gives the tfjs loss, every gradient, the BatchNorm statistics and the eval output', { skip: !haveOrt && 'onnxruntime-node not installed' }, async () => {
  await selectBackend('wasm');
  const a = run(false);
  const b = run(true);
  assert.ok(Math.abs(a.loss - b.loss) < 1e-4 * Math.abs(a.loss), `loss ${a.loss} vs ${b.loss}`);
  assert.deepEqual(Object.keys(b.g).sort(), Object.keys(a.g).sort());
  for (const k of Object.keys(a.g)) assert.ok(maxRel(b.g[k], a.g[k]) < 1e-3, `${k}: relative gradient difference ${maxRel(b.g[k], a.g[k])}`);
  assert.deepEqual(b.stats, a.stats);
  assert.ok(maxRel(b.ev, a.ev) < 1e-4, `eval ${maxRel(b.ev, a.ev)}`);
});
