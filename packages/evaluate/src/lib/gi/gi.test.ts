import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '@gears-pipeline/core';
import { solve2, spatialMedian2, theilSen2 } from './theil-sen.ts';
import { distanceCorrelation, giDistanceCorrelations } from './dcor.ts';
import { giScores } from './scores.ts';
import { giTypeCalls, precisionAtK } from './types.ts';

const rand = mulberry32(42);
const gauss = () => {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
};

test('theilSen2 recovers exact coefficients and resists 15% gross outliers', () => {
  const n = 300;
  const x1 = Float64Array.from({ length: n }, gauss);
  const x2 = Float64Array.from({ length: n }, gauss);
  const y = Float64Array.from(x1, (v, i) => 1.7 * v - 0.4 * x2[i]);
  const [c1, c2] = theilSen2(x1, x2, y);
  assert.ok(Math.abs(c1 - 1.7) < 1e-3 && Math.abs(c2 + 0.4) < 1e-3, `${c1} ${c2}`);
  const dirty = Float64Array.from(y, (v, i) => (i % 7 === 0 ? v + 50 : v));
  const [d1, d2] = theilSen2(x1, x2, dirty);
  assert.ok(Math.abs(d1 - 1.7) < 0.1 && Math.abs(d2 + 0.4) < 0.1, `${d1} ${d2}`);
});

test('theilSen2 subsamples seeded pairs above the cap (deterministic)', () => {
  const n = 200; // 19,900 pairs > cap 5,000
  const x1 = Float64Array.from({ length: n }, gauss);
  const x2 = Float64Array.from({ length: n }, gauss);
  const y = Float64Array.from(x1, (v, i) => 0.5 * v + 2 * x2[i] + 0.05 * gauss());
  const a = theilSen2(x1, x2, y, { maxSubpopulation: 5000 });
  const b = theilSen2(x1, x2, y, { maxSubpopulation: 5000 });
  assert.deepEqual(a, b);
  assert.ok(Math.abs(a[0] - 0.5) < 0.05 && Math.abs(a[1] - 2) < 0.05, String(a));
});

test('solve2: exact solve when regular, minimum-norm least squares when singular', () => {
  assert.deepEqual(solve2(2, 0, 0, 4, 2, 8).map((v) => Math.round(v * 1e12) / 1e12), [1, 2]);
  // rank 1: M = [[1,2],[2,4]]; pinv = Mᵀ/‖M‖²_F; x = pinv·[1, 3]
  const [u, v] = solve2(1, 2, 2, 4, 1, 3);
  const f = 25;
  assert.ok(Math.abs(u - (1 * 1 + 2 * 3) / f) < 1e-12 && Math.abs(v - (2 * 1 + 4 * 3) / f) < 1e-12, `${u} ${v}`);
  assert.deepEqual(solve2(0, 0, 0, 0, 1, 1), [0, 0]);
});

test('spatialMedian2 minimises the summed distance', () => {
  const pts = Float64Array.from([0, 0, 4, 0, 0, 3, 1, 1, 10, 10]);
  const [mx, my] = spatialMedian2(pts, 1000, 1e-9);
  const cost = (x: number, y: number) => {
    let s = 0;
    for (let k = 0; k < 5; k++) s += Math.hypot(pts[2 * k] - x, pts[2 * k + 1] - y);
    return s;
  };
  const best = cost(mx, my);
  for (const [dx, dy] of [[0.01, 0], [-0.01, 0], [0, 0.01], [0, -0.01]]) assert.ok(cost(mx + dx, my + dy) >= best - 1e-9);
});

