import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { CellChunk } from '@gears-pipeline/core';
import { selectBackend } from './backend.ts';
import { cellsObjective, pairingHash } from './cells-objective.ts';
import { statsFromCells } from './synthetic.ts';

test('the control pairing is a fixed function of seed and cell id', () => {
  assert.equal(pairingHash(1, 'AAAC-1'), pairingHash(1, 'AAAC-1'));
  assert.notEqual(pairingHash(1, 'AAAC-1'), pairingHash(2, 'AAAC-1'));
  assert.notEqual(pairingHash(1, 'AAAC-1'), pairingHash(1, 'AAAC-2'));
  // partners spread evenly over the control pool
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 2000; i++) counts[pairingHash(7, `cell-${i}`) % 10]++;
  assert.ok(counts.every((c) => c > 140 && c < 260), counts.join(','));
});

test('per-cell loss = mean over conditions of mean (x + d − y)^4 over its cells × non-zero genes; control cells pair with themselves', async () => {
  await selectBackend('auto');
  const G = 3;
  const x0 = [1, 0.5, 2];
  const ys = [[2, 0, 1], [0.5, 0, 3], [1.5, 0, 2.5]]; // gene 1 is zero in the condition → not in J
  const cells = [{ condition: 'ctrl', values: x0 }, ...ys.map((values) => ({ condition: 'A+ctrl', values }))];
  const stats = statsFromCells(['A', 'B', 'C'], cells);
  const chunk: CellChunk = {
    cellIds: ['c0', 'c1', 'c2', 'c3'],
    conditions: cells.map((c) => c.condition),
    nGenes: G,
    indptr: Int32Array.from([0, 3, 5, 7, 9]),
    indices: Int32Array.from([0, 1, 2, 0, 2, 0, 2, 0, 2]),
    values: Float32Array.from([1, 0.5, 2, 2, 1, 0.5, 3, 1.5, 2.5]),
  };
  const conditions = stats.conditions.map((c, row) => ({ row, name: c.name, perturbation: c.name === 'ctrl' ? [] : [0] }));
  const obj = await cellsObjective({ stats, conditions, chunks: async function* () { yield chunk; }, batchSize: 8, seed: 1, directionLambda: 0, directionLoss: 'reference', uncertaintyReg: 1 });
  const d = [0.3, -0.2, 0.1];
  const losses: number[] = [];
  await obj.epoch(1, (b) => {
    assert.equal(b.perturbations.length, 2);
    losses.push(tf.tidy(() => b.loss(tf.tensor2d([d, d])).dataSync()[0]));
  });
  const ctrlLoss = d.reduce((a, v) => a + v ** 4, 0) / G; // x = y for the control cell
  let pert = 0;
  for (const y of ys) for (const g of [0, 2]) pert += (x0[g] + d[g] - y[g]) ** 4; // the only control cell is every cell's partner
  const expected = (ctrlLoss + pert / (ys.length * 2)) / 2;
  assert.equal(losses.length, 1);
  assert.ok(Math.abs(losses[0] - expected) < 1e-5, `${losses[0]} vs ${expected}`);
});
