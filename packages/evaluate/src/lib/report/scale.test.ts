import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceScale, niceStep } from './scale.ts';

test('tick steps are 1, 2 or 5 × 10^k and the domain covers the data in whole steps', () => {
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(0.509, 5), 0.1);
  assert.equal(niceStep(2.4, 5), 0.5);
  assert.equal(niceStep(37, 5), 10);
  const s = niceScale([0.383, 0.509, -0.03], 200, 0);
  assert.equal(s.step, 0.1);
  assert.deepEqual(s.ticks, [-0.1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
  assert.deepEqual(s.ticks.map(s.format), ['-0.1', '0.0', '0.1', '0.2', '0.3', '0.4', '0.5', '0.6']);
  assert.equal(s.map(-0.1), 200);
  assert.ok(Math.abs(s.map(0.6)) < 1e-9);
  for (const v of [0.383, 0.509, -0.03]) assert.ok(v >= s.lo && v <= s.hi);
});

test('constant, empty and tiny ranges still give a readable axis', () => {
  const c = niceScale([2, 2], 0, 100, { includeZero: false });
  assert.ok(c.lo < 2 && c.hi > 2 && c.ticks.length >= 2);
  const e = niceScale([], 0, 100);
  assert.deepEqual([e.lo, e.hi], [0, 1]);
  const tiny = niceScale([1e-6, 3e-6], 0, 100, { includeZero: false });
  assert.ok(tiny.ticks.length >= 2 && tiny.ticks.length <= 12);
  assert.match(tiny.format(tiny.ticks[1]), /e-/);
});
