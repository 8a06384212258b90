// Structural checks of the cell formats, each a one-line GearsInputError naming the file, the field,
// the offending index or value and the fix; and valid-but-unusual files that must be accepted with
// the same statistics (unsorted CSR indices, int64 matrices, CRLF + BOM + comment lines in 10x files,
// integer and real MTX fields). Gene names: duplicates made unique (var_names_make_unique) or refused
// when perturbed. Condition labels: A++B and A+A refused naming the cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearsInputError, silentLogger, writeParquetTable, type Logger } from '@gears-pipeline/core';
import { runIngest, writeH5ad, type IngestArgs } from '../../index.ts';
import { createHdf5 } from '../h5ad/open.ts';
import { makeGeneNamesUnique } from '../genes.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-structure-'));
let k = 0;
const out = () => join(dir, `out${k++}`);

async function fails(args: Partial<IngestArgs> & { input: string }, ...patterns: RegExp[]): Promise<void> {
  let err: unknown;
  try {
    await runIngest({ outDir: out(), ...args }, silentLogger);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof GearsInputError, `expected a GearsInputError, got ${String(err)}`);
  assert.ok(!err.message.includes('\n'), 'one line');
  assert.ok(err.message.includes(args.input) || patterns.length > 0, 'names the file');
  assert.match(err.message, /Fix: /);
  for (const p of patterns) assert.match(err.message, p);
}

// 2 genes × 6 cells, two conditions + control
const CELLS = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
const COND = ['ctrl', 'ctrl', 'A', 'A', 'B', 'B'];

interface RawCsr {
  indptr: number[];
  indices: number[];
  data: Float32Array | BigInt64Array | Float64Array;
  shape?: [number, number];
  obsIndex?: string[];
  condition?: string[];
  genes?: string[];
}

/** An .h5ad written field by field, so that any field can be made inconsistent. */
async function rawH5ad(name: string, m: RawCsr): Promise<string> {
  const path = join(dir, name);
  const f = await createHdf5(path);
  try {
    f.create_attribute('encoding-type', 'anndata');
    const genes = m.genes ?? ['A', 'B', 'G3'];
    const g = f.create_group('X');
    g.create_attribute('encoding-type', 'csr_matrix');
    g.create_attribute('shape', new BigInt64Array((m.shape ?? [CELLS.length, genes.length]).map(BigInt)));
    g.create_dataset({ name: 'data', data: m.data });
    g.create_dataset({ name: 'indices', data: Int32Array.from(m.indices) });
    g.create_dataset({ name: 'indptr', data: Int32Array.from(m.indptr) });
    for (const [df, index, cols] of [['obs', m.obsIndex ?? CELLS, { condition: m.condition ?? COND }], ['var', genes, {}]] as const) {
      const d = f.create_group(df);
      d.create_attribute('_index', '_index');
      d.create_attribute('column-order', Object.keys(cols).length ? Object.keys(cols) : []);
      d.create_dataset({ name: '_index', data: [...index] });
      for (const [c, v] of Object.entries(cols)) d.create_dataset({ name: c, data: [...(v as string[])] });
    }
  } finally {
    f.close();
  }
  return path;
}

// the reference cells: gene0 and gene1 counts; genes sorted within each cell
const GOOD: RawCsr = { indptr: [0, 2, 4, 6, 8, 10, 12], indices: [0, 2, 0, 1, 0, 2, 0, 1, 1, 2, 0, 1], data: Float32Array.from([1, 2, 3, 1, 5, 2, 1, 1, 4, 2, 2, 3]) };

test('h5ad: obs shorter than X, indptr decreasing or not ending at nnz, indices past the genes: one line each', async () => {
  await fails({ input: await rawH5ad('short-obs.h5ad', { ...GOOD, condition: COND.slice(0, 4) }) }, /obs\/condition/, /has 4 values but obs has 6 cells/);
  await fails({ input: await rawH5ad('short-index.h5ad', { ...GOOD, obsIndex: CELLS.slice(0, 5), condition: COND.slice(0, 5) }) }, /: obs: has 5 cells but X has 6 rows/);
  await fails({ input: await rawH5ad('indptr-down.h5ad', { ...GOOD, indptr: [0, 2, 5, 4, 8, 10, 12] }) }, /X\/indptr\[3\]/, /is 4, below indptr\[2\] = 5/);
  await fails({ input: await rawH5ad('indptr-end.h5ad', { ...GOOD, indptr: [0, 2, 4, 6, 8, 10, 11] }) }, /X\/indptr/, /ends at 11/, /from 0 to 12/);
  const bad = [...GOOD.indices];
  bad[7] = 3;
  await fails({ input: await rawH5ad('index-range.h5ad', { ...GOOD, indices: bad }) }, /X\/indices\[7\]/, /is 3, outside the 3 genes/, /cell 3/);
});

