// CSR, CSC and dense X, categorical and plain-string obs, gzip: every layout gives the same cells,
// and the statistics equal a direct computation on the normalised matrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { readDatasetStats, silentLogger, type CellChunk } from '@gears-pipeline/core';
import { cellChunks, cellChunks$, openH5adSource, openHdf5, planCells, runIngest, writeH5ad } from '../../index.ts';
import { openXMatrix } from './matrix.ts';
import type { RawBlock } from '../source.ts';
import { toyCounts } from '../testing/synthetic.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-h5ad-'));
const toy = toyCounts({ seed: 7 });

async function write(name: string, layout: 'csr' | 'csc' | 'dense', extra: { gzip?: boolean; plainObs?: string[] } = {}) {
  const path = join(dir, name);
  await writeH5ad(path, {
    nCells: toy.nCells,
    nGenes: toy.nGenes,
    X: toy.X,
    layout,
    cellIds: toy.cellIds,
    geneIds: toy.geneIds,
    varColumns: { gene_name: toy.genes },
    obs: { perturbation: toy.condition, batch: toy.condition.map((_, i) => (i % 2 ? 'b' : 'a')) },
    ...extra,
  });
  return path;
}

async function collect(path: string, chunkSize: number): Promise<CellChunk[]> {
  const src = await openH5adSource(path);
  try {
    const plan = planCells(src, {}, silentLogger);
    const out: CellChunk[] = [];
    for await (const c of cellChunks(src, plan, { chunkSize, normalize: 'none' })) out.push(c);
    return out;
  } finally {
    src.close();
  }
}

function densify(chunks: CellChunk[], G: number): Float32Array {
  const n = chunks.reduce((a, c) => a + c.cellIds.length, 0);
  const out = new Float32Array(n * G);
  let row = 0;
  for (const c of chunks) {
    for (let r = 0; r < c.cellIds.length; r++, row++) {
      for (let k = c.indptr[r]; k < c.indptr[r + 1]; k++) out[row * G + c.indices[k]] = c.values[k];
    }
  }
  return out;
}

test('CSR, CSC (gzip) and dense X stream the same cells in bounded chunks', async () => {
  const csr = await collect(await write('csr.h5ad', 'csr'), 16);
  const csc = await collect(await write('csc.h5ad', 'csc', { gzip: true }), 16);
  const dense = await collect(await write('dense.h5ad', 'dense', { plainObs: ['perturbation'] }), 16);
  for (const chunks of [csr, csc, dense]) {
    assert.ok(chunks.every((c) => c.cellIds.length <= 16));
    assert.deepEqual(chunks.flatMap((c) => c.cellIds), toy.cellIds);
    assert.deepEqual(Array.from(densify(chunks, toy.nGenes)), Array.from(toy.X));
  }
  // categorical (csr) and plain-string (dense) obs map to the same canonical conditions
  assert.deepEqual(csr.flatMap((c) => c.conditions), dense.flatMap((c) => c.conditions));
  assert.equal(csr[0].conditions[0], 'ctrl');
  assert.equal(csr[0].conditions[3], 'G0+G1');
  assert.equal(csr[0].conditions[1], 'G0+ctrl');
  // the Observable form streams the same chunks
  const src = await openH5adSource(join(dir, 'csr.h5ad'));
  try {
    const chunks = await lastValueFrom(cellChunks$(src, planCells(src, {}, silentLogger), { chunkSize: 16, normalize: 'none' }).pipe(toArray()));
    assert.deepEqual(Array.from(densify(chunks, toy.nGenes)), Array.from(toy.X));
  } finally {
    src.close();
  }
});

