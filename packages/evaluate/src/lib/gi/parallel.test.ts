import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseGeneticInteractions, distinctJobs, planGeneticInteractions } from './analysis.ts';
import { giScores } from './scores.ts';
import { analyseGeneticInteractionsParallel } from './parallel.ts';
import { computeBaselines } from '../evaluate.ts';
import { toyStats, TOY_SPLIT } from '../testing/toy-data.ts';

test('GI fits on worker threads equal the in-thread analysis', async () => {
  const { stats } = toyStats();
  const args = { stats, combinations: ['G03+G04', 'G05+G06', 'G01+G06'], predictions: computeBaselines(stats, TOY_SPLIT) };
  const serial = analyseGeneticInteractions(args);
  const warnings: string[] = [];
  const log = { info() {}, progress() {}, warn: (e: string) => void warnings.push(e) };
  const parallel = await analyseGeneticInteractionsParallel({ ...args, threads: 2, log });
  assert.deepEqual(warnings, [], 'workers started');
  assert.equal(parallel.rows.length, 15);
  assert.deepEqual(parallel.rows, serial.rows);
  assert.deepEqual(parallel.precision, serial.precision);
});

test('fits with identical inputs are computed once and shared exactly (training-mean and no-change baselines)', async () => {
  const { stats } = toyStats();
  const args = { stats, combinations: ['G03+G04', 'G05+G06', 'G01+G06'], predictions: computeBaselines(stats, TOY_SPLIT) };
  const plan = planGeneticInteractions(args);
  const { unique, slot } = distinctJobs(plan.jobs);
  assert.ok(unique.length < plan.jobs.length, `${unique.length} distinct of ${plan.jobs.length}`);
  // the training-mean fits of the three combinations share one, as do the no-change ones
  for (const model of ['training_mean', 'no_change']) assert.equal(new Set(plan.jobs.flatMap((j, k) => (j.model === model ? [slot[k]] : []))).size, 1, model);
  // every row equals its own fit computed directly
  const gi = await analyseGeneticInteractionsParallel({ ...args, threads: 2 });
  plan.jobs.forEach((j, k) => assert.deepEqual(gi.rows[k].scores, giScores(j.deltaA, j.deltaB, j.deltaAB), `${j.combination} ${j.model}`));
  assert.notEqual(gi.rows[0].scores, gi.rows[1].scores, 'rows do not share one scores object');
});