test('h5ad: unsorted indices within a cell and an int64 matrix give the statistics of the sorted float32 file', async () => {
  const ref = await runIngest({ input: await rawH5ad('good.h5ad', GOOD), outDir: out() });
  const swapped = { ...GOOD, indices: [2, 0, 1, 0, 2, 0, 1, 0, 2, 1, 1, 0], data: Float32Array.from([2, 1, 1, 3, 2, 5, 1, 1, 2, 4, 3, 2]) };
  const b = await runIngest({ input: await rawH5ad('unsorted.h5ad', swapped), outDir: out() });
  const c = await runIngest({ input: await rawH5ad('int64.h5ad', { ...GOOD, data: BigInt64Array.from(Array.from(GOOD.data as Float32Array, (v) => BigInt(v))) }), outDir: out() });
  for (const r of [b, c]) {
    assert.equal(r.normalized, true);
    for (const key of ['mean', 'm2', 'nonzero', 't'] as const) {
      const [x, y] = [Array.from(r.stats[key]), Array.from(ref.stats[key])];
      x.forEach((v, i) => assert.ok(Math.abs(v - y[i]) <= 1e-12 * Math.max(1, Math.abs(y[i])), `${key}[${i}] ${v} vs ${y[i]}`));
    }
  }
});

test('duplicate gene names: made unique like anndata, recorded in the manifest; refused when a perturbed gene is ambiguous', async () => {
  assert.deepEqual(makeGeneNamesUnique(['a', 'b', 'a', 'a', 'a-1']).genes, ['a', 'b', 'a-2', 'a-3', 'a-1']);
  const warnings: Array<[string, Record<string, unknown>]> = [];
  const log: Logger = { ...silentLogger, warn: (e, f) => warnings.push([e, f ?? {}]) };
  const r = await runIngest({ input: await rawH5ad('dup.h5ad', { ...GOOD, genes: ['A', 'B', 'B'] }), outDir: out() }, log).catch((e) => e);
  // B is perturbed and named twice: refused
  assert.ok(r instanceof GearsInputError && /perturbed gene B names 2 genes \(positions 1, 2\)/.test(r.message) && /--gene-column id/.test(r.message), String(r));
  const ok = await runIngest({ input: await rawH5ad('dup2.h5ad', { ...GOOD, genes: ['A', 'B', 'X'] }), outDir: out() });
  assert.equal(ok.nGenes, 3);
  const d = await runIngest({ input: await rawH5ad('dup3.h5ad', { ...GOOD, genes: ['A', 'B', 'A'], condition: ['ctrl', 'ctrl', 'B', 'B', 'B', 'B'] }), outDir: out() }, log);
  assert.deepEqual(d.stats.genes.map((g) => g.gene), ['A', 'B', 'A-1']);
  assert.deepEqual(d.manifest.notes?.renamedGenes, [{ position: 2, from: 'A', to: 'A-1' }]);
  assert.ok(warnings.some(([e]) => e === 'ingest.duplicate_gene_names'));
  assert.ok(warnings.some(([e]) => e === 'ingest.gene_ids_not_unique'));
  // a cell without any stored value is kept and named in a warning
  await runIngest({ input: await rawH5ad('empty-cell.h5ad', { ...GOOD, indptr: [0, 2, 4, 4, 6, 8, 10], indices: [0, 2, 0, 1, 0, 1, 1, 2, 0, 1], data: Float32Array.from([1, 2, 3, 1, 1, 1, 4, 2, 2, 3]) }), outDir: out() }, log);
  assert.deepEqual(warnings.find(([e]) => e === 'ingest.cells_without_counts')?.[1].examples, ['c2']);
});

test('condition labels: A++B and A+A are refused naming the label and its cells; spaces and case slips are warned', async () => {
  await fails({ input: await rawH5ad('empty-gene.h5ad', { ...GOOD, condition: ['ctrl', 'ctrl', 'A++B', 'A++B', 'B', 'B'] }) }, /condition "A\+\+B": gene 2 of 3 is empty/, /2 cells \(c2, c3\)/);
  await fails({ input: await rawH5ad('repeat.h5ad', { ...GOOD, condition: ['ctrl', 'ctrl', 'A+A', 'A', 'B', 'B'] }) }, /condition "A\+A": gene A is named twice/, /1 cell \(c2\)/);
  const warnings: Array<[string, Record<string, unknown>]> = [];
  const log: Logger = { ...silentLogger, warn: (e, f) => warnings.push([e, f ?? {}]) };
  const r = await runIngest({ input: await rawH5ad('spaces.h5ad', { ...GOOD, condition: ['ctrl', 'ctrl', 'A + ctrl', 'A + ctrl', 'b', 'b'] }), outDir: out() }, log);
  assert.deepEqual(r.stats.conditions.map((c) => c.name), ['A+ctrl', 'b+ctrl', 'ctrl']);
  assert.deepEqual(warnings.find(([e]) => e === 'ingest.condition_spaces')?.[1].conditions, ['A + ctrl']);
  assert.deepEqual(warnings.find(([e]) => e === 'ingest.perturbed_gene_case')?.[1].genes, ['b (measured: B)']);
});

