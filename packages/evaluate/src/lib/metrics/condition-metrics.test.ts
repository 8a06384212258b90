import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionGeneLists } from '@gears-pipeline/core';
import { conditionMetrics } from './condition-metrics.ts';
import { metricContext, observedCondition } from './context.ts';
import { aggregateMetrics } from './aggregate.ts';
import { toyStats, TOY_SPLIT } from '../testing/toy-data.ts';
import { mulberry32 } from '@gears-pipeline/core';
import type { MetricRow } from '../types.ts';

const { stats, conditions } = toyStats();
const G = stats.genes.length;
const ctx = metricContext(stats, TOY_SPLIT);
const ci = stats.conditions.findIndex((c) => c.name === 'G03+G04');
const obs = observedCondition(stats, ci);
const cells = conditions[ci].cells;

test('a perfect prediction scores perfectly', () => {
  const m = conditionMetrics(Float64Array.from(obs.mean), obs, ctx);
  assert.equal(m.mse, 0);
  assert.ok(Math.abs(m.pearson - 1) < 1e-12 && Math.abs(m.pearson_delta - 1) < 1e-12 && Math.abs(m.pearson_delta_de - 1) < 1e-12);
  assert.equal(m.frac_correct_direction_all, 1);
  assert.equal(m.mean_sigma, 0);
  assert.equal(m.frac_sigma_below_1_non_dropout, 1);
  assert.equal(m.l2_top1000_expressed, 0);
  assert.equal(m.fold_change_gap_all, 0);
  assert.equal(m.frac_opposite_direction_top20_non_dropout, 0);
});

test('no-change prediction: Pearson delta is undefined and reported as 0, as the reference does', () => {
  const m = conditionMetrics(Float64Array.from(ctx.control), obs, ctx);
  assert.equal(m.pearson_delta, 0);
  assert.equal(m.pearson_delta_top20_de_non_dropout, 0);
  // direction: only genes whose observed mean equals control count as correct (sign 0 == 0)
  let same = 0;
  for (let g = 0; g < G; g++) if (obs.mean[g] === ctx.control[g]) same++;
  assert.equal(m.frac_correct_direction_all, same / G);
  // frac_correct_direction_200 divides by 200 even with 60 genes
  assert.ok(m.frac_correct_direction_200 <= G / 200);
});

test('metrics agree with a per-cell recomputation of the reference formulas', () => {
  const rand = mulberry32(11);
  const pred = Float64Array.from(obs.mean, (v) => v + (rand() - 0.5) * 0.8);
  const m = conditionMetrics(pred, obs, ctx);
  const lists = conditionGeneLists(stats, ci);
  const ctrl = ctx.control;
  const tm = Array.from({ length: G }, (_, g) => cells.reduce((s, c) => s + c[g], 0) / cells.length);
  const pearson = (x: number[], y: number[]) => {
    const mx = x.reduce((a, b) => a + b) / x.length;
    const my = y.reduce((a, b) => a + b) / y.length;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    x.forEach((v, i) => {
      sxy += (v - mx) * (y[i] - my);
      sxx += (v - mx) ** 2;
      syy += (y[i] - my) ** 2;
    });
    return sxy / Math.sqrt(sxx * syy);
  };
  const de = lists.topDe20;
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
  close(m.pearson_delta, pearson(Array.from(pred, (v, g) => v - ctrl[g]), tm.map((v, g) => v - ctrl[g])), 'pearson_delta');
  close(m.mse_de, de.reduce((s, g) => s + (pred[g] - tm[g]) ** 2, 0) / 20, 'mse_de');
  // σ over the DE genes from per-cell values (np.std, ddof 0)
  const sigma: number[] = [];
  for (const g of de) {
    const v = cells.map((c) => c[g]);
    const mu = v.reduce((a, b) => a + b) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length);
    if (sd > 0) sigma.push(Math.abs(pred[g] - mu) / sd);
  }
  close(m.mean_sigma, sigma.reduce((a, b) => a + b) / sigma.length, 'mean_sigma');
  close(m.frac_sigma_below_2, 1 - sigma.filter((s) => s > 2).length / sigma.length, 'frac_sigma_below_2');
  // fold_change_gap_all
  let s = 0;
  let n = 0;
  for (let g = 0; g < G; g++) {
    const fc = tm[g] / ctrl[g];
    if (Number.isFinite(fc) && tm[g] >= 0.5 && fc > 0) {
      s += Math.abs(pred[g] / ctrl[g] - tm[g] / ctrl[g]);
      n++;
    }
  }
  close(m.fold_change_gap_all, s / n, 'fold_change_gap_all');
  // non-dropout direction family
  const D = lists.topNonDropoutDe20;
  const sgn = Math.sign;
  const opp = D.filter((g) => Math.abs(sgn(pred[g] - ctrl[g]) - sgn(tm[g] - ctrl[g])) === 2).length;
  close(m.frac_opposite_direction_top20_non_dropout, opp / D.length, 'frac_opposite');
  // L2 over the most expressed genes: with 60 genes all genes count
  close(m.l2_top1000_expressed, Math.sqrt(tm.reduce((a, v, g) => a + (pred[g] - v) ** 2, 0)), 'l2');
});

test('hvg200, top-expressed and Systema centroid come from the statistics', () => {
  assert.equal(ctx.hvg200.length, G); // fewer than 200 genes: all of them
  // control ranking: first gene has the highest control mean
  const top = ctx.topExpressed1000[0];
  for (let g = 0; g < G; g++) assert.ok(ctx.control[top] >= ctx.control[g]);
  // centroid = mean of the five perturbed training conditions
  const train = ['G01+ctrl', 'G02+ctrl', 'G03+ctrl', 'G05+ctrl', 'G01+G02'].map((n) => stats.conditions.findIndex((c) => c.name === n));
  const g = 7;
  const want = train.reduce((s, c) => s + stats.mean[c * G + g], 0) / train.length;
  assert.ok(Math.abs(ctx.perturbedCentroid[g] - want) < 1e-12);
});

test('aggregates: unweighted means per subgroup, NaN for empty subgroups, unset values skipped', () => {
  const rows: MetricRow[] = [
    { condition: 'a', split: 'test', subgroup: 'combo_seen1', model: 'm', metric: 'x', value: 1, nConditions: 1 },
    { condition: 'b', split: 'test', subgroup: 'combo_seen1', model: 'm', metric: 'x', value: 3, nConditions: 1 },
    { condition: 'c', split: 'test', subgroup: 'unseen_single', model: 'm', metric: 'x', value: NaN, nConditions: 1 },
    { condition: 'd', split: 'test', subgroup: 'unseen_single', model: 'm', metric: 'x', value: 5, nConditions: 1 },
  ];
  const agg = aggregateMetrics(rows);
  const get = (sg: string) => agg.find((r) => r.subgroup === sg)!;
  assert.equal(get('combo_seen1').value, 2);
  assert.equal(get('unseen_single').value, 5);
  assert.equal(get('unseen_single').nConditions, 1);
  assert.equal(get('overall').value, 3);
  assert.ok(Number.isNaN(get('combo_seen0').value));
  assert.equal(get('combo_seen0').nConditions, 0);
});
