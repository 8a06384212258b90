import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AliasTable, SeededRandom } from './random.ts';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  return { mean, variance: s2 / n - mean * mean };
}

test('the same seed and stream give the same sequence; another stream differs', () => {
  const a = new SeededRandom(7, 3);
  const b = new SeededRandom(7, 3);
  const c = new SeededRandom(7, 4);
  const xa = Array.from({ length: 20 }, () => a.nextUint32());
  const xb = Array.from({ length: 20 }, () => b.nextUint32());
  const xc = Array.from({ length: 20 }, () => c.nextUint32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('uniform stays inside (0, 1) with mean 1/2', () => {
  const r = new SeededRandom(1);
  let min = 1;
  let max = 0;
  const m = moments(() => {
    const u = r.uniform();
    min = Math.min(min, u);
    max = Math.max(max, u);
    return u;
  }, 200_000);
  assert.ok(min > 0 && max < 1);
  assert.ok(Math.abs(m.mean - 0.5) < 0.005, `mean ${m.mean}`);
  assert.ok(Math.abs(m.variance - 1 / 12) < 0.002, `variance ${m.variance}`);
});

test('Poisson has mean = variance = λ for small and large λ (both samplers)', () => {
  const r = new SeededRandom(2);
  for (const lambda of [0.3, 4, 25, 800]) {
    const m = moments(() => r.poisson(lambda), 100_000);
    assert.ok(Math.abs(m.mean - lambda) < 0.03 * lambda + 0.01, `λ=${lambda} mean ${m.mean}`);
    assert.ok(Math.abs(m.variance - lambda) < 0.06 * lambda + 0.02, `λ=${lambda} variance ${m.variance}`);
  }
});

test('gamma has mean = variance = shape; negative binomial has variance μ + μ²/θ', () => {
  const r = new SeededRandom(3);
  for (const shape of [0.5, 2, 10]) {
    const m = moments(() => r.gamma(shape), 100_000);
    assert.ok(Math.abs(m.mean - shape) < 0.03 * shape, `shape ${shape} mean ${m.mean}`);
    assert.ok(Math.abs(m.variance - shape) < 0.08 * shape, `shape ${shape} variance ${m.variance}`);
  }
  const mu = 6;
  const theta = 3;
  const nb = moments(() => r.negativeBinomial(mu, theta), 100_000);
  assert.ok(Math.abs(nb.mean - mu) < 0.1, `nb mean ${nb.mean}`);
  assert.ok(Math.abs(nb.variance - (mu + (mu * mu) / theta)) < 0.6, `nb variance ${nb.variance}`);
});

test('alias table draws items in proportion to their weights', () => {
  const weights = [5, 0, 1, 3, 1];
  const items = Int32Array.from([10, 11, 12, 13, 14]);
  const t = new AliasTable(weights, items);
  const r = new SeededRandom(4);
  const n = 200_000;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = t.sample(r);
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  assert.equal(counts.get(11) ?? 0, 0, 'a zero weight is never drawn');
  weights.forEach((w, i) => {
    const share = (counts.get(items[i]) ?? 0) / n;
    assert.ok(Math.abs(share - w / 10) < 0.005, `item ${items[i]}: ${share} vs ${w / 10}`);
  });
});
