import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.ts';
import { batchNormTrain, dense, type BatchStat } from './ops.ts';
import { gcnNormalize, sparseMatMul } from './sparse.ts';

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test('dense() gradient equals the autodiff gradient of matMul', async () => {
  await selectBackend('auto');
  const a = tf.randomNormal([7, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal([5, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
  const w = tf.randomNormal([7, 3], 0, 1, 'float32', 3);
  const ours = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(dense(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
  const plain = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), w)))([a, b]);
  assert.ok(maxDiff(ours[0], plain[0]) < 1e-5);
  assert.ok(maxDiff(ours[1], plain[1]) < 1e-5);
});

test('train-mode BatchNorm: output, statistics and analytic gradient match the textbook formula', async () => {
  await selectBackend('auto');
  const x = tf.randomNormal([9, 4], 1, 2, 'float32', 4) as tf.Tensor2D;
  const g = tf.tensor1d([1, 0.5, 2, -1]);
  const b = tf.tensor1d([0, 1, -1, 0.5]);
  const w = tf.randomNormal([9, 4], 0, 1, 'float32', 5);
  const reference = (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
    const { mean, variance } = tf.moments(xi, 0);
    return tf.add(tf.mul(tf.div(tf.sub(xi, mean), tf.sqrt(tf.add(variance, 1e-5))), gi), bi);
  };
  const stats: BatchStat[] = [];
  const y = batchNormTrain('bn', x, g, b, stats);
  assert.ok(maxDiff(y, reference(x, g, b)) < 1e-5);
  assert.equal(stats[0].count, 9);
  const { variance } = tf.moments(x, 0);
  assert.ok(Math.abs(stats[0].variance[2] - variance.dataSync()[2]) < 1e-5, 'biased variance recorded');
  const ours = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(batchNormTrain('bn', xi as tf.Tensor2D, gi as tf.Tensor1D, bi as tf.Tensor1D, []), w)))([x, g, b]);
  const auto = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(reference(xi, gi, bi), w)))([x, g, b]);
  for (let i = 0; i < 3; i++) assert.ok(maxDiff(ours[i], auto[i]) < 1e-4, `gradient ${i}`);
});

test('CSR message passing equals the dense gcn_norm adjacency, forward and backward', async () => {
  await selectBackend('auto');
  const n = 6;
  // directed edges with one existing self-loop (weight 0.7 kept) and nodes without one (weight 1 added)
  const graph = { source: Int32Array.from([0, 1, 2, 3, 3, 5]), target: Int32Array.from([1, 2, 2, 0, 4, 0]), weight: Float64Array.from([0.5, 0.9, 0.7, 0.3, 0.6, 0.45]) };
  const adj = gcnNormalize(graph, n);
  // dense Â built independently from the PyG definition
  const selfW = [1, 1, 0.7, 1, 1, 1];
  const edges: [number, number, number][] = [[0, 1, 0.5], [1, 2, 0.9], [3, 0, 0.3], [3, 4, 0.6], [5, 0, 0.45]];
  for (let i = 0; i < n; i++) edges.push([i, i, selfW[i]]);
  const deg = new Array(n).fill(0);
  for (const [, t, w] of edges) deg[t] += w;
  const A = new Float32Array(n * n);
  for (const [s, t, w] of edges) A[t * n + s] += w / Math.sqrt(deg[s] * deg[t]);
  const Ad = tf.tensor2d(A, [n, n]);
  const x = tf.randomNormal([n, 3], 0, 1, 'float32', 6) as tf.Tensor2D;
  const w = tf.randomNormal([n, 3], 0, 1, 'float32', 7);
  assert.ok(maxDiff(sparseMatMul(adj, x), tf.matMul(Ad, x)) < 1e-6);
  const gs = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(sparseMatMul(adj, xi as tf.Tensor2D), w)))(x);
  const gd = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.matMul(Ad, xi as tf.Tensor2D), w)))(x);
  assert.ok(maxDiff(gs, gd) < 1e-6);
});
