import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wilcoxonSignedRank } from './wilcoxon.ts';

test('Wilcoxon signed-rank, exact: hand-computed small cases', () => {
  // differences 1, 2, 3 all positive: W+ = 6, the most extreme of 2³ patterns on each side → p = 2/8
  const r = wilcoxonSignedRank([2, 4, 6], [1, 2, 3]);
  assert.equal(r.wPlus, 6);
  assert.equal(r.method, 'exact');
  assert.equal(r.p, 0.25);
  // differences +1, −2, +3, +4 (ranks 1..4): W− = 2; patterns with rank sum ≤ 2: {}, {1}, {2} → p = 2·3/16
  const s = wilcoxonSignedRank([1, 0, 3, 4], [0, 2, 0, 0]);
  assert.equal(s.wMinus, 2);
  assert.equal(s.p, 6 / 16);
  // zeros dropped; ties averaged: |d| = 1, 1, 2 → ranks 1.5, 1.5, 3; d = −1, +1, +2: W− = 1.5;
  // sums of sign subsets: 0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6 → P(W ≤ 1.5) = 3/8 → p = 6/8
  const t = wilcoxonSignedRank([0, 1, 2, 5], [0, 2, 1, 3]);
  assert.equal(t.n, 3);
  assert.equal(t.wMinus, 1.5);
  assert.equal(t.p, 0.75);
  assert.equal(wilcoxonSignedRank([1, 2], [1, 2]).p, 1);
});

test('Wilcoxon signed-rank, normal approximation above 50 pairs: hand-computed z', () => {
  // d = −1 … −35, +36 … +60: ranks are |d|, W− = 35·36/2 = 630, W+ = 1830 − 630 = 1200;
  // z = (|1200 − 915| − 0.5) / √(60·61·121/24) = 2.0944 → two-sided p = erfc(z/√2) = 0.036224
  const d = Array.from({ length: 60 }, (_, i) => (i < 35 ? -(i + 1) : i + 1));
  const r = wilcoxonSignedRank(d, new Array(60).fill(0));
  assert.equal(r.method, 'normal');
  assert.equal(r.wMinus, 630);
  assert.ok(Math.abs(r.p - 0.036224) < 1e-5, String(r.p));
});