function tenx(name: string, files: Record<string, string | Buffer>): string {
  const d = join(dir, name);
  mkdirSync(d);
  for (const [f, body] of Object.entries(files)) writeFileSync(join(d, f), body);
  return d;
}
const FEATURES = 'E1\tA\tGene Expression\nE2\tB\tGene Expression\nE3\tG3\tGene Expression\n';
const BARCODES = CELLS.join('\n') + '\n';
const META = 'barcode\tcondition\n' + CELLS.map((c, i) => `${c}\t${COND[i]}`).join('\n') + '\n';
const mtxBody = (field: string, dims: string, lines: string[]) => `%%MatrixMarket matrix coordinate ${field} general\n% a comment\n${dims}\n${lines.join('\n')}\n`;
const ENTRIES = GOOD.indptr.slice(0, -1).flatMap((lo, c) => GOOD.indices.slice(lo, GOOD.indptr[c + 1]).map((g, j) => `${g + 1} ${c + 1} ${GOOD.data[lo + j]}`));

test('10x: size line vs features / barcodes, index past the size line, truncated gzip, Parquet scalar list columns', async () => {
  await fails({ input: tenx('dims', { 'matrix.mtx': mtxBody('integer', '3 7 12', ENTRIES), 'features.tsv': FEATURES, 'barcodes.tsv': BARCODES, 'cell_metadata.tsv': META }) }, /size line/, /says 3 × 7/, /features\.tsv has 3 lines and barcodes\.tsv has 6/);
  const past = [...ENTRIES];
  past[4] = '4 3 5';
  await fails({ input: tenx('past', { 'matrix.mtx': mtxBody('integer', '3 6 12', past), 'features.tsv': FEATURES, 'barcodes.tsv': BARCODES, 'cell_metadata.tsv': META }) }, /entry 5/, /index \(4, 3\) lies outside the 3 × 6/);
  const gz = gzipSync(mtxBody('integer', '3 6 12', ENTRIES));
  const cut = tenx('cut', { 'matrix.mtx.gz': gz.subarray(0, gz.length - 12), 'features.tsv': FEATURES, 'barcodes.tsv': BARCODES, 'cell_metadata.tsv': META });
  await fails({ input: cut }, /matrix\.mtx\.gz: \(gzip\): is truncated/);
  const pq = join(dir, 'scalar');
  mkdirSync(pq);
  writeParquetTable(join(pq, 'genes.parquet'), [{ name: 'gene_index', type: 'INT32' }, { name: 'gene', type: 'STRING' }, { name: 'gene_id', type: 'STRING' }], { gene_index: [0, 1], gene: ['A', 'B'], gene_id: ['A', 'B'] });
  writeParquetTable(join(pq, 'cells.parquet'), [{ name: 'cell_id', type: 'STRING' }, { name: 'condition', type: 'STRING' }, { name: 'library_size', type: 'DOUBLE' }, { name: 'gene_index', type: 'INT32' }, { name: 'value', type: 'FLOAT' }], { cell_id: CELLS, condition: COND, library_size: CELLS.map(() => 1), gene_index: CELLS.map(() => 0), value: CELLS.map(() => 1) });
  await fails({ input: pq }, /gene_index \(row 0\)/, /holds a number \(0\), not a list/);
});

test('10x accepted: CRLF + BOM in features / barcodes / metadata, comment lines, integer and real fields, gene order', async () => {
  const crlf = (s: string) => '\ufeff' + s.replace(/\n/g, '\r\n');
  const ref = await runIngest({ input: tenx('plain', { 'matrix.mtx': mtxBody('integer', '3 6 12', ENTRIES), 'features.tsv': FEATURES, 'barcodes.tsv': BARCODES, 'cell_metadata.tsv': META }), outDir: out() });
  const byGene = [...ENTRIES].sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0]));
  const odd = await runIngest({ input: tenx('odd', { 'matrix.mtx': crlf(mtxBody('integer', '3 6 12', byGene)), 'features.tsv': crlf(FEATURES), 'barcodes.tsv': crlf(BARCODES), 'cell_metadata.tsv': crlf(META) }), outDir: out() });
  const real = await runIngest({ input: tenx('real', { 'matrix.mtx': mtxBody('real', '3 6 12', ENTRIES.map((l) => l.replace(/ (\d+)$/, ' $1.0e0'))), 'features.tsv': FEATURES, 'barcodes.tsv': BARCODES, 'cell_metadata.tsv': META }), outDir: out(), normalize: 'counts' });
  for (const r of [odd, real]) {
    assert.deepEqual(r.stats.conditions, ref.stats.conditions);
    assert.deepEqual(Array.from(r.stats.mean), Array.from(ref.stats.mean));
    assert.deepEqual(Array.from(r.stats.m2), Array.from(ref.stats.m2));
  }
});
