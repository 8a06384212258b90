// The pseudobulk reader: kinds, column roles, condition canonicalisation, the |Δ| DE ranking,
// Parquet and gzip input, runIngest's dataset without cells, and errors naming file, field, fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONTROL, DATASET_FILES, GearsInputError, conditionGeneLists, datasetHasCells, readDatasetStats, readManifest, writeParquetTable, type DatasetStats } from '@gears-pipeline/core';
import { readPseudobulk, readPseudobulkStats, resolveFormat, runIngest, type PseudobulkOptions } from '../../index.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-pseudobulk-'));
let k = 0;
function file(text: string, ext = 'tsv'): string {
  const p = join(dir, `t${k++}.${ext}`);
  if (ext.endsWith('.gz')) writeFileSync(p, gzipSync(Buffer.from(text)));
  else writeFileSync(p, text);
  return p;
}
const tsv = (rows: (string | number)[][]) => rows.map((r) => r.join('\t')).join('\n') + '\n';
const valueOf = (s: DatasetStats, cond: string, gene: string) => {
  const c = s.conditions.findIndex((x) => x.name === cond);
  const g = s.genes.findIndex((x) => x.gene === gene);
  return s.mean[c * s.genes.length + g];
};

async function fails(path: string, opts: PseudobulkOptions, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(readPseudobulkStats(path, opts), (e: unknown) => {
    assert.ok(e instanceof GearsInputError, `expected a GearsInputError, got ${String(e)}`);
    assert.ok(e.message.includes(path), `names the file: ${e.message}`);
    assert.match(e.message, /Fix: /);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

// Norman-style LFC table: text metadata, a 0/1 flag column, genes
const LFC = tsv([
  ['condition', 'type', 'gene1', 'gene2', 'both_singles_present', 'G1', 'G2', 'G3', 'KLF1'],
  ['KLF1+ctrl', 'single', 'KLF1', '', '', 0.1, -2, 0.5, 3],
  ['CEBPA+ctrl', 'single', 'CEBPA', '', '', -0.3, 0.2, 0, 0.05],
  ['KLF1+CEBPA', 'double', 'CEBPA', 'KLF1', 1, 1, -1.5, 0.25, 2.5],
]);

test('an LFC table (kind auto) gets a synthesised ctrl row of zeros, |Δ| DE ranks and 1 cell per condition', async () => {
  const r = await readPseudobulk(file(LFC));
  const s = r.stats;
  assert.equal(r.kind, 'lfc');
  assert.equal(r.controlInTable, false);
  assert.deepEqual(r.columns.metadata, ['type', 'gene1', 'gene2', 'both_singles_present']);
  assert.deepEqual(s.genes.map((g) => g.gene), ['G1', 'G2', 'G3', 'KLF1']);
  assert.deepEqual(s.conditions.map((c) => c.name), ['CEBPA+KLF1', 'CEBPA+ctrl', 'KLF1+ctrl', 'ctrl'], 'canonical names, sorted');
  assert.equal(s.conditions[s.controlIndex].name, CONTROL);
  assert.ok(s.conditions[s.controlIndex].isControl);
  const G = s.genes.length;
  assert.deepEqual(Array.from(s.mean.subarray(s.controlIndex * G, (s.controlIndex + 1) * G)), [0, 0, 0, 0]);
  assert.deepEqual(s.conditions.map((c) => c.nCells), [1, 1, 1, 1]);
  assert.equal(valueOf(s, 'KLF1+ctrl', 'G2'), -2);
  // m2..m4 and t are zero; de_rank orders |lfc|: KLF1+ctrl = [0.1, -2, 0.5, 3] → KLF1, G2, G3, G1
  assert.ok([s.m2, s.m3, s.m4, s.t].every((a) => a.every((v) => v === 0)));
  const c = s.conditions.findIndex((x) => x.name === 'KLF1+ctrl');
  assert.deepEqual(conditionGeneLists(s, c).topDe20.map((g) => s.genes[g].gene), ['KLF1', 'G2', 'G3', 'G1']);
  assert.deepEqual(Array.from(s.deRank.subarray(s.controlIndex * G, (s.controlIndex + 1) * G)), [-1, -1, -1, -1]);
  // ties (|0.25| vs none) and zero Δ: CEBPA+ctrl = [-0.3, 0.2, 0, 0.05] → G1, G2, KLF1, G3
  const ce = s.conditions.findIndex((x) => x.name === 'CEBPA+ctrl');
  assert.deepEqual(conditionGeneLists(s, ce).ranking.map((g) => s.genes[g].gene), ['G1', 'G2', 'KLF1', 'G3']);
  // gene info: control mean 0, all highly variable, KLF1 is perturbed (CEBPA is not measured)
  assert.ok(s.genes.every((g) => g.mean === 0 && g.highlyVariable));
  assert.deepEqual(s.genes.filter((g) => g.isPerturbed).map((g) => g.gene), ['KLF1']);
  assert.deepEqual(r.unmeasuredGenes, ['CEBPA']);
  // an lfc table has no dropout information: nonzero = n everywhere
  assert.ok(s.nonzero.every((v) => v === 1));
});

test('condition labels are canonicalised: B+A = A+B, ctrl+A = A+ctrl, control labels and separators', async () => {
  const s = await readPseudobulkStats(file(tsv([
    ['perturbation', 'G1', 'G2'],
    ['ctrl_B', 1, 2],
    ['B_A', 3, 4],
    ['NTC', 0, 0],
  ])), { separator: '_', controlLabels: ['NTC'] });
  assert.deepEqual(s.conditions.map((c) => c.name), ['A+B', 'B+ctrl', 'ctrl']);
  assert.deepEqual(s.conditions.map((c) => c.genes), [['A', 'B'], ['B'], []]);
  await fails(file(tsv([['condition', 'G1'], ['A+B', 1], ['B+A', 2]])), { duplicates: 'error' }, /column condition/, /A\+B occurs twice/, /line 2/, /line 3/);
  await fails(file(tsv([['condition', 'G1'], ['A+ctrl', 1], ['ctrl+A', 2]])), { duplicates: 'error' }, /A\+ctrl occurs twice/);
  // an empty gene or a gene named twice would silently become another condition: refused
  await fails(file(tsv([['condition', 'G1'], ['A++B', 1]])), {}, /line 2/, /"A\+\+B"/, /empty/);
  await fails(file(tsv([['condition', 'G1'], ['A+A', 1]])), {}, /"A\+A"/, /gene A is named twice/);
});

test('replicate rows of a condition (split halves) are averaged, cells summed, and noted in the manifest', async () => {
  const path = file(tsv([['condition', 'n_cells', 'G1', 'G2'], ['A+ctrl', 10, 1, -2], ['B+ctrl', 5, 0.5, 0.5], ['ctrl+A', 30, 3, 0]]));
  const r = await readPseudobulk(path);
  assert.deepEqual(r.averagedRows, { 'A+ctrl': 2 });
  assert.deepEqual(r.stats.conditions.map((c) => [c.name, c.nCells]), [['A+ctrl', 40], ['B+ctrl', 5], ['ctrl', 1]]);
  assert.equal(valueOf(r.stats, 'A+ctrl', 'G1'), 2);
  assert.equal(valueOf(r.stats, 'A+ctrl', 'G2'), -1);
  const out = await runIngest({ input: path, outDir: join(dir, 'ds-rep') });
  assert.deepEqual(out.manifest.notes?.averagedReplicateRows, { 'A+ctrl': 2 });
  await assert.rejects(runIngest({ input: path, outDir: join(dir, 'ds-rep2'), pseudobulkDuplicates: 'error' }), /occurs twice/);
});

test('a mean table with a control row (CSV, gzip, n_cells): kind auto → mean, DE by |mean − ctrl|', async () => {
  const csv = ['condition,n_cells,cell_type,G1,G2,G3', 'control,500,K562,1.0,2.0,0', 'A+ctrl,120,K562,1.5,0.5,0', 'A+B,80,K562,0.0,2.1,0.4'].join('\n');
  const r = await readPseudobulk(file(csv, 'csv.gz'));
  const s = r.stats;
  assert.equal(r.kind, 'mean');
  assert.equal(r.columns.nCells, 'n_cells');
  assert.deepEqual(r.columns.genes, ['G1', 'G2', 'G3']);
  assert.deepEqual(s.conditions.map((c) => [c.name, c.nCells]), [['A+B', 80], ['A+ctrl', 120], ['ctrl', 500]]);
  assert.deepEqual(s.genes.map((g) => g.mean), [1, 2, 0], 'gene mean = control mean');
  // A+ctrl: Δ = [0.5, -1.5, 0] → G2, G1, G3; A+B: Δ = [-1, 0.1, 0.4] → G1, G3, G2
  assert.deepEqual(conditionGeneLists(s, 1).ranking, [1, 0, 2]);
  assert.deepEqual(conditionGeneLists(s, 0).ranking, [0, 2, 1]);
  // mean tables: nonzero = n where the mean is non-zero
  assert.deepEqual(Array.from(s.nonzero.subarray(0, 3)), [0, 80, 80]);
  // explicit lfc on a table whose control row is not zero is an error naming the row and gene
  await fails(file(csv, 'csv.gz'), { kind: 'lfc' }, /column G2, line 2 \(condition control\)/, /must be 0/, /--pseudobulk-kind mean/);
});

test('kind mean without a control row fails naming the condition column and the fix', async () => {
  await fails(file(LFC), { kind: 'mean' }, /column condition/, /needs a control row/, /--control-label/, /--pseudobulk-kind lfc/);
  // an lfc table may carry its own (zero) control row
  const withCtrl = LFC + 'ctrl\tcontrol\t\t\t\t0\t0\t0\t0\n';
  const r = await readPseudobulk(file(withCtrl));
  assert.equal(r.kind, 'lfc');
  assert.equal(r.controlInTable, true);
});

test('numeric metadata is told apart by name; metadataColumns and geneColumns override', async () => {
  const p = file(tsv([['condition', 'dose', 'score', 'G1'], ['A+ctrl', 1, 0.3, 2], ['B+ctrl', 2, 0.1, 3]]));
  assert.deepEqual((await readPseudobulk(p)).columns.genes, ['score', 'G1'], 'dose is known metadata, score is not');
  assert.deepEqual((await readPseudobulk(p, { metadataColumns: ['score'] })).columns.genes, ['G1']);
  assert.deepEqual((await readPseudobulk(p, { geneColumns: ['G1'] })).columns.metadata, ['dose', 'score']);
  await fails(p, { geneColumns: ['G9'] }, /G9/, /geneColumns/);
});

test('bad values fail naming file, gene column, row and condition', async () => {
  const bad = file(tsv([['condition', 'G1', 'G2'], ['A+ctrl', 1, 2], ['B+ctrl', 'x1', 3]]));
  await fails(bad, {}, /column G1, line 3 \(condition B\+ctrl\)/, /"x1" is not a number/, /--metadata-column G1/);
  await fails(file(tsv([['condition', 'G1', 'G2'], ['A+ctrl', 1, 'NaN']])), {}, /column G2, line 2/, /missing or not finite/);
  await fails(file(tsv([['condition', 'G1', 'G2'], ['A+ctrl', 1, '']])), {}, /column G2/, /\(empty\)/);
  await fails(file(tsv([['condition', 'G1'], ['A+ctrl', 'inf']])), {}, /not finite/);
  await fails(file(tsv([['condition', 'n_cells', 'G1'], ['A+ctrl', 0, 1]])), {}, /column n_cells/, /positive integer/);
});

test('structural problems: missing condition column, empty table, no gene column, ragged rows', async () => {
  await fails(file(tsv([['guide', 'G1'], ['A', 1]])), {}, /condition \/ perturbation/, /available columns: guide, G1/, /--condition-column/);
  await fails(file(tsv([['guide', 'G1'], ['A', 1]])), { conditionColumn: 'target_gene' }, /target_gene/, /condition column is missing/);
  await fails(file('condition\tG1\n'), {}, /no rows/);
  await fails(file(''), {}, /is empty/);
  await fails(file(tsv([['condition', 'type'], ['A+ctrl', 'single']])), {}, /no numeric gene column/);
  await fails(file('condition\tG1\nA+ctrl\t1\t2\n'), {}, /line 2/, /has 3 fields/);
  await fails(file(tsv([['condition', 'G1'], ['', 1]])), {}, /condition is empty/);
});

test('obsFilter selects rows by a metadata column', async () => {
  const p = file(tsv([['condition', 'dataset', 'G1'], ['A+ctrl', 'x', 1], ['B+ctrl', 'y', 2]]));
  const s = await readPseudobulkStats(p, { obsFilter: { dataset: 'y' } });
  assert.deepEqual(s.conditions.map((c) => c.name), ['B+ctrl', 'ctrl']);
  await fails(p, { obsFilter: { batch: '1' } }, /batch/, /missing column/);
});

test('runIngest: a Parquet pseudobulk table is detected, and the dataset has no cells.parquet', async () => {
  const p = join(dir, 'pb.parquet');
  writeParquetTable(p, [
    { name: 'condition', type: 'STRING' },
    { name: 'n_cells', type: 'INT32' },
    { name: 'G1', type: 'DOUBLE' },
    { name: 'G2', type: 'DOUBLE' },
  ], { condition: ['A+ctrl', 'A+B', 'B+ctrl'], n_cells: Int32Array.from([10, 20, 30]), G1: Float64Array.from([1, -2, 0.5]), G2: Float64Array.from([-0.5, 0.1, 3]) });
  assert.equal(await resolveFormat(p), 'pseudobulk');
  const out = join(dir, 'ds');
  const r = await runIngest({ input: p, outDir: out });
  assert.equal(r.format, 'pseudobulk');
  assert.equal(r.pseudobulkKind, 'lfc');
  assert.equal(r.nCells, 0);
  assert.equal(r.nConditions, 4);
  assert.equal(datasetHasCells(out), false);
  assert.equal(existsSync(join(out, DATASET_FILES.cells)), false);
  const m = readManifest(out)!;
  assert.equal(m.notes?.pseudobulk, true);
  assert.equal(m.notes?.kind, 'lfc');
  assert.deepEqual(Object.keys(m.outputs).sort(), [DATASET_FILES.conditions, DATASET_FILES.stats, DATASET_FILES.genes].sort());
  const s = await readDatasetStats(out);
  assert.deepEqual(s.conditions.map((c) => [c.name, c.nCells]), [['A+B', 20], ['A+ctrl', 10], ['B+ctrl', 30], ['ctrl', 1]]);
  assert.equal(valueOf(s, 'A+B', 'G1'), -2);
  assert.deepEqual(conditionGeneLists(s, 0).topDe20, [0, 1]);
  // options that need cells are refused, not ignored
  await assert.rejects(runIngest({ input: p, outDir: out, hvg: 10 }), /--hvg needs cells/);
  // a .tsv input is a pseudobulk table by extension
  assert.equal(await resolveFormat(file(LFC)), 'pseudobulk');
});
