import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseGeneticInteractions } from './analysis.ts';
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
