import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatasetStats, SplitAssignment } from '@gears-pipeline/core';
import { conditionMoments } from '@gears-pipeline/model';
import { perturbedMeanChange } from '../bench/unseen/harness.ts';
import { chooseAlpha, shiftedStats } from '../bench/unseen/residual-network.ts';

/** control, two training singles and a test single over 2 genes, with non-trivial moments */
function stats(): DatasetStats {
  const rows = [
    { name: 'ctrl', genes: [] as string[], mean: [1, 2], isControl: true },
    { name: 'A+ctrl', genes: ['A'], mean: [3, 2], isControl: false },
    { name: 'B+ctrl', genes: ['B'], mean: [1, 6], isControl: false },
    { name: 'C+ctrl', genes: ['C'], mean: [0, 0], isControl: false },
  ];
  const k = rows.length * 2;
  return {
    genes: ['g0', 'g1'].map((gene) => ({ gene, geneId: gene, mean: 0, dispersionNorm: 0, highlyVariable: true, isPerturbed: false })),
    conditions: rows.map((r) => ({ name: r.name, genes: r.genes, nCells: 4, isControl: r.isControl })),
    controlIndex: 0,
    mean: Float64Array.from(rows.flatMap((r) => r.mean)),
    m2: Float64Array.from({ length: k }, (_, i) => 1 + i),
    m3: Float64Array.from({ length: k }, (_, i) => 0.5 * i - 1),
    m4: Float64Array.from({ length: k }, (_, i) => 3 + 2 * i),
    nonzero: new Float64Array(k).fill(4),
    t: new Float64Array(k),
    deRank: new Int32Array(k),
  } as DatasetStats;
}

const split: SplitAssignment[] = [
  { condition: 'ctrl', split: 'train', subgroup: '' },
  { condition: 'A+ctrl', split: 'train', subgroup: '' },
  { condition: 'B+ctrl', split: 'train', subgroup: '' },
  { condition: 'C+ctrl', split: 'test', subgroup: 'unseen_single' },
];

test('residual on the mean: m̄ is the mean change of the perturbed training conditions; shifting it out changes only the mean change the moments objective sees', () => {
  const s = stats();
  // changes: A [2, 0], B [0, 4] → m̄ = [1, 2]; the test single C does not count
  assert.deepEqual([...perturbedMeanChange(s, split)], [1, 2]);
  const shifted = shiftedStats(s, [1, 2]);
  assert.deepEqual([...shifted.mean.subarray(0, 2)], [1, 2], 'control untouched');
  assert.deepEqual([...shifted.mean.subarray(2, 4)], [2, 0]);
  assert.deepEqual([...s.mean.subarray(2, 4)], [3, 2], 'the input statistics are not modified');
  for (const row of [1, 2, 3]) {
    const a = conditionMoments(s, row);
    const b = conditionMoments(shifted, row);
    for (let g = 0; g < 2; g++) {
      // the loss target: the change minus m̄ …
      assert.ok(Math.abs(b.m[g] - (a.m[g] - [1, 2][g])) < 1e-6);
      // … with the same spread, so the expected fourth power is that of the residual
      assert.equal(b.c2[g], a.c2[g]);
      assert.equal(b.c3[g], a.c3[g]);
      assert.equal(b.c4[g], a.c4[g]);
    }
  }
});

test('residual on the mean: α minimises the validation squared error of m̄ + α·d on the grid; 1 without validation singles', () => {
  // m̄ = [1, 0]; d = [2, 2]; observed = [2, 1]: error (1 + 2α − 2)² + (2α − 1)² = 2(2α − 1)², minimal at α = 0.5
  assert.equal(chooseAlpha([1, 0], [{ d: [2, 2], observed: [2, 1] }]), 0.5);
  // observed = m̄: α = 0 (the training mean itself)
  assert.equal(chooseAlpha([1, 0], [{ d: [2, 2], observed: [1, 0] }]), 0);
  assert.equal(chooseAlpha([1, 0], []), 1);
});
