/**
 * The fast GI fit (typed-array Theil–Sen, one-pass distance correlations) against the
 * straightforward implementation it replaced (testing/gi-oracle.ts), on random data with ties,
 * exact zeros, repeated genes and both the all-pairs and the subsampled Theil–Sen paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '@gears-pipeline/core';
import { theilSen2 } from './theil-sen.ts';
import { absoluteDistanceRowSums, giDistanceCorrelations } from './dcor.ts';
import { oracleAbsoluteDistanceRowSums, oracleGiDistanceCorrelations, oracleTheilSen2 } from '../testing/gi-oracle.ts';

const rand = mulberry32(7);
/** Values on a coarse grid (many ties), a share of exact zeros, some genes copied. */
function tiedVector(n: number, grid: number, zeros: number): Float64Array {
  const v = Float64Array.from({ length: n }, () => (rand() < zeros ? 0 : Math.round((rand() - 0.5) * grid) / grid));
  for (let k = 0; k < n / 10; k++) v[Math.floor(rand() * n)] = v[Math.floor(rand() * n)];
  return v;
}

const cases = [
  { n: 3, grid: 4, zeros: 0 },
  { n: 40, grid: 4, zeros: 0.5 },
  { n: 150, grid: 20, zeros: 0.3 }, // 11,175 pairs: all pairs
  { n: 400, grid: 1000, zeros: 0.1 }, // 79,800 pairs
  { n: 600, grid: 8, zeros: 0.6 }, // 179,700 pairs: subsampled to 1e5
];

test('fast Theil–Sen equals the oracle (bit-identical) with ties and zeros', () => {
  for (const { n, grid, zeros } of cases) {
    for (let rep = 0; rep < 3; rep++) {
      const x1 = tiedVector(n, grid, zeros);
      const x2 = rep === 2 ? Float64Array.from(x1) : tiedVector(n, grid, zeros); // collinear predictors
      const y = Float64Array.from(x1, (v, i) => 0.7 * v + 0.2 * x2[i] + (rand() < 0.2 ? Math.round(rand() * grid) / grid : 0));
      assert.deepEqual(theilSen2(x1, x2, y), oracleTheilSen2(x1, x2, y), `n=${n} rep=${rep}`);
      const opts = { maxSubpopulation: 500, seed: 3 };
      assert.deepEqual(theilSen2(x1, x2, y, opts), oracleTheilSen2(x1, x2, y, opts));
    }
  }
  // the cached pair list must follow n
  const a = tiedVector(50, 10, 0);
  const b = tiedVector(50, 10, 0);
  const c = tiedVector(50, 10, 0);
  assert.deepEqual(theilSen2(a.subarray(0, 30), b.subarray(0, 30), c.subarray(0, 30)), oracleTheilSen2(a.subarray(0, 30), b.subarray(0, 30), c.subarray(0, 30)));
  assert.deepEqual(theilSen2(a, b, c), oracleTheilSen2(a, b, c));
});

test('one-pass distance correlations equal the two-pass oracle within 1e-9', () => {
  for (const { n, grid, zeros } of cases) {
    const x1 = tiedVector(n, grid, zeros);
    const x2 = tiedVector(n, grid, zeros);
    const y = Float64Array.from(x1, (v, i) => v * v - 0.5 * x2[i] + Math.round(rand() * grid) / grid);
    const fast = giDistanceCorrelations(x1, x2, y);
    const slow = oracleGiDistanceCorrelations(x1, x2, y);
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(fast[k] - slow[k]) < 1e-9, `n=${n} k=${k}: ${fast[k]} vs ${slow[k]}`);
  }
  // constant and identical inputs: the zero-variance and dCor = 1 edge cases agree
  const z = new Float64Array(30);
  const x = tiedVector(30, 5, 0);
  assert.deepEqual(giDistanceCorrelations(z, z, z), oracleGiDistanceCorrelations(z, z, z));
  const same = giDistanceCorrelations(x, x, x);
  const sameOracle = oracleGiDistanceCorrelations(x, x, x);
  for (let k = 0; k < 4; k++) assert.ok(Math.abs(same[k] - sameOracle[k]) < 1e-9);
});

test('absoluteDistanceRowSums equals the direct sums, ties included', () => {
  const x = tiedVector(200, 6, 0.4);
  const rows = absoluteDistanceRowSums(x);
  for (let i = 0; i < x.length; i++) {
    let s = 0;
    for (let j = 0; j < x.length; j++) s += Math.abs(x[i] - x[j]);
    assert.ok(Math.abs(rows[i] - s) < 1e-10 * Math.max(1, s), `${i}`);
  }
});

test('unchanged singles (the no-change baseline): the shortcut gives exactly the full computation', () => {
  for (const n of [30, 600]) {
    const z = new Float64Array(n);
    const negZero = new Float64Array(n).fill(-0);
    const y = tiedVector(n, 8, 0.3);
    for (const [x1, x2] of [[z, z], [z, negZero]]) {
      assert.deepEqual(theilSen2(x1, x2, y), oracleTheilSen2(x1, x2, y), `n=${n}`);
      assert.deepEqual(giDistanceCorrelations(x1, x2, y), oracleGiDistanceCorrelations(x1, x2, y), `n=${n}`);
      assert.deepEqual(giDistanceCorrelations(x1, x2, z), oracleGiDistanceCorrelations(x1, x2, z));
    }
    // one single changed in one gene only: no shortcut, still equal
    const x1 = new Float64Array(n);
    x1[n - 1] = 0.5;
    assert.deepEqual(theilSen2(x1, z, y), oracleTheilSen2(x1, z, y));
    const fast = giDistanceCorrelations(x1, z, y);
    const slow = oracleGiDistanceCorrelations(x1, z, y);
    for (let k = 0; k < 4; k++) assert.ok(Math.abs(fast[k] - slow[k]) < 1e-9);
  }
});

test('row sums ordered by a radix sort equal those of the comparator sort bit for bit (ties, ±0, NaN)', () => {
  for (const [n, grid, zeros] of [[1, 4, 0], [2, 4, 0.5], [200, 6, 0.4], [3000, 50, 0.3], [500, 1e6, 0]]) {
    const x = tiedVector(n, grid, zeros);
    if (n > 2) x[1] = -0;
    assert.deepEqual(absoluteDistanceRowSums(x), oracleAbsoluteDistanceRowSums(x), `n=${n}`);
  }
  // magnitudes from 1e-300 to 1e300 of both signs, subnormals
  const wide = Float64Array.from({ length: 400 }, (_, i) => (rand() < 0.5 ? -1 : 1) * Math.round(rand() * 9) * 10 ** Math.round((rand() - 0.5) * 600));
  wide[3] = 5e-324;
  wide[4] = -5e-324;
  const rows = absoluteDistanceRowSums(wide);
  assert.deepEqual(rows, oracleAbsoluteDistanceRowSums(wide));
  const withNaN = tiedVector(50, 4, 0.2);
  withNaN[7] = NaN;
  assert.deepEqual(absoluteDistanceRowSums(withNaN), oracleAbsoluteDistanceRowSums(withNaN));
});
