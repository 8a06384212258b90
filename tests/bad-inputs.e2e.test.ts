// The bad-input contract of the `gears` CLI, for every format it reads (h5ad, 10x MTX + metadata,
// Parquet cells, pseudobulk tables, GO tables, split files, configs, checkpoints, predict lists) and
// for system errors: exit code 1, exactly one error line naming the file and what is wrong, no
// stack trace, nothing under a final output name, and the previous outputs intact. Runs the CLI
// in-process (main()) on tiny generated files, so the whole suite takes seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeParquetTable } from '@gears-pipeline/core';
import { main } from '../packages/pipeline/src/cli.ts';
import { repoRoot } from './helpers.ts';

const synth = (f: string) => join(repoRoot, 'data/reference-synth', f);
const ws = mkdtempSync(join(tmpdir(), 'gears-bad-inputs-'));
const bad = join(ws, 'bad');
mkdirSync(bad);

/** Runs `gears …` in this process, capturing stdout and stderr. */
async function gears(...args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  const [err, out] = [process.stderr.write.bind(process.stderr), process.stdout.write.bind(process.stdout)];
  let stderr = '';
  let stdout = '';
  // the CLI writes strings; the test runner's own reports (Buffers) pass through
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? ((stderr += s), true) : err(s, ...rest))) as typeof process.stderr.write;
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? ((stdout += s), true) : out(s, ...rest))) as typeof process.stdout.write;
  try {
    const code = await main([...args, '--quiet']);
    return { code, stderr, stdout };
  } finally {
    process.stderr.write = err;
    process.stdout.write = out;
  }
}

/** Bytes of every file under a directory, to show that nothing of it changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = readFileSync(join(e.parentPath, e.name)).toString('base64');
  }
  return out;
}

/** The contract: exit 1, one `error:` line naming the file and matching `what`, no stack trace, outputs intact. */
async function refuses(args: string[], file: string, what: RegExp, outputs: string = join(ws, 'dataset')): Promise<void> {
  const before = snapshot(ws);
  const siblings = readdirSync(ws).sort();
  const r = await gears(...args);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => / error: /.test(l));
  assert.equal(r.code, 1, `${args.join(' ')}: exit code 1\n${r.stderr}`);
  assert.equal(errors.length, 1, `one error line:\n${r.stderr}`);
  assert.ok(errors[0].includes(file), `names ${file}: ${errors[0]}`);
  assert.match(errors[0], what);
  if (process.env.SHOW_ERRORS) console.error(errors[0]);
  assert.match(errors[0], /Fix: /);
  assert.ok(!lines.some((l) => /^\s+at /.test(l)), `no stack trace:\n${r.stderr}`);
  assert.deepEqual(snapshot(ws), before, 'previous outputs intact');
  assert.deepEqual(readdirSync(ws).sort(), siblings, 'no temporary or partial outputs left');
  void outputs;
}

const write = (name: string, body: string | Buffer) => {
  const p = join(bad, name);
  writeFileSync(p, body);
  return p;
};

