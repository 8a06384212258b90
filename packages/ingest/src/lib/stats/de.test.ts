import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '@gears-pipeline/core';
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

test('the radix ranking equals a comparison sort by (|t| descending, position)', () => {
  const rand = mulberry32(11);
  const pool = [0, -0, 1e-310, -1e-310, 0.5, -0.5, 3, Infinity, -Infinity, Number.MAX_VALUE, 2 ** -1074];
  for (const G of [1, 2, 7, 300, 5000]) {
    const t = Float64Array.from({ length: G }, () => (rand() < 0.3 ? pool[Math.floor(rand() * pool.length)] : (rand() - 0.5) * 10 ** Math.floor(rand() * 8 - 4)));
    const order = Array.from({ length: G }, (_, g) => g).sort((a, b) => Math.abs(t[b]) - Math.abs(t[a]) || a - b);
    const expected = new Int32Array(G);
    order.forEach((g, i) => (expected[g] = i));
    assert.deepEqual(rankByAbsT(t), expected, `G = ${G}`);
  }
});

test('without variance (pseudobulk), genes rank by |mean − control| descending, ties by position', () => {
  assert.deepEqual(Array.from(rankByAbsDelta([1, 0, 2, 4], [1, 3, 0, 1])), [3, 0, 2, 1]);
});
