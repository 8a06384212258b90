import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rankByAbsDelta, rankByAbsT, welchT } from '../../index.ts';

test('Welch t with ddof-1 variances, as scipy ttest_ind(equal_var=False)', () => {
  // a = [1, 2, 3, 4] (mean 2.5, M2 5), b = [2, 4, 6] (mean 4, M2 8)
  const t = welchT(2.5, 5, 4, 4, 8, 3);
  const expected = (2.5 - 4) / Math.sqrt(5 / 3 / 4 + 8 / 2 / 3);
  assert.ok(Math.abs(t - expected) < 1e-15);
  assert.ok(Math.abs(t - -1.1338934190) < 1e-9); // by hand: -1.5 / sqrt(5/3/4 + 8/2/3)
  assert.equal(welchT(0, 0, 5, 0, 0, 7), 0, 'constant in both groups: NaN → 0');
  assert.equal(welchT(1, 0, 5, 0, 0, 7), Infinity);
});

test('genes rank by |t| descending, ties by position', () => {
  assert.deepEqual(Array.from(rankByAbsT([0.5, -3, 0, 3, Infinity, 0])), [3, 1, 4, 2, 0, 5]);
});

test('without variance (pseudobulk), genes rank by |mean − control| descending, ties by position', () => {
  assert.deepEqual(Array.from(rankByAbsDelta([1, 0, 2, 4], [1, 3, 0, 1])), [3, 0, 2, 1]);
});