test('setup: a good workspace (ingest + split on the synthetic set) whose outputs must survive every failure', async () => {
  for (const a of [['ingest', '--input', synth('synth_raw.h5ad'), '--out', join(ws, 'dataset')], ['split', '--workspace', ws, '--gene2go', synth('gene2go.tsv')]]) {
    const r = await gears(...a);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.ok(existsSync(join(ws, 'dataset', 'manifest.json')));
});

test('cell inputs: h5ad, 10x MTX + metadata, Parquet cells', async () => {
  const out = ['--out', join(ws, 'dataset')];
  const h5 = readFileSync(synth('synth_raw.h5ad'));
  await refuses(['ingest', '--input', write('cut.h5ad', h5.subarray(0, h5.length >> 1)), ...out], 'cut.h5ad', /is truncated/);
  await refuses(['ingest', '--input', write('text.h5ad', 'not hdf5'), ...out], 'text.h5ad', /not an HDF5/);
  const tenx = join(bad, 'tenx');
  mkdirSync(tenx);
  const mtx = '%%MatrixMarket matrix coordinate integer general\n2 3 3\n1 1 4\n2 2 1\n1 3 2\n';
  writeFileSync(join(tenx, 'features.tsv'), 'E1\tA\nE2\tB\n');
  writeFileSync(join(tenx, 'barcodes.tsv'), 'c1\nc2\nc3\n');
  writeFileSync(join(tenx, 'cell_metadata.tsv'), 'barcode\tcondition\nc1\tctrl\nc2\tA\nc3\tctrl\n');
  const gz = gzipSync(mtx);
  writeFileSync(join(tenx, 'matrix.mtx.gz'), gz.subarray(0, gz.length - 9));
  await refuses(['ingest', '--input', tenx, ...out], 'matrix.mtx.gz', /\(gzip\): is truncated/);
  writeFileSync(join(tenx, 'matrix.mtx.gz'), gzipSync(mtx.replace('2 3 3', '2 4 3')));
  await refuses(['ingest', '--input', tenx, ...out], 'matrix.mtx.gz', /size line: says 2 × 4/);
  writeFileSync(join(tenx, 'matrix.mtx.gz'), gzipSync(mtx));
  writeFileSync(join(tenx, 'cell_metadata.tsv'), 'barcode\tcondition\nc1\tctrl\nc2\tA++B\nc3\tctrl\n');
  await refuses(['ingest', '--input', tenx, ...out], 'cell_metadata.tsv', /condition "A\+\+B"/);
  writeFileSync(join(tenx, 'cell_metadata.tsv'), 'barcode\tcondition\nc1\tctrl\nc2\t"A\nc3\tctrl\n');
  await refuses(['ingest', '--input', tenx, ...out], 'cell_metadata.tsv', /line 3: a quoted field is never closed/);
  const pq = join(bad, 'pq');
  mkdirSync(pq);
  writeParquetTable(join(pq, 'genes.parquet'), [{ name: 'gene_index', type: 'INT32' }, { name: 'gene', type: 'STRING' }, { name: 'gene_id', type: 'STRING' }], { gene_index: [0], gene: ['A'], gene_id: ['A'] });
  writeParquetTable(join(pq, 'cells.parquet'), [{ name: 'cell_id', type: 'STRING' }, { name: 'condition', type: 'STRING' }, { name: 'library_size', type: 'DOUBLE' }, { name: 'gene_index', type: 'INT32' }, { name: 'value', type: 'FLOAT' }], { cell_id: ['a', 'b'], condition: ['ctrl', 'ctrl'], library_size: [1, 1], gene_index: [0, 0], value: [1, 1] });
  await refuses(['ingest', '--input', pq, ...out], 'cells.parquet', /gene_index \(row 0\): holds a number/);
});

test('pseudobulk tables: ragged row, UTF-32, duplicate rows with --pseudobulk-duplicates error, empty gene', async () => {
  const out = ['--out', join(ws, 'dataset')];
  await refuses(['ingest', '--input', write('ragged.csv', 'condition,G1,G2\nctrl,0,0\n"A,B",1\n'), ...out], 'ragged.csv', /line 3: has 2 fields, the header has 3/);
  await refuses(['ingest', '--input', write('u32.tsv', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('condition\tG1\n')])), ...out], 'u32.tsv', /UTF-32 LE/);
  const dup = write('dup.tsv', 'condition\tG1\nA+ctrl\t1\nctrl+A\t2\n');
  await refuses(['ingest', '--input', dup, '--pseudobulk-duplicates', 'error', ...out], 'dup.tsv', /A\+ctrl occurs twice/);
  await refuses(['ingest', '--input', write('plusplus.tsv', 'condition\tG1\nA++B\t1\n'), ...out], 'plusplus.tsv', /"A\+\+B": gene 2 of 3 is empty/);
});

test('system errors: an output path under a file is one line with the path and a fix', async () => {
  const file = write('a-file', 'x');
  await refuses(['ingest', '--input', synth('synth_raw.h5ad'), '--out', join(file, 'dataset')], 'a-file', /is a file where a directory is needed/);
});

test('GO tables and split files', async () => {
  const split = ['split', '--workspace', ws, '--out', join(ws, 'split')];
  await refuses([...split, '--gene2go', write('go.tsv', 'only-one-column\n')], 'go.tsv', /has no gene symbol column/);
  await refuses([...split, '--gene2go', synth('gene2go.tsv'), '--split', 'custom', '--split-file', write('split.json', '{"train": [')], 'split.json', /is not valid JSON/);
});

test('configs, checkpoints and predict lists', async () => {
  await refuses(['run', '--config', write('bad.json', '{"run": {')], 'bad.json', /not valid JSON/);
  await refuses(['run', '--config', write('stages.json', JSON.stringify({ run: { stages: ['ingest', 'trian'] } }))], 'stages.json', /run\.stages: names an unknown stage 'trian'/);
  const ckpt = join(bad, 'ckpt');
  mkdirSync(ckpt);
  await refuses(['predict', '--workspace', ws, '--checkpoint', ckpt, '--out', join(ws, 'predictions'), 'A'], 'checkpoint.json', /does not exist/);
  writeFileSync(join(ckpt, 'checkpoint.json'), '{"format": ');
  await refuses(['predict', '--workspace', ws, '--checkpoint', ckpt, '--out', join(ws, 'predictions'), 'A'], 'checkpoint.json', /JSON|damaged|truncated/);
  await refuses(['predict', '--workspace', ws, '--out', join(ws, 'predictions'), 'A++B'], 'argument 1 "A++B"', /gene 2 of 3 is empty/);
  await refuses(['predict', '--workspace', ws, '--out', join(ws, 'predictions'), '--file', write('list.txt', 'FOXA1\nA+A\n')], 'list.txt', /line 2 "A\+A": gene A is named twice/);
});

test('cleanup', () => rmSync(ws, { recursive: true, force: true }));