test('raw counts are normalised to 1e4 + log1p; statistics equal a direct computation', async () => {
  const path = await write('counts.h5ad', 'csc');
  const out = join(dir, 'ds-counts');
  const res = await runIngest({ input: path, outDir: out, chunkSize: 7 });
  assert.equal(res.normalized, true);
  const s = await readDatasetStats(out);
  const G = toy.nGenes;
  const names = s.conditions.map((c) => c.name);
  assert.deepEqual(names, ['G0+G1', 'G0+ctrl', 'G1+ctrl', 'G2+ctrl', 'ctrl']);
  for (const [ci, cond] of names.entries()) {
    const raw = cond === 'ctrl' ? 'control' : cond.replace('+ctrl', '');
    const rows: number[][] = [];
    toy.condition.forEach((l, i) => {
      if (l !== raw) return;
      const x = Array.from(toy.X.subarray(i * G, (i + 1) * G));
      const tot = x.reduce((a, b) => a + b, 0);
      rows.push(x.map((v) => Math.fround(Math.log1p((v / tot) * 1e4))));
    });
    assert.equal(s.conditions[ci].nCells, rows.length);
    for (let g = 0; g < G; g++) {
      const col = rows.map((r) => r[g]);
      const n = col.length;
      const mean = col.reduce((a, b) => a + b, 0) / n;
      const m2 = col.reduce((a, b) => a + (b - mean) ** 2, 0);
      const m3 = col.reduce((a, b) => a + (b - mean) ** 3, 0);
      const m4 = col.reduce((a, b) => a + (b - mean) ** 4, 0);
      const j = ci * G + g;
      assert.ok(Math.abs(s.mean[j] - mean) < 1e-6, `${cond} gene ${g} mean ${s.mean[j]} vs ${mean}`);
      assert.ok(Math.abs(s.m2[j] - m2) < 1e-5 * Math.max(1, m2), `${cond} gene ${g} m2`);
      assert.ok(Math.abs(s.m3[j] - m3) < 1e-5 * Math.max(1, Math.abs(m3)), `${cond} gene ${g} m3`);
      assert.ok(Math.abs(s.m4[j] - m4) < 1e-5 * Math.max(1, m4), `${cond} gene ${g} m4`);
      assert.equal(s.nonzero[j], col.filter((v) => v !== 0).length);
    }
  }
  // the strongest effect of G1 (its downstream gene G4, tripled) is its top DE gene
  const g1 = names.indexOf('G1+ctrl');
  assert.equal(s.deRank[g1 * G + 4], 0);
  assert.ok(s.t[g1 * G + 4] > 0);
});

test('--normalize none keeps integer values; gene names come from the named var column', async () => {
  const path = await write('none.h5ad', 'csr');
  const out = join(dir, 'ds-none');
  const res = await runIngest({ input: path, outDir: out, normalize: 'none' });
  assert.equal(res.normalized, false);
  const s = await readDatasetStats(out);
  assert.deepEqual(s.genes.map((g) => g.gene), toy.genes);
  assert.deepEqual(s.genes.map((g) => g.geneId), toy.geneIds);
  const ctrl = s.controlIndex;
  const mean0 = toy.condition.map((l, i) => (l === 'control' ? toy.X[i * toy.nGenes] : NaN)).filter((x) => !Number.isNaN(x));
  assert.ok(Math.abs(s.mean[ctrl * toy.nGenes] - mean0.reduce((a, b) => a + b, 0) / mean0.length) < 1e-9);
  const byIndex = await runIngest({ input: path, outDir: join(dir, 'ds-index'), geneColumn: '_index' });
  assert.deepEqual(byIndex.stats.genes.map((g) => g.gene), toy.geneIds);
});

test('CSC read in small slabs over several passes gives the CSR blocks', async () => {
  const csrPath = await write('csr2.h5ad', 'csr');
  const cscPath = await write('csc2.h5ad', 'csc');
  const a = await openHdf5(csrPath);
  const b = await openHdf5(cscPath);
  try {
    const want: RawBlock[] = [];
    for await (const blk of openXMatrix(csrPath, a).blocks(5)) want.push(blk);
    const got: RawBlock[] = [];
    // 7 values per read, ~40 values per pass: many passes, slabs cut through gene columns
    for await (const blk of openXMatrix(cscPath, b, 'X', { cscSlab: 7, cscBlockValues: 40 }).blocks(5)) got.push(blk);
    assert.equal(got.length, want.length);
    got.forEach((g, i) => {
      assert.equal(g.start, want[i].start);
      assert.deepEqual(Array.from(g.indptr), Array.from(want[i].indptr));
      assert.deepEqual(Array.from(g.indices), Array.from(want[i].indices));
      assert.deepEqual(Array.from(g.values), Array.from(want[i].values));
    });
  } finally {
    a.close();
    b.close();
  }
});
