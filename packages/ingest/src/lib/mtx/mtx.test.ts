// 10x MatrixMarket input: gzip-compressed triplets + features + barcodes + a cell-metadata table
// give the same statistics as the same counts in an .h5ad; both orientations; entries in any order
// (sorted in memory or on disk) give the same statistics as the cell-ordered file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearsInputError, writeParquetTable } from '@gears-pipeline/core';
import { runIngest, writeH5ad } from '../../index.ts';
import { toyCounts } from '../testing/synthetic.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-mtx-'));
const toy = toyCounts({ seed: 11, cellsPer: 20 });

type Order = 'cell' | 'gene' | 'reversed';

function triplets(cellsAreColumns: boolean, order: Order = 'cell'): string[] {
  const lines: string[] = [];
  if (order === 'gene') {
    // scipy.io.mmwrite's order for a genes × cells matrix: by gene, then cell
    for (let g = 0; g < toy.nGenes; g++) {
      for (let c = 0; c < toy.nCells; c++) {
        const v = toy.X[c * toy.nGenes + g];
        if (v !== 0) lines.push(cellsAreColumns ? `${g + 1} ${c + 1} ${v}` : `${c + 1} ${g + 1} ${v}`);
      }
    }
    return lines;
  }
  for (let c = 0; c < toy.nCells; c++) {
    for (let g = 0; g < toy.nGenes; g++) {
      const v = toy.X[c * toy.nGenes + g];
      if (v !== 0) lines.push(cellsAreColumns ? `${g + 1} ${c + 1} ${v}` : `${c + 1} ${g + 1} ${v}`);
    }
  }
  if (order === 'reversed') lines.reverse();
  return lines;
}

function write10x(name: string, opts: { cellsAreColumns?: boolean; gz?: boolean; order?: Order; meta?: 'tsv' | 'csv' | 'parquet' } = {}): string {
  const d = join(dir, name);
  mkdirSync(d);
  const cols = opts.cellsAreColumns ?? true;
  const t = triplets(cols, opts.order);
  const dims = cols ? `${toy.nGenes} ${toy.nCells}` : `${toy.nCells} ${toy.nGenes}`;
  const body = `%%MatrixMarket matrix coordinate integer general\n%metadata_json: {}\n${dims} ${t.length}\n${t.join('\n')}\n`;
  const put = (file: string, text: string) => (opts.gz ? writeFileSync(join(d, file + '.gz'), gzipSync(text)) : writeFileSync(join(d, file), text));
  put('matrix.mtx', body);
  put('features.tsv', toy.genes.map((g, i) => `${toy.geneIds[i]}\t${g}\tGene Expression\n`).join(''));
  put('barcodes.tsv', toy.cellIds.map((b) => `${b}-1\n`).join(''));
  const labels = toy.condition.map((c) => c.replace('+', '_'));
  if (opts.meta === 'parquet') {
    writeParquetTable(join(d, 'meta.parquet'), [{ name: 'cell_barcode', type: 'STRING' }, { name: 'guide', type: 'STRING' }], { cell_barcode: toy.cellIds.map((b) => `${b}-1`), guide: labels });
  } else if (opts.meta === 'csv') {
    // reversed order: the table is matched by barcode, not by position
    const rows = toy.cellIds.map((b, i) => `"${b}-1",${labels[i]}`).reverse();
    writeFileSync(join(d, 'meta.csv'), `cell_barcode,guide\n${rows.join('\n')}\n`);
  } else {
    writeFileSync(join(d, 'cell_metadata.tsv'), `barcode\tguide\n${toy.cellIds.map((b, i) => `${b}-1\t${labels[i]}`).join('\n')}\n`);
  }
  return d;
}

let reference: Awaited<ReturnType<typeof runIngest>>;

