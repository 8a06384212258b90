// Seurat-flavour highly variable genes (scanpy's default): formula, in-bin z-scores, the
// single-gene-bin rule, top-N selection; ingest keeps perturbed genes whatever their variability.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetStats } from '@gears-pipeline/core';
import { GeneSumAccumulator, highlyVariableGenes, runIngest, writeH5ad } from '../../index.ts';
import { rng, toyCounts } from '../testing/synthetic.ts';

test('means and dispersions are computed on expm1 of the log data (ddof 1)', () => {
  const x = [
    [0, Math.log1p(2), Math.log1p(1)],
    [Math.log1p(4), Math.log1p(2), 0],
    [Math.log1p(1), Math.log1p(2), 0],
  ];
  const acc = new GeneSumAccumulator(3);
  acc.add({ cellIds: ['a', 'b', 'c'], conditions: ['ctrl', 'ctrl', 'ctrl'], nGenes: 3, indptr: Int32Array.from([0, 2, 4, 6]), indices: Int32Array.from([1, 2, 0, 1, 0, 1]), values: Float32Array.from([x[0][1], x[0][2], x[1][0], x[1][1], x[2][0], x[2][1]]) });
  const h = highlyVariableGenes(acc.sum, acc.sumSq, acc.cells, 1);
  // gene 0: expm1 values 0, 4, 1 → mean 5/3, var ((25/9)+(49/9)+(4/9))/2 = 13/3
  assert.ok(Math.abs(h.means[0] - Math.log1p(5 / 3)) < 1e-6);
  assert.ok(Math.abs(h.dispersions[0] - Math.log(13 / 3 / (5 / 3))) < 1e-5);
  // gene 1 is constant: variance 0 → dispersion NaN, never selected above a finite gene
  assert.ok(Number.isNaN(h.dispersions[1]));
});

test('normalised dispersions are z-scores within mean bins; a lone gene in a bin scores 1', () => {
  const r = rng(4);
  const G = 200;
  const sum = new Float64Array(G);
  const sumSq = new Float64Array(G);
  const n = 100;
  for (let g = 0; g < G; g++) {
    const mu = g < G - 1 ? 0.5 + r() : 50; // the last gene sits alone at the top of the mean range
    const v = mu * (0.5 + 2 * r());
    sum[g] = mu * n;
    sumSq[g] = (v * (n - 1)) / n * n + mu * mu * n;
  }
  const h = highlyVariableGenes(sum, sumSq, n, 20);
  assert.ok(Math.abs(h.dispersionsNorm[G - 1] - 1) < 1e-12);
  // recompute bins: all genes except the last share the low bins; z-scores average 0 per bin
  const lo = Math.min(...h.means);
  const hi = Math.max(...h.means);
  const width = (hi - lo) / 20;
  const bins = new Map<number, number[]>();
  for (let g = 0; g < G - 1; g++) {
    const b = Math.min(19, Math.max(0, Math.ceil((h.means[g] - lo) / width) - 1));
    bins.set(b, [...(bins.get(b) ?? []), h.dispersionsNorm[g]]);
  }
  for (const zs of bins.values()) {
    if (zs.length < 2) continue;
    const m = zs.reduce((a, b) => a + b, 0) / zs.length;
    const sd = Math.sqrt(zs.reduce((a, b) => a + (b - m) ** 2, 0) / (zs.length - 1));
    assert.ok(Math.abs(m) < 1e-9, `bin mean ${m}`);
    assert.ok(Math.abs(sd - 1) < 1e-9, `bin sd ${sd}`);
  }
  assert.equal(h.highlyVariable.reduce((a, b) => a + b, 0), 20);
  const cut = Math.min(...Array.from(h.dispersionsNorm).filter((_, g) => h.highlyVariable[g]));
  assert.ok(Array.from(h.dispersionsNorm).every((d, g) => h.highlyVariable[g] || d < cut));
});

test('--hvg keeps the top genes plus every measured perturbed gene, in var order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-hvg-'));
  const toy = toyCounts({ seed: 2, nGenes: 40, cellsPer: 25 });
  const path = join(dir, 'hvg.h5ad');
  await writeH5ad(path, { nCells: toy.nCells, nGenes: toy.nGenes, X: toy.X, layout: 'csr', cellIds: toy.cellIds, geneIds: toy.geneIds, varColumns: { gene_name: toy.genes }, obs: { condition: toy.condition } });
  const res = await runIngest({ input: path, outDir: join(dir, 'out'), hvg: 5, keepGenes: ['G39'] });
  const s = await readDatasetStats(join(dir, 'out'));
  const names = s.genes.map((g) => g.gene);
  for (const g of ['G0', 'G1', 'G2', 'G39']) assert.ok(names.includes(g), `${g} kept`);
  assert.equal(s.genes.filter((g) => g.highlyVariable).length, 5);
  assert.ok(s.genes.filter((g) => g.isPerturbed).map((g) => g.gene).join() === 'G0,G1,G2');
  assert.equal(res.nGenes, new Set([...s.genes.filter((g) => g.highlyVariable).map((g) => g.gene), 'G0', 'G1', 'G2', 'G39']).size);
  const order = names.map((n) => Number(n.slice(1)));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'selected genes keep their var order');
  // cells.parquet indexes into the selected genes
  let maxIndex = -1;
  const { readCellChunks } = await import('../../index.ts');
  for await (const c of readCellChunks(join(dir, 'out'))) for (const g of c.indices) maxIndex = Math.max(maxIndex, g);
  assert.ok(maxIndex < res.nGenes);
});
