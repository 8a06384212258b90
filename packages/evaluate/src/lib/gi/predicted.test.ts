import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearsInputError, PREDICTIONS_TABLE_COLUMNS, readParquetColumns, scperturbName, writeParquetTable } from '@gears-pipeline/core';
import { predictedGeneticInteractions } from './predicted.ts';
import { giScores } from './scores.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-pred-gi-'));
const G = 60;
const dA = Float64Array.from({ length: G }, (_, g) => Math.sin(g) * (g % 5));
const dB = Float64Array.from({ length: G }, (_, g) => Math.cos(g * 1.3) * ((g + 2) % 4));
// a synergistic double: 1.5 × (δA + δB)
const dAB = Float64Array.from(dA, (v, g) => 1.5 * (v + dB[g]));
const conds: [string, Float64Array][] = [['A+ctrl', dA], ['B+ctrl', dB], ['A+B', dAB]];
const path = join(dir, 'predictions.parquet');
const n = conds.length * G;
const col = (f: (c: string, d: Float64Array, g: number) => unknown) => conds.flatMap(([c, d]) => Array.from({ length: G }, (_, g) => f(c, d, g)));
writeParquetTable(path, PREDICTIONS_TABLE_COLUMNS, {
  run_id: new Array(n).fill('abc123abc123'),
  model: new Array(n).fill('gears'),
  model_version: new Array(n).fill('v1'),
  condition: col((c) => c),
  perturbation: col((c) => scperturbName(c)),
  n_genes: Int32Array.from(col((c) => (c === 'A+B' ? 2 : 1)) as number[]),
  gene: col((_, __, g) => `G${g}`),
  predicted_mean: Float64Array.from(col((_, d, g) => 2 + d[g]) as number[]),
  predicted_delta: Float64Array.from(col((_, d, g) => d[g]) as number[]),
  predicted_log_variance: new Array(n).fill(null),
  observed_mean: new Array(n).fill(null),
  observed_delta: new Array(n).fill(null),
  is_top20_de: new Array(n).fill(null),
  split: new Array(n).fill(null),
  subgroup: new Array(n).fill(null),
});

test('GI scores of a predicted combination equal giScores on the predicted changes, written as gi.parquet', async () => {
  const rows = await predictedGeneticInteractions({ predictionsPath: path, combinations: ['B_A'] });
  assert.equal(rows.length, 1);
  assert.equal(rows[0].combination, 'A+B');
  const direct = giScores(dA, dB, dAB);
  assert.deepEqual(rows[0].scores, direct);
  assert.ok(Math.abs(rows[0].scores.c1 - 1.5) < 1e-3 && Math.abs(rows[0].scores.c2 - 1.5) < 1e-3);
  assert.equal(rows[0].calls.synergy, true);
  const t = await readParquetColumns(join(dir, 'gi.parquet'));
  assert.deepEqual(t.combination, ['A+B']);
  assert.deepEqual(t.perturbation, ['A_B']);
  assert.deepEqual(t.run_id, ['abc123abc123']);
  assert.equal(t.is_synergy[0], true);
  assert.ok(Math.abs(Number(t.mag[0]) - direct.mag) < 1e-12);
});

test('a combination whose singles were not predicted names what is missing', async () => {
  await assert.rejects(predictedGeneticInteractions({ predictionsPath: path, combinations: ['A+C'], outPath: null }), (e: unknown) => e instanceof GearsInputError && /C\+ctrl/.test(e.message));
  await assert.rejects(predictedGeneticInteractions({ predictionsPath: path, combinations: ['A'], outPath: null }), (e: unknown) => e instanceof GearsInputError && /two-gene/.test(e.message));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