function bruteDcor(x: number[][], y: number[][]): number {
  const n = x.length;
  const dist = (v: number[][], i: number, j: number) => Math.sqrt(v[i].reduce((s, _, d) => s + (v[i][d] - v[j][d]) ** 2, 0));
  const centred = (v: number[][]) => {
    const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => dist(v, i, j)));
    const rm = a.map((r) => r.reduce((s, t) => s + t, 0) / n);
    const gm = rm.reduce((s, t) => s + t, 0) / n;
    return a.map((r, i) => r.map((t, j) => t - rm[i] - rm[j] + gm));
  };
  const A = centred(x);
  const B = centred(y);
  const m = (P: number[][], Q: number[][]) => P.reduce((s, r, i) => s + r.reduce((t, v, j) => t + v * Q[i][j], 0), 0) / (n * n);
  return Math.sqrt(m(A, B) / Math.sqrt(m(A, A) * m(B, B)));
}

test('distance correlation matches the textbook V-statistic and the fast GI form', () => {
  const n = 60;
  const a = Array.from({ length: n }, gauss);
  const b = Array.from({ length: n }, gauss);
  const y = a.map((v, i) => v * v + 0.3 * b[i]);
  const want = bruteDcor(a.map((v, i) => [v, b[i]]), y.map((v) => [v]));
  assert.ok(Math.abs(distanceCorrelation([a, b], [y]) - want) < 1e-12);
  const fast = giDistanceCorrelations(a, b, y);
  assert.ok(Math.abs(fast[0] - want) < 1e-12);
  assert.ok(Math.abs(fast[1] - bruteDcor(a.map((v) => [v]), b.map((v) => [v]))) < 1e-12);
  assert.ok(Math.abs(fast[2] - bruteDcor(a.map((v) => [v]), y.map((v) => [v]))) < 1e-12);
  // a linear function of x has distance correlation 1; a constant gives 0
  assert.ok(Math.abs(distanceCorrelation([a], [a.map((v) => 3 * v + 2)]) - 1) < 1e-12);
  assert.equal(distanceCorrelation([a], [a.map(() => 1)]), 0);
});

test('giScores of an exactly additive combination', () => {
  const n = 120;
  const da = Float64Array.from({ length: n }, gauss);
  const db = Float64Array.from({ length: n }, gauss);
  const s = giScores(da, db, Float64Array.from(da, (v, i) => v + db[i]));
  assert.ok(Math.abs(s.c1 - 1) < 1e-6 && Math.abs(s.c2 - 1) < 1e-6);
  assert.ok(Math.abs(s.mag - Math.SQRT2) < 1e-6);
  assert.ok(Math.abs(s.corr_fit - 1) < 1e-12);
  assert.ok(s.dominance < 1e-6);
  assert.ok(s.eq_contr > 0 && s.eq_contr <= 1);
  assert.match(giTypeCalls(s), /synergy/);
  // opposite-sign coefficients: dominance is undefined (numpy log10 of a negative ratio)
  const t = giScores(da, db, Float64Array.from(da, (v, i) => 2 * v - 0.5 * db[i]));
  assert.ok(Number.isNaN(t.dominance));
});

test('precisionAtK ranks predictions and counts observed hits', () => {
  const mk = (mag: number) => ({ c1: 0, c2: 0, mag, dominance: 0, corr_fit: 1, dcor: 0.5, dcor_singles: 0, dcor_first: 0.5, dcor_second: 0.5, eq_contr: 1 });
  const names = ['A+B', 'C+D', 'E+F', 'G+H'];
  const observed = new Map(names.map((n, i) => [n, mk([1.5, 0.5, 1.3, 0.9][i])]));
  const predicted = new Map(names.map((n, i) => [n, mk([2, 1.2, 0.1, 0.95][i])]));
  const syn = precisionAtK(observed, predicted, 2).find((r) => r.type === 'synergy')!;
  // predicted top-2 mag: A+B (true), C+D (false) → 1/2
  assert.equal(syn.precision, 0.5);
  assert.equal(syn.nTrue, 2);
  const sup = precisionAtK(observed, predicted, 2).find((r) => r.type === 'suppressor')!;
  // lowest predicted: E+F (false: 1.3), G+H (true: 0.9)
  assert.equal(sup.precision, 0.5);
});