test('the same counts as .h5ad and as gzip 10x MTX + TSV metadata give identical statistics', async () => {
  const h5 = join(dir, 'toy.h5ad');
  await writeH5ad(h5, { nCells: toy.nCells, nGenes: toy.nGenes, X: toy.X, layout: 'csr', cellIds: toy.cellIds.map((b) => `${b}-1`), geneIds: toy.geneIds, varColumns: { gene_name: toy.genes }, obs: { guide: toy.condition.map((c) => c.replace('+', '_')) } });
  reference = await runIngest({ input: h5, outDir: join(dir, 'ds-h5'), conditionColumn: 'guide', separator: '_' });
  const tenx = write10x('gz', { gz: true });
  const r = await runIngest({ input: tenx, outDir: join(dir, 'ds-gz'), conditionColumn: 'guide', separator: '_', chunkSize: 9 });
  assert.equal(r.normalized, true);
  assert.deepEqual(r.stats.conditions, reference.stats.conditions);
  assert.deepEqual(r.stats.genes.map((g) => g.gene), toy.genes);
  assert.deepEqual(Array.from(r.stats.mean), Array.from(reference.stats.mean));
  assert.deepEqual(Array.from(r.stats.deRank), Array.from(reference.stats.deRank));
  assert.ok(r.stats.conditions.some((c) => c.name === 'G0+G1'));
});

test('cells × genes orientation, CSV and Parquet metadata tables', async () => {
  const a = await runIngest({ input: write10x('t', { cellsAreColumns: false, meta: 'csv' }), outDir: join(dir, 'ds-t'), cellMetadata: join(dir, 't', 'meta.csv'), conditionColumn: 'guide', separator: '_' });
  assert.deepEqual(Array.from(a.stats.m2), Array.from(reference.stats.m2));
  const b = await runIngest({ input: join(write10x('pq', { meta: 'parquet' }), 'matrix.mtx'), outDir: join(dir, 'ds-pq'), cellMetadata: join(dir, 'pq', 'meta.parquet'), conditionColumn: 'guide', separator: '_' });
  assert.deepEqual(Array.from(b.stats.t), Array.from(reference.stats.t));
});

test('entries in any order: sorted in memory under the budget, or on disk above it, with the same statistics', async () => {
  const args = { conditionColumn: 'guide', separator: '_', chunkSize: 7 };
  const ordered = await runIngest({ ...args, input: write10x('ordered'), outDir: join(dir, 'ds-ordered') });
  const same = (r: typeof ordered) => {
    assert.deepEqual(r.stats.conditions, ordered.stats.conditions);
    for (const k of ['mean', 'm2', 'm3', 'm4', 'nonzero', 't', 'deRank'] as const) assert.deepEqual(Array.from(r.stats[k]), Array.from(ordered.stats[k]), k);
  };
  const byGene = write10x('by-gene', { order: 'gene', gz: true });
  same(await runIngest({ ...args, input: byGene, outDir: join(dir, 'ds-by-gene') }));
  // a budget of 10 entries: 6+ runs on disk and a k-way merge; the temporary files are gone after
  const rev = write10x('reversed', { order: 'reversed', cellsAreColumns: false });
  const outs = join(dir, 'small-budget');
  mkdirSync(outs);
  same(await runIngest({ ...args, input: rev, outDir: join(outs, 'ds'), mtxSortBudget: 120 }));
  same(await runIngest({ ...args, input: byGene, outDir: join(outs, 'ds2'), mtxSortBudget: 120 }));
  assert.deepEqual(readdirSync(outs).sort(), ['ds', 'ds2']);
  assert.deepEqual(readdirSync(rev).filter((n) => n.startsWith('.')), []);
});

test('real-valued MTX is read as log data (no normalisation)', async () => {
  const d = join(dir, 'real');
  mkdirSync(d);
  writeFileSync(join(d, 'matrix.mtx'), '%%MatrixMarket matrix coordinate real general\n2 4\t4\n1 1 0.5\n2 2 1.25e0\n1 3 .75\n2 4 2.5\n');
  writeFileSync(join(d, 'genes.tsv'), 'E1\tA\nE2\tB\n');
  writeFileSync(join(d, 'barcodes.tsv'), 'c1\nc2\nc3\nc4\n');
  writeFileSync(join(d, 'cell_metadata.tsv'), 'barcode\tcondition\nc1\tctrl\nc2\tA\nc3\tctrl\nc4\tA\n');
  const r = await runIngest({ input: d, outDir: join(dir, 'ds-real') });
  assert.equal(r.normalized, false);
  const [aRow, ctrlRow] = [0, 1];
  assert.deepEqual(r.stats.conditions.map((c) => c.name), ['A+ctrl', 'ctrl']);
  assert.deepEqual(Array.from(r.stats.mean.subarray(ctrlRow * 2, ctrlRow * 2 + 2)), [(0.5 + 0.75) / 2, 0]);
  assert.deepEqual(Array.from(r.stats.mean.subarray(aRow * 2, aRow * 2 + 2)), [0, (1.25 + 2.5) / 2]);
});
