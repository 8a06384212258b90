import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellChunk } from '@gears-pipeline/core';
import { collectCellValues, cellValueNeeds, quantileSorted, rangeMetrics } from './cell-values.ts';
import { conditionMetrics } from './condition-metrics.ts';
import { metricContext, observedCondition } from './context.ts';
import { toyStats, TOY_SPLIT, TOY_GENES } from '../testing/toy-data.ts';

test('quantileSorted follows numpy linear interpolation', () => {
  const x = Float64Array.from([1, 2, 3, 4]);
  assert.equal(quantileSorted(x, 0.25), 1.75);
  assert.equal(quantileSorted(x, 0.5), 2.5);
  assert.equal(quantileSorted(x, 1), 4);
  assert.equal(quantileSorted(Float64Array.from([7]), 0.4), 7);
});

test('rangeMetrics skips genes zero in every cell and counts predictions within the band', () => {
  const values = new Map<number, Float64Array>([
    [0, Float64Array.from([0, 1, 2, 3, 4])], // q25 = 1, q75 = 3
    [1, Float64Array.from([0, 0, 0])], // all zero: ignored
    [2, Float64Array.from([5, 5, 6, 7, 9])], // min 5 max 9, q45 = 5.8, q55 = 6.2
  ]);
  const pred = Float64Array.from([2, 100, 7]);
  const m = rangeMetrics(pred, [0, 1, 2], values, '_non_dropout');
  assert.equal(m.frac_in_range_non_dropout, 1);
  assert.equal(m.frac_in_range_25_75_non_dropout, 1);
  assert.equal(m.frac_in_range_45_55_non_dropout, 0.5); // gene 0: 2 in [1.8, 2.2]; gene 2: 7 outside [5.8, 6.2]
  assert.equal(m.frac_in_range_40_60_non_dropout, 0.5); // gene 2: [5.6, 6.4]
});

test('per-cell values streamed from CSR chunks give the reference range metrics', async () => {
  const { stats, conditions } = toyStats();
  const G = TOY_GENES.length;
  // one CSR chunk with every cell of every condition
  const cells = conditions.flatMap((c) => c.cells.map((v) => ({ condition: c.name, v })));
  const indptr = new Int32Array(cells.length + 1);
  const idx: number[] = [];
  const val: number[] = [];
  cells.forEach((c, r) => {
    c.v.forEach((x, g) => {
      if (x !== 0) {
        idx.push(g);
        val.push(x);
      }
    });
    indptr[r + 1] = idx.length;
  });
  const chunk: CellChunk = { cellIds: cells.map((_, i) => `c${i}`), conditions: cells.map((c) => c.condition), nGenes: G, indptr, indices: Int32Array.from(idx), values: Float32Array.from(val) };
  async function* one() {
    yield chunk;
  }
  const needs = cellValueNeeds(stats, ['G03+G04']);
  const values = await collectCellValues(one(), needs);
  const ci = stats.conditions.findIndex((c) => c.name === 'G03+G04');
  const obs = { ...observedCondition(stats, ci), cellValues: values.get('G03+G04') };
  const pred = Float64Array.from(obs.mean, (v, g) => v + (g % 3 === 0 ? 0.5 : 0));
  const m = conditionMetrics(pred, obs, metricContext(stats, TOY_SPLIT));
  // independent: per-cell (float32-rounded) values, numpy quantiles
  const raw = conditions[ci].cells;
  const de = obs.lists.topDe20.filter((g) => raw.some((c) => c[g] !== 0));
  const q = (g: number, p: number) => {
    const v = raw.map((c) => Math.fround(c[g])).sort((a, b) => a - b);
    const pos = p * (v.length - 1);
    return v[Math.floor(pos)] + (pos - Math.floor(pos)) * (v[Math.ceil(pos)] - v[Math.floor(pos)]);
  };
  const share = (lo: number, hi: number) => de.filter((g) => pred[g] >= q(g, lo) && pred[g] <= q(g, hi)).length / de.length;
  assert.equal(m.frac_in_range, share(0, 1));
  assert.equal(m.frac_in_range_25_75, share(0.25, 0.75));
  assert.equal(m.frac_in_range_40_60, share(0.4, 0.6));
  assert.ok('frac_in_range_45_55_non_dropout' in m && 'frac_in_range_non_zero' in m);
});
