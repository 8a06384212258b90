import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionGenes } from '@gears-pipeline/core';
import { geneFolds } from '../bench/unseen/harness.ts';
import { loadNormanPseudobulk } from '../bench/norman-doubles/data.ts';

test('bench:unseen gene folds: every single gene is tested exactly once per seed and never seen in training or validation of its fold', async () => {
  const stats = await loadNormanPseudobulk();
  const singles = new Set(stats.conditions.filter((c) => c.genes.length === 1).map((c) => c.genes[0]));
  const folds = geneFolds(stats, singles, 5, 1);
  assert.equal(folds.length, 5);
  const tested = folds.flatMap((f) => f.testGenes);
  assert.equal(tested.length, singles.size);
  assert.equal(new Set(tested).size, singles.size);
  for (const f of folds) {
    const test = new Set(f.testGenes);
    const val = f.split.filter((a) => a.split === 'val').flatMap((a) => conditionGenes(a.condition));
    assert.ok(val.length > 0 && val.every((g) => !test.has(g)));
    const valSet = new Set(val);
    for (const a of f.split.filter((x) => x.split === 'train')) assert.ok(conditionGenes(a.condition).every((g) => !test.has(g) && !valSet.has(g)), a.condition);
    for (const a of f.split.filter((x) => x.split === 'test')) assert.equal(conditionGenes(a.condition).length, 1);
  }
  assert.notDeepEqual(geneFolds(stats, singles, 5, 2)[0].testGenes, folds[0].testGenes);
});
