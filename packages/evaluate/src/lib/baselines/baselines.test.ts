import { test } from 'node:test';
import assert from 'node:assert/strict';
import { additiveBaseline, noChangeBaseline, trainingMeanBaseline } from './simple.ts';
import { linearBaseline } from './linear.ts';
import { toyStats, TOY_SPLIT } from '../testing/toy-data.ts';
import { metricContext, observedCondition } from '../metrics/context.ts';
import { conditionMetrics } from '../metrics/condition-metrics.ts';

const { stats } = toyStats();
const G = stats.genes.length;
const rowOf = (name: string) => stats.mean.subarray(stats.conditions.findIndex((c) => c.name === name) * G, (stats.conditions.findIndex((c) => c.name === name) + 1) * G);
const ctrl = rowOf('ctrl');
const input = { stats, split: TOY_SPLIT };

test('no change predicts the control mean for every non-control condition', () => {
  const p = noChangeBaseline(input);
  assert.equal(p.mean.size, stats.conditions.length - 1);
  assert.deepEqual(Array.from(p.mean.get('G03+G04')!), Array.from(ctrl));
});

test('training mean = control + mean change over the perturbed training conditions', () => {
  const p = trainingMeanBaseline(input).mean.get('G04+ctrl')!;
  const train = ['G01+ctrl', 'G02+ctrl', 'G03+ctrl', 'G05+ctrl', 'G01+G02'];
  for (const g of [0, 13, 42]) {
    const want = ctrl[g] + train.reduce((s, n) => s + (rowOf(n)[g] - ctrl[g]), 0) / train.length;
    assert.ok(Math.abs(p[g] - want) < 1e-12);
  }
});

test('additive uses observed training singles only, and flags a missing single', () => {
  const p = additiveBaseline(input);
  // G01+G06 is combo_seen1: G01 single is in train, G06 single is held out (val) → must not be used
  const pred = p.mean.get('G01+G06')!;
  const meanChange = trainingMeanBaseline(input).mean.get('G04+ctrl')!;
  for (const g of [3, 17]) {
    const want = ctrl[g] + (rowOf('G01+ctrl')[g] - ctrl[g]) + (meanChange[g] - ctrl[g]);
    assert.ok(Math.abs(pred[g] - want) < 1e-9);
  }
  assert.match(p.flags!.get('G01+G06')!, /G06/);
  // a combination whose singles are both in training is exactly control + δA + δB, unflagged
  const seen2 = p.mean.get('G01+G02')!;
  for (const g of [5, 29]) assert.ok(Math.abs(seen2[g] - (rowOf('G01+ctrl')[g] + rowOf('G02+ctrl')[g] - ctrl[g])) < 1e-12);
  assert.equal(p.flags!.has('G01+G02'), false);
});

test('linear baseline: deterministic, beats no change on held-out conditions, zero embedding for unmeasured genes', () => {
  const a = linearBaseline(input);
  const b = linearBaseline(input);
  assert.deepEqual(Array.from(a.mean.get('G04+ctrl')!), Array.from(b.mean.get('G04+ctrl')!));
  const ctx = metricContext(stats, TOY_SPLIT);
  const c = stats.conditions.findIndex((x) => x.name === 'G03+G04');
  const m = conditionMetrics(a.mean.get('G03+G04')!, observedCondition(stats, c), ctx);
  assert.ok(m.pearson_delta > 0.3, `pearson_delta ${m.pearson_delta}`);
  // a condition on a gene that is not measured gets no embedding: prediction = control + mean
  // training change over the fitted conditions (control included, with change 0)
  const q = linearBaseline({ ...input, conditions: ['NOTMEASURED+ctrl'] });
  assert.match(q.flags!.get('NOTMEASURED+ctrl')!, /not measured/);
  const fit = ['ctrl', 'G01+ctrl', 'G02+ctrl', 'G03+ctrl', 'G05+ctrl', 'G01+G02'];
  const pred = q.mean.get('NOTMEASURED+ctrl')!;
  for (const g of [2, 31]) {
    const want = ctrl[g] + fit.reduce((s, n) => s + (rowOf(n)[g] - ctrl[g]), 0) / fit.length;
    assert.ok(Math.abs(pred[g] - want) < 1e-9, `${pred[g]} vs ${want}`);
  }
});

test('linear baseline with no embeddable training condition degrades to the training mean, not to no change', () => {
  // rename every perturbed gene so none is measured
  const renamed = { ...stats, genes: stats.genes.map((g) => ({ ...g, gene: `X_${g.gene}` })) };
  const p = linearBaseline({ stats: renamed, split: TOY_SPLIT, conditions: ['G04+ctrl'] });
  const train = ['ctrl', 'G01+ctrl', 'G02+ctrl', 'G03+ctrl', 'G05+ctrl', 'G01+G02'];
  const pred = p.mean.get('G04+ctrl')!;
  for (const g of [4, 40]) {
    const want = ctrl[g] + train.reduce((s, n) => s + (rowOf(n)[g] - ctrl[g]), 0) / train.length;
    assert.ok(Math.abs(pred[g] - want) < 1e-9);
  }
  assert.match(p.flags!.get('G04+ctrl')!, /training-mean fallback/);
});
