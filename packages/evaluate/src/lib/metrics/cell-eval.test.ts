import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '@gears-pipeline/core';
import { cellEvalConditionMetrics, discriminationScores, discriminationScoresAll } from './cell-eval.ts';
import type { MetricContext, ObservedCondition } from './condition-metrics.ts';
import { oracleCellEvalConditionMetrics, oracleDiscriminationScores } from '../testing/cell-eval-oracle.ts';

const G = 300;
const control = Float64Array.from({ length: G }, (_, g) => 1 + (g % 7) * 0.1);
const ctx = { control } as MetricContext;
const change = Float64Array.from({ length: G }, (_, g) => (g < 60 ? (g % 2 ? 1 : -1) * (60 - g) * 0.05 : 0.001 * (g % 3)));
const obs = { mean: Float64Array.from(control, (c, g) => c + change[g]), lists: { topDe20: Array.from({ length: 20 }, (_, g) => g) } } as unknown as ObservedCondition;

test('cell-eval metrics on a perfect prediction: zero errors, full direction match and overlap', () => {
  const m = cellEvalConditionMetrics(Float64Array.from(obs.mean), obs, ctx);
  assert.equal(m.mae, 0);
  assert.equal(m.mse_delta, 0);
  assert.equal(m.mae_delta, 0);
  assert.equal(m.de_direction_match, 1);
  assert.equal(m.overlap_at_50, 1);
  assert.equal(m.overlap_at_200, 1);
});

test('cell-eval metrics follow their formulas on a prediction with flipped and shifted genes', () => {
  // flip the sign of 5 of the 20 DE genes and shift every gene by +0.1
  const pred = Float64Array.from(obs.mean, (v, g) => (g < 20 && g % 4 === 0 ? control[g] - change[g] : v) + 0.1);
  const m = cellEvalConditionMetrics(pred, obs, ctx);
  let ae = 0;
  for (let g = 0; g < G; g++) ae += Math.abs(pred[g] - obs.mean[g]);
  assert.ok(Math.abs(m.mae - ae / G) < 1e-12);
  assert.ok(Math.abs(m.mae_delta - m.mae) < 1e-12, 'shared control: mae_delta = mae');
  // sign flips alone: |δ| unchanged, so top-k sets overlap fully while 5 of 20 directions are wrong
  const flipped = Float64Array.from(obs.mean, (v, g) => (g < 20 && g % 4 === 0 ? control[g] - change[g] : v));
  const f = cellEvalConditionMetrics(flipped, obs, ctx);
  assert.equal(f.de_direction_match, 15 / 20);
  assert.equal(f.overlap_at_50, 1);
  // predicting the changes of genes 0..59 onto genes 240..299 instead: no overlap in the top 50
  const moved = Float64Array.from(control, (c, g) => c + (g >= 240 ? change[g - 240] : 0));
  assert.equal(cellEvalConditionMetrics(moved, obs, ctx).overlap_at_50, 0);
  // no change predicted at all: nothing overlaps beyond chance ordering, direction of 0 never matches
  const flat = cellEvalConditionMetrics(Float64Array.from(control), obs, ctx);
  assert.equal(flat.de_direction_match, 0);
  assert.ok(flat.mse_delta > 0);
});

test('discrimination score: 1 when each prediction is closest to its own data, lower when confused', () => {
  const observed = new Map([
    ['A+ctrl', Float64Array.from([1, 0, 0, 0])],
    ['B+ctrl', Float64Array.from([0, 1, 0, 0])],
    ['C+ctrl', Float64Array.from([0, 0, 1, 0])],
    ['D+ctrl', Float64Array.from([0, 0, 0, 1])],
  ]);
  const geneIndex = new Map([['A', 0], ['B', 1], ['C', 2], ['D', 3]]);
  const conds = [...observed.keys()];
  // predictions that also move a non-target gene, so the score does not hinge on the target gene
  const good = new Map(conds.map((c, i) => [c, Float64Array.from([0, 1, 2, 3], (g) => (g === i ? 1 : 0.1 * g))]));
  for (const kind of ['l1', 'l2', 'cosine'] as const) {
    const s = discriminationScores(conds, good, observed, new Map(), kind);
    for (const c of conds) assert.equal(s.get(c), 1, `${kind} ${c}`);
  }
  // A's prediction looks exactly like B's data: A ranks B first, its own second → 1 − 1/4
  const confused = new Map(good);
  confused.set('A+ctrl', Float64Array.from([0, 1, 0, 0]));
  const s = discriminationScores(conds, confused, observed, new Map(), 'l1');
  assert.equal(s.get('A+ctrl'), 0.75);
  // leaving out A's own gene: A's data is all zeros then, B's still differs → A ranks second still
  const withTargets = discriminationScores(conds, confused, observed, geneIndex, 'l2');
  assert.equal(withTargets.get('A+ctrl'), 0.75);
});

/** Values on a coarse grid, so many genes tie in |δ| (also +x against −x) and many are 0. */
function gridVector(rand: () => number, G: number, base: Float64Array): Float64Array {
  return Float64Array.from(base, (c) => c + Math.round((rand() - 0.5) * 8) * 0.25 * (rand() < 0.6 ? 0 : 1));
}

test('fast cell-eval metrics equal the straightforward sorts exactly (ties, fewer genes than k, NaN, one obs reused across models)', () => {
  const rand = mulberry32(11);
  for (const G of [300, 150, 37]) {
    const control = Float64Array.from({ length: G }, () => Math.round(rand() * 8) / 4);
    const c = { control } as MetricContext;
    const o = { mean: gridVector(rand, G, control), lists: { topDe20: Array.from({ length: Math.min(20, G) }, (_, g) => (g * 7) % G) } } as unknown as ObservedCondition;
    for (let m = 0; m < 4; m++) {
      const pred = gridVector(rand, G, control);
      if (m === 3) pred[5] = NaN;
      const fast = cellEvalConditionMetrics(pred, o, c);
      const slow = oracleCellEvalConditionMetrics(pred, o, c);
      assert.deepEqual(Object.keys(fast), Object.keys(slow));
      for (const k of Object.keys(slow)) assert.ok(Object.is(fast[k], slow[k]), `G ${G} model ${m} ${k}: ${fast[k]} vs ${slow[k]}`);
    }
  }
});

test('all three discrimination scores in one pass equal one pass per distance exactly', () => {
  const rand = mulberry32(5);
  const G = 60;
  const genes = Array.from({ length: G }, (_, g) => `G${g}`);
  const geneIndex = new Map(genes.map((g, i) => [g, i]));
  const conds = ['G1+ctrl', 'G2+G9', 'G9+ctrl', 'X+ctrl', 'G59+G0', 'G3+G3', 'G4+ctrl', 'G5+ctrl'];
  const zero = new Float64Array(G);
  const observed = new Map(conds.map((c) => [c, gridVector(rand, G, zero)]));
  observed.set('G4+ctrl', new Float64Array(G)); // no change: cosine falls back to 1
  const predicted = new Map(conds.slice(0, -1).map((c) => [c, gridVector(rand, G, zero)]));
  predicted.set('G3+G3', Float64Array.from(observed.get('G2+G9')!)); // a tie in every distance
  const all = discriminationScoresAll(conds, predicted, observed, geneIndex);
  for (const kind of ['l1', 'l2', 'cosine'] as const) {
    const slow = oracleDiscriminationScores(conds, predicted, observed, geneIndex, kind);
    assert.deepEqual([...all[kind]], [...slow], kind);
    assert.deepEqual([...discriminationScores(conds, predicted, observed, geneIndex, kind)], [...slow], kind);
  }
});
