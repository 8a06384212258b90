import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CellChunk, SplitAssignment } from '@gears-pipeline/core';
import { openH5adSource } from '@gears-pipeline/ingest';
import { buildCoexpressionGraph, coexpressionConditions } from './coexpression-graph.ts';
import { GramAccumulator } from './gram.ts';

const synth = (f: string) => fileURLToPath(new URL(`../../../../../data/reference-synth/${f}`, import.meta.url));

/** The synthetic h5ad's cells as chunks (its X is already log-normalised). */
async function* synthCells(blockCells = 500): AsyncGenerator<CellChunk> {
  const source = await openH5adSource(synth('synth_raw.h5ad'));
  const conditions = source.metadata('condition')!;
  try {
    for await (const b of source.blocks(blockCells)) {
      const n = b.indptr.length - 1;
      yield {
        cellIds: source.cellIds.slice(b.start, b.start + n),
        conditions: conditions.slice(b.start, b.start + n),
        nGenes: source.genes.length,
        indptr: b.indptr,
        indices: b.indices,
        values: b.values,
      };
    }
  } finally {
    source.close();
  }
}

test('co-expression graph on the seed-1 training cells equals the reference edges', async () => {
  const split = JSON.parse(readFileSync(synth('reference_split_seed1.json'), 'utf8'))['synth_simulation_1_0.75.pkl'];
  const assignments: SplitAssignment[] = (['train', 'val', 'test'] as const).flatMap((s) => split[s].map((condition: string) => ({ condition, split: s, subgroup: '' })));
  const include = coexpressionConditions(assignments);
  assert.ok(include.has('ctrl') && include.has('GENE000+ctrl') && !include.has('GENE000+GENE001') && !include.has('GENE060+ctrl'));
  const source = await openH5adSource(synth('synth_raw.h5ad'));
  const genes = source.genes;
  source.close();
  const { graph, nCells } = await buildCoexpressionGraph(synthCells(), genes, { include: (c) => include.has(c), blockCells: 300 });
  assert.equal(nCells, 800 + 13 * 80);
  const rows = readFileSync(synth('reference_coexpression_edges.tsv'), 'utf8').trim().split('\n').slice(1);
  const ref = new Map(rows.map((l) => {
    const [s, t, w] = l.split('\t');
    return [`${s}>${t}`, Number(w)];
  }));
  assert.equal(graph.source.length, ref.size);
  let maxDiff = 0;
  for (let e = 0; e < graph.source.length; e++) {
    const key = `${genes[graph.source[e]]}>${genes[graph.target[e]]}`;
    const w = ref.get(key);
    assert.ok(w !== undefined, `edge ${key} is not in the reference`);
    maxDiff = Math.max(maxDiff, Math.abs(graph.weight[e] - w));
  }
  // The reference correlates in float32 (its self-loops read 0.9999981); here float64. NumPy's
  // float64 Pearson on the same cells differs from the reference by up to 1.82e-5 as well,
  // so that is the reference's own rounding, not a difference in method.
  assert.ok(maxDiff < 2.5e-5, `max weight difference ${maxDiff}`);
  assert.ok(maxDiff > 0);
  const selfLoops = [...graph.source.keys()].filter((e) => graph.source[e] === graph.target[e]).length;
  assert.equal(selfLoops, 200);
});

test('Gram accumulation equals the dense XᵀX whatever the block size and gene order within a cell', () => {
  const chunk: CellChunk = {
    cellIds: ['a', 'b', 'c'],
    conditions: ['ctrl', 'X+ctrl', 'ctrl'],
    nGenes: 4,
    indptr: Int32Array.from([0, 3, 5, 7]),
    indices: Int32Array.from([3, 0, 1, 2, 3, 1, 0]),
    values: Float32Array.from([2, 1, 0.5, 4, 1, 3, 2]),
  };
  const dense = [[1, 0.5, 0, 2], [0, 0, 4, 1], [2, 3, 0, 0]];
  for (const block of [1, 2, 100]) {
    const acc = new GramAccumulator(4, block);
    acc.addChunk(chunk);
    acc.flush();
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const want = dense.reduce((s, r) => s + r[i] * r[j], 0);
        assert.equal(acc.at(i, j), want, `block ${block} (${i},${j})`);
      }
      assert.equal(acc.sums[i], dense.reduce((s, r) => s + r[i], 0));
    }
  }
  const onlyCtrl = new GramAccumulator(4);
  onlyCtrl.addChunk(chunk, (c) => c === 'ctrl');
  onlyCtrl.flush();
  assert.equal(onlyCtrl.nCells, 2);
  assert.equal(onlyCtrl.at(0, 0), 1 + 4);
});
