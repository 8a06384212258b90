// Every bad input fails with a GearsInputError naming the file, the field and the fix, and a
// failed run leaves the previous good dataset directory untouched with no temporary leftovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GearsInputError, silentLogger, type Logger } from '@gears-pipeline/core';
import { replaceDirectory, runIngest, writeH5ad, type IngestArgs } from '../index.ts';
import { toyCounts } from './testing/synthetic.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'gears-ingest-err-'));

async function toyFile(name: string, edit: (x: ReturnType<typeof toyCounts>) => void = () => {}, obsName = 'condition') {
  const t = toyCounts({ seed: 3, cellsPer: 6 });
  edit(t);
  const path = join(dir, name);
  await writeH5ad(path, { nCells: t.nCells, nGenes: t.nGenes, X: t.X, layout: 'csr', cellIds: t.cellIds, geneIds: t.genes, obs: { [obsName]: t.condition, cell_type: t.condition.map(() => 'K562') } });
  return path;
}

async function fails(args: IngestArgs, ...patterns: RegExp[]): Promise<GearsInputError> {
  let err: unknown;
  try {
    await runIngest(args, silentLogger);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof GearsInputError, `expected a GearsInputError, got ${String(err)}`);
  assert.match(err.message, /Fix: /);
  for (const p of patterns) assert.match(err.message, p);
  return err;
}

test('missing condition column lists the available columns', async () => {
  const path = await toyFile('nocol.h5ad', () => {}, 'guide_target');
  await fails({ input: path, outDir: join(dir, 'o1') }, /nocol\.h5ad/, /condition/, /guide_target, cell_type/, /--condition-column/);
  const ok = await runIngest({ input: path, outDir: join(dir, 'o1'), conditionColumn: 'guide_target' });
  assert.equal(ok.nConditions, 5);
});

test('no control cells lists the labels seen and suggests --control-label', async () => {
  const path = await toyFile('noctrl.h5ad', (t) => {
    t.condition = t.condition.map((c) => (c === 'control' ? 'safe-harbor' : c));
  });
  await fails({ input: path, outDir: join(dir, 'o2') }, /no control cells/, /safe-harbor/, /--control-label/);
  const ok = await runIngest({ input: path, outDir: join(dir, 'o2'), controlLabels: ['safe-harbor'] });
  assert.ok(ok.stats.conditions.some((c) => c.name === 'ctrl' && c.nCells === 6));
});

test('a condition with a single cell names it and suggests --min-cells; --min-cells drops it with a warning', async () => {
  const path = await toyFile('single.h5ad', (t) => {
    t.condition[7] = 'G5';
  });
  await fails({ input: path, outDir: join(dir, 'o3') }, /G5\+ctrl/, /single cell/, /--min-cells/);
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger, warn: (e) => warnings.push(e) };
  const ok = await runIngest({ input: path, outDir: join(dir, 'o3'), minCells: 2 }, log);
  assert.ok(!ok.stats.conditions.some((c) => c.name === 'G5+ctrl'));
  assert.ok(warnings.includes('ingest.conditions_dropped'));
});

test('negative and non-finite values name the cell and gene', async () => {
  const neg = await toyFile('neg.h5ad', (t) => {
    t.X[5 * t.nGenes + 2] = -1.5;
  });
  await fails({ input: neg, outDir: join(dir, 'o4') }, /cell0005/, /gene G2/, /negative/);
  const nan = await toyFile('nan.h5ad', (t) => {
    t.X[9 * t.nGenes + 1] = NaN;
  });
  await fails({ input: nan, outDir: join(dir, 'o4') }, /cell0009/, /not finite/);
});

test('perturbed genes that are not measured warn; unknown --keep-gene fails', async () => {
  const path = await toyFile('unknown.h5ad', (t) => {
    t.condition = t.condition.map((c) => (c === 'G2' ? 'NOTMEASURED' : c));
  });
  const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
  const res = await runIngest({ input: path, outDir: join(dir, 'o5') }, { ...silentLogger, warn: (e, f) => warnings.push([e, f]) });
  assert.deepEqual(res.unmeasuredGenes, ['NOTMEASURED']);
  assert.ok(res.stats.conditions.some((c) => c.name === 'NOTMEASURED+ctrl'));
  assert.deepEqual(warnings.find(([e]) => e === 'ingest.perturbed_genes_not_measured')?.[1]?.genes, ['NOTMEASURED']);
  await fails({ input: path, outDir: join(dir, 'o5'), keepGenes: ['G1', 'NOPE'] }, /NOPE/, /--keep-gene/);
});

test('a truncated or non-HDF5 file is recognised', async () => {
  const trunc = join(dir, 'trunc.h5ad');
  copyFileSync(join(repo, 'data/reference-synth/synth_raw.h5ad'), trunc);
  truncateSync(trunc, 500_000);
  await fails({ input: trunc, outDir: join(dir, 'o6') }, /trunc\.h5ad/, /truncated/);
  const text = join(dir, 'text.h5ad');
  writeFileSync(text, 'cell,condition\n');
  await fails({ input: text, outDir: join(dir, 'o6') }, /text\.h5ad/, /not an HDF5/);
});

test('mismatched MTX dimensions name both files', async () => {
  const d = join(dir, 'tenx');
  mkdirSync(d);
  writeFileSync(join(d, 'matrix.mtx'), '%%MatrixMarket matrix coordinate integer general\n3 2 2\n1 1 5\n2 2 3\n');
  writeFileSync(join(d, 'features.tsv'), 'E1\tA\tGene Expression\nE2\tB\tGene Expression\n');
  writeFileSync(join(d, 'barcodes.tsv'), 'AAA-1\nCCC-1\n');
  writeFileSync(join(d, 'cell_metadata.tsv'), 'barcode\tcondition\nAAA-1\tctrl\nCCC-1\tA\n');
  await fails({ input: d, outDir: join(dir, 'o7') }, /matrix\.mtx/, /3 × 2/, /features\.tsv has 2 lines/, /barcodes\.tsv has 2/);
});

test('a failed run leaves the previous dataset intact and no temporary directories', async () => {
  const good = await toyFile('good.h5ad');
  const out = join(dir, 'keep', 'dataset');
  await runIngest({ input: good, outDir: out });
  const before = readFileSync(join(out, 'manifest.json'), 'utf8');
  const bad = await toyFile('bad.h5ad', (t) => {
    t.X[t.X.length - 1] = -3; // in the last chunk
  });
  await assert.rejects(runIngest({ input: bad, outDir: out, chunkSize: 4 }), GearsInputError);
  assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), before);
  assert.deepEqual(readdirSync(join(dir, 'keep')), ['dataset']);
  assert.deepEqual(readdirSync(out).sort(), ['cells.parquet', 'condition_gene_stats.parquet', 'conditions.parquet', 'genes.parquet', 'manifest.json']);
});

test('a run failing after it started writing leaves the previous directory and no leftovers', async () => {
  const out = join(dir, 'swap', 'dataset');
  await replaceDirectory(out, async (tmp) => writeFileSync(join(tmp, 'a.txt'), 'old'));
  await assert.rejects(
    replaceDirectory(out, async (tmp) => {
      writeFileSync(join(tmp, 'a.txt'), 'new, half written');
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.equal(readFileSync(join(out, 'a.txt'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(join(dir, 'swap')), ['dataset']);
  await replaceDirectory(out, async (tmp) => writeFileSync(join(tmp, 'b.txt'), 'new'));
  assert.deepEqual(readdirSync(out), ['b.txt']);
});
