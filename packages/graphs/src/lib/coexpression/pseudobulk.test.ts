import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conditionGenes, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';
import { pseudobulkCoexpressionConditions, pseudobulkCoexpressionGraph } from './pseudobulk.ts';

function statsOf(profiles: Record<string, number[]>): DatasetStats {
  const names = Object.keys(profiles);
  const G = profiles[names[0]].length;
  const C = names.length;
  const mean = Float64Array.from(names.flatMap((n) => profiles[n]));
  const z = () => new Float64Array(C * G);
  return {
    genes: Array.from({ length: G }, (_, g) => ({ gene: `G${g}`, geneId: `G${g}`, mean: 0, dispersionNorm: 0, highlyVariable: true, isPerturbed: false })),
    conditions: names.map((name) => ({ name, genes: conditionGenes(name), nCells: 1, isControl: name === 'ctrl' })),
    controlIndex: names.indexOf('ctrl'),
    mean, m2: z(), m3: z(), m4: z(), nonzero: z(), t: z(), deRank: new Int32Array(C * G),
  };
}

function pearson(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b) / x.length;
  const my = y.reduce((a, b) => a + b) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

test('pseudobulk co-expression correlates genes across the training condition profiles only', () => {
  // G0 and G1 move together, G2 against them, G3 is unrelated; the test condition would break it
  const s = statsOf({
    ctrl: [0, 0, 0, 0.1],
    'A+ctrl': [1, 2, -1, 0.1],
    'B+ctrl': [2, 4.2, -2, -0.1],
    'A+B': [-1, -1.9, 1.1, -0.1],
    'C+ctrl': [5, -5, 5, 5],
  });
  const split: SplitAssignment[] = [
    { condition: 'ctrl', split: 'train', subgroup: '' },
    { condition: 'A+ctrl', split: 'train', subgroup: '' },
    { condition: 'B+ctrl', split: 'train', subgroup: '' },
    { condition: 'A+B', split: 'train', subgroup: '' },
    { condition: 'C+ctrl', split: 'test', subgroup: 'unseen_single' },
  ];
  const include = pseudobulkCoexpressionConditions(split);
  assert.deepEqual([...include].sort(), ['A+B', 'A+ctrl', 'B+ctrl', 'ctrl']);
  const { graph, nCells } = pseudobulkCoexpressionGraph(s, (c) => include.has(c), { threshold: 0.4, topK: 20 });
  assert.equal(nCells, 4, 'one observation per training profile');
  const col = (g: number) => ['ctrl', 'A+ctrl', 'B+ctrl', 'A+B'].map((c) => s.mean[s.conditions.findIndex((x) => x.name === c) * 4 + g]);
  const w = new Map<string, number>();
  for (let e = 0; e < graph.source.length; e++) w.set(`${graph.source[e]}-${graph.target[e]}`, graph.weight[e]);
  assert.ok(Math.abs(w.get('0-1')! - Math.abs(pearson(col(0), col(1)))) < 1e-6);
  assert.ok(Math.abs(w.get('2-0')! - Math.abs(pearson(col(2), col(0)))) < 1e-6);
  assert.ok(Math.abs(pearson(col(3), col(0))) <= 0.4 && !w.has('3-0'), 'weak correlations are cut by the threshold');
  assert.ok(Math.abs(w.get('1-1')! - 1) < 1e-6, 'self loops kept as in the reference');
  assert.throws(() => pseudobulkCoexpressionGraph(s, (c) => c === 'ctrl'), /at least 3/);
});
