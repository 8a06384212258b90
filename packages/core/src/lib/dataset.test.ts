import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conditionGeneLists, readDatasetStats, writeDatasetStats, type DatasetStats } from './dataset.ts';

function tiny(): DatasetStats {
  const genes = ['G0', 'G1', 'G2'].map((gene) => ({ gene, geneId: gene, mean: 1, dispersionNorm: 0, highlyVariable: true, isPerturbed: gene === 'G1' }));
  const conditions = [
    { name: 'ctrl', genes: [], nCells: 4, isControl: true },
    { name: 'G1+ctrl', genes: ['G1'], nCells: 3, isControl: false },
  ];
  const f = (v: number[]) => Float64Array.from(v);
  return {
    genes,
    conditions,
    controlIndex: 0,
    mean: f([1, 0, 2, 0, 0, 3]),
    m2: f([1, 0, 1, 0, 0, 1]),
    m3: f([0, 0, 0, 0, 0, 0]),
    m4: f([1, 0, 1, 0, 0, 1]),
    nonzero: f([4, 0, 4, 0, 0, 3]),
    t: f([0, 0, 0, -5, 0, 2]),
    deRank: Int32Array.from([-1, -1, -1, 0, 2, 1]),
  };
}

test('dataset statistics round-trip through Parquet', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-ds-'));
  writeDatasetStats(dir, tiny());
  const s = await readDatasetStats(dir);
  assert.deepEqual(Array.from(s.mean), [1, 0, 2, 0, 0, 3]);
  assert.deepEqual(Array.from(s.deRank), [-1, -1, -1, 0, 2, 1]);
  assert.deepEqual(s.conditions[1].genes, ['G1']);
  assert.equal(s.controlIndex, 0);
});

test('gene lists follow the reference definitions of non-zero and non-dropout', () => {
  const l = conditionGeneLists(tiny(), 1);
  assert.deepEqual(l.ranking, [0, 2, 1]);
  assert.deepEqual(l.nonZero, [2]);
  // G0 is zero under perturbation but expressed in control: a dropout. G1 is zero in both: kept.
  assert.deepEqual(l.nonDropout, [1, 2]);
  assert.deepEqual(l.topNonDropoutDe20, [2, 1]);
  assert.deepEqual(l.topNonZeroDe20, [2]);
});

test('DE ranking: read off a rank permutation, stable sort otherwise (ties, missing ranks), same as sorting', () => {
  const s = tiny();
  const G = 3;
  const sorted = (rank: Int32Array) => Array.from({ length: G }, (_, g) => g).sort((a, b) => rank[a] - rank[b]);
  for (const ranks of [[2, 0, 1], [1, 1, 0], [0, -1, 0], [5, 0, 1], [0, 0, 0]]) {
    s.deRank.set(ranks, G);
    const l = conditionGeneLists(s, 1, 2);
    assert.deepEqual(l.ranking, sorted(s.deRank.subarray(G)), `ranks ${ranks}`);
    assert.deepEqual(l.topDe20, l.ranking.slice(0, 2));
    assert.deepEqual(l.topNonDropoutDe20, l.ranking.filter((g) => l.nonDropout.includes(g)).slice(0, 2));
    assert.deepEqual(l.topNonZeroDe20, l.ranking.filter((g) => l.nonZero.includes(g)).slice(0, 2));
  }
});
