import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.ts';
import { conditionMoments, expectedFourthPower, momentsLoss, stackMoments } from './moments.ts';
import { statsFromCells, type DenseCell } from './synthetic.ts';
import { Rng } from './rng.ts';

function randomCells(rng: Rng, G: number): DenseCell[] {
  const cells: DenseCell[] = [];
  const cell = (condition: string, shift: number) => ({
    condition,
    values: Array.from({ length: G }, (_, g) => (g === 0 ? 0 : Math.max(0, rng.normal() * (0.5 + g * 0.1) + 1 + shift * g * 0.2 + (rng.next() < 0.3 ? 2 : 0)))),
  });
  for (let i = 0; i < 13; i++) cells.push(cell('ctrl', 0));
  for (let i = 0; i < 7; i++) cells.push(cell('A+ctrl', 1));
  return cells;
}

test('expected 4th-power loss from the moments equals the brute-force average over all (cell, control) pairs', async () => {
  await selectBackend('auto');
  const rng = new Rng(11);
  const G = 6;
  const cells = randomCells(rng, G);
  const stats = statsFromCells(Array.from({ length: G }, (_, g) => `g${g}`), cells);
  const c = stats.conditions.findIndex((x) => x.name === 'A+ctrl');
  const mom = conditionMoments(stats, c);
  const d = Array.from({ length: G }, () => rng.normal());
  const ctrl = cells.filter((x) => x.condition === 'ctrl');
  const pert = cells.filter((x) => x.condition === 'A+ctrl');
  const ours = tf.tidy(() => expectedFourthPower(tf.tensor2d([d]), stackMoments([mom])).dataSync());
  for (let g = 0; g < G; g++) {
    let sum = 0;
    for (const y of pert) for (const x of ctrl) sum += (Number(x.values[g]) + d[g] - Number(y.values[g])) ** 4;
    const brute = sum / (pert.length * ctrl.length);
    assert.ok(Math.abs(ours[g] - brute) <= 1e-4 * Math.max(1, brute), `gene ${g}: ${ours[g]} vs ${brute}`);
  }
  // gene 0 is zero in the condition, so it is excluded from J_p (non-zero genes)
  assert.equal(mom.geneWeight[0], 0);
  assert.ok(Math.abs(mom.geneWeight[1] - 1 / (G - 1)) < 1e-7);
});

test('control is trained as in the reference (target = input): loss is mean d^4 over all genes', async () => {
  await selectBackend('auto');
  const rng = new Rng(3);
  const G = 5;
  const stats = statsFromCells(Array.from({ length: G }, (_, g) => `g${g}`), randomCells(rng, G));
  const mom = conditionMoments(stats, stats.controlIndex);
  const d = [0.5, -1, 0.25, 2, 0];
  const loss = tf.tidy(() => momentsLoss(tf.tensor2d([d]), stackMoments([mom]), { directionLambda: 0, directionLoss: 'reference' }).dataSync()[0]);
  assert.ok(Math.abs(loss - d.reduce((a, v) => a + v ** 4, 0) / G) < 1e-5);
});

test('reference direction term changes the loss value but not its gradient; tanh form has a gradient', async () => {
  await selectBackend('auto');
  const rng = new Rng(5);
  const G = 6;
  const stats = statsFromCells(Array.from({ length: G }, (_, g) => `g${g}`), randomCells(rng, G));
  const t = stackMoments([conditionMoments(stats, 1), conditionMoments(stats, 0)]);
  const d = tf.tensor2d([Array.from({ length: G }, () => rng.normal()), Array.from({ length: G }, () => rng.normal())]);
  const f = (lambda: number, form: 'reference' | 'tanh') => tf.valueAndGrad((x: tf.Tensor) => momentsLoss(x as tf.Tensor2D, t, { directionLambda: lambda, directionLoss: form }))(d);
  const none = f(0, 'reference');
  const ref = f(0.1, 'reference');
  const tanh = f(0.1, 'tanh');
  assert.ok(ref.value.dataSync()[0] > none.value.dataSync()[0]);
  assert.deepEqual(Array.from(ref.grad.dataSync()), Array.from(none.grad.dataSync()));
  assert.ok(tf.max(tf.abs(tf.sub(tanh.grad, none.grad))).dataSync()[0] > 1e-6);
});
