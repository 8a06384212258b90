import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL } from '@gears-pipeline/core';
import { doublesWithBothSingles, makePartition, observedDelta } from '../bench/norman-doubles/protocol.ts';
import { doubleMetrics, l2Genes } from '../bench/norman-doubles/metrics.ts';
import { loadNormanPseudobulk } from '../bench/norman-doubles/data.ts';

test('the double-perturbation protocol: all singles train, half of the eligible doubles test, seeded and disjoint', async () => {
  const stats = await loadNormanPseudobulk();
  const eligible = doublesWithBothSingles(stats);
  assert.equal(eligible.length, 126);
  assert.ok(!eligible.some((c) => c.includes('ZBTB10')));
  const a = makePartition(stats, 1);
  const b = makePartition(stats, 1);
  const c = makePartition(stats, 2);
  assert.deepEqual(a.testDoubles, b.testDoubles);
  assert.notDeepEqual(a.testDoubles, c.testDoubles);
  assert.equal(a.testDoubles.length, 63);
  assert.equal(a.valDoubles.length, 13);
  const where = new Map(a.split.map((x) => [x.condition, x.split]));
  for (const cond of stats.conditions) {
    if (cond.genes.length === 1 || cond.name === CONTROL) assert.equal(where.get(cond.name), 'train', cond.name);
  }
  const zbtb10 = [...where.keys()].filter((k) => k.includes('ZBTB10'));
  assert.equal(zbtb10.length, 4);
  for (const k of zbtb10) assert.equal(where.get(k), 'train', k);
  const sets = [a.trainDoubles, a.valDoubles, a.testDoubles].map((s) => new Set(s));
  for (const d of a.testDoubles) assert.ok(!sets[0].has(d) && !sets[1].has(d));
  assert.equal(a.trainDoubles.length + a.valDoubles.length + a.testDoubles.length, 130);
});

test('protocol metrics: L2 over all genes for a log-fold-change table, additive scored against the observed double', async () => {
  const stats = await loadNormanPseudobulk();
  const genes = l2Genes(stats);
  assert.equal(genes.length, stats.genes.length);
  const double = 'CEBPA+KLF1';
  const row = stats.conditions.findIndex((c) => c.name === double);
  const truth = observedDelta(stats, double);
  const [x, y] = ['CEBPA', 'KLF1'].map((g) => observedDelta(stats, `${g}+${CONTROL}`));
  const additive = x.map((v, g) => v + y[g]);
  const m = doubleMetrics(stats, row, truth, additive, genes);
  let ss = 0;
  for (let g = 0; g < truth.length; g++) ss += (additive[g] - truth[g]) ** 2;
  assert.ok(Math.abs(m.l2 - Math.sqrt(ss)) < 1e-9);
  assert.ok(m.pearsonDelta > 0.5 && m.pearsonDelta < 1, `Pearson ${m.pearsonDelta}`);
  const perfect = doubleMetrics(stats, row, truth, truth, genes);
  assert.equal(perfect.l2, 0);
  assert.equal(perfect.mseDe, 0);
  // the top-20 DE genes are those with the largest observed |change|
  const none = doubleMetrics(stats, row, truth, new Float64Array(truth.length), genes);
  const top20 = Array.from(truth).map(Math.abs).sort((p, q) => q - p).slice(0, 20);
  assert.ok(Math.abs(none.mseDe - top20.reduce((s, v) => s + v * v, 0) / 20) < 1e-9);
});
