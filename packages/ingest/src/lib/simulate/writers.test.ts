import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import h5wasm from 'h5wasm/node';
import { writeSimulatedH5ad } from './h5ad-writer.ts';
import { MTX_FILES, writeSimulatedMtx } from './mtx-writer.ts';
import { runSimulate } from './run.ts';
import { simulatePerturbSeq } from './simulate.ts';
import { TRUTH_FILES } from './truth-writer.ts';

const ARGS = { seed: 21, genes: 80, cells: 700, singles: 6, doubles: 4, controlFraction: 0.2, density: 0.12 };

function withTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gears-simulate-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function attr(obj: { attrs: Record<string, { value: unknown }> }, name: string): unknown {
  return obj.attrs[name]?.value;
}

test(
  'h5ad: anndata CSR layout readable by h5wasm, same counts as the generator',
  withTempDir(async (dir) => {
    const sim = simulatePerturbSeq(ARGS);
    const path = join(dir, 'sim.h5ad');
    // a small chunk forces several appends to the growing datasets
    const summary = await writeSimulatedH5ad(sim, path, { chunkCells: 64, hdf5ChunkElements: 1000 });
    assert.deepEqual(readdirSync(dir), ['sim.h5ad'], 'no temporary file left behind');
    await h5wasm.ready;
    const f = new h5wasm.File(path, 'r');
    try {
      assert.equal(attr(f, 'encoding-type'), 'anndata');
      const X = f.get('X') as InstanceType<typeof h5wasm.Group>;
      assert.equal(attr(X, 'encoding-type'), 'csr_matrix');
      assert.equal(attr(X, 'encoding-version'), '0.1.0');
      assert.deepEqual(Array.from(attr(X, 'shape') as BigInt64Array, Number), [ARGS.cells, ARGS.genes]);
      const data = (f.get('X/data') as InstanceType<typeof h5wasm.Dataset>).value as Float32Array;
      const indices = (f.get('X/indices') as InstanceType<typeof h5wasm.Dataset>).value as Int32Array;
      const indptr = (f.get('X/indptr') as InstanceType<typeof h5wasm.Dataset>).value as Int32Array;
      assert.ok(data instanceof Float32Array && indices instanceof Int32Array && indptr instanceof Int32Array);
      assert.equal(indptr.length, ARGS.cells + 1);
      assert.equal(indptr[0], 0);
      assert.equal(indptr[ARGS.cells], data.length);
      assert.equal(data.length, summary.nonZero);
      assert.equal(indices.length, data.length);
      assert.ok(data.every((v) => Number.isInteger(v) && v > 0), 'raw integer counts');
      assert.ok(indices.every((i) => i >= 0 && i < ARGS.genes));

      const obs = f.get('obs') as InstanceType<typeof h5wasm.Group>;
      assert.equal(attr(obs, 'encoding-type'), 'dataframe');
      assert.equal(attr(obs, '_index'), '_index');
      assert.deepEqual(attr(obs, 'column-order'), ['condition', 'cell_type']);
      const cellIds = (f.get('obs/_index') as InstanceType<typeof h5wasm.Dataset>).value as string[];
      assert.equal(new Set(cellIds).size, ARGS.cells, 'unique cell ids');
      const cond = f.get('obs/condition') as InstanceType<typeof h5wasm.Group>;
      assert.equal(attr(cond, 'encoding-type'), 'categorical');
      const categories = (f.get('obs/condition/categories') as InstanceType<typeof h5wasm.Dataset>).value as string[];
      const codes = (f.get('obs/condition/codes') as InstanceType<typeof h5wasm.Dataset>).value as Int8Array;
      assert.deepEqual(categories, sim.conditions.map((c) => c.name));
      assert.equal(codes.length, ARGS.cells);
      for (const [k, c] of sim.conditions.entries()) assert.equal(codes.filter((x) => x === k).length, c.nCells, c.name);
      assert.deepEqual((f.get('obs/cell_type/categories') as InstanceType<typeof h5wasm.Dataset>).value, ['K562']);

      const v = f.get('var') as InstanceType<typeof h5wasm.Group>;
      assert.equal(attr(v, 'encoding-type'), 'dataframe');
      assert.deepEqual((f.get('var/_index') as InstanceType<typeof h5wasm.Dataset>).value, sim.geneNames);
      assert.deepEqual((f.get('var/gene_name') as InstanceType<typeof h5wasm.Dataset>).value, sim.geneNames);

      // the file holds exactly what the generator produces for the same seed
      let at = 0;
      const { simulatedCellChunks } = await import('./cells.ts');
      for (const ch of simulatedCellChunks(sim, 1000)) {
        assert.deepEqual(Array.from(data.subarray(at, at + ch.values.length)), Array.from(ch.values));
        at += ch.values.length;
      }
    } finally {
      f.close();
    }
  }),
);

test(
  'MTX: header dimensions match features × barcodes, entries and cells table agree with the h5ad',
  withTempDir(async (dir) => {
    const sim = simulatePerturbSeq(ARGS);
    const mtxDir = join(dir, 'mtx');
    const summary = await writeSimulatedMtx(sim, mtxDir, { chunkCells: 50 });
    const lines = gunzipSync(readFileSync(join(mtxDir, MTX_FILES.matrix))).toString('utf8').trimEnd().split('\n');
    assert.equal(lines[0], '%%MatrixMarket matrix coordinate integer general');
    const body = lines.filter((l) => !l.startsWith('%'));
    const [rows, cols, nnz] = body[0].split(' ').map(Number);
    const features = gunzipSync(readFileSync(join(mtxDir, MTX_FILES.features))).toString('utf8').trimEnd().split('\n');
    const barcodes = gunzipSync(readFileSync(join(mtxDir, MTX_FILES.barcodes))).toString('utf8').trimEnd().split('\n');
    assert.equal(rows, features.length);
    assert.equal(cols, barcodes.length);
    assert.equal(rows, ARGS.genes);
    assert.equal(cols, ARGS.cells);
    assert.equal(nnz, body.length - 1);
    assert.equal(nnz, summary.nonZero);
    assert.deepEqual(features[0].split('\t'), [sim.geneNames[0], sim.geneNames[0], 'Gene Expression']);
    let total = 0;
    for (const l of body.slice(1)) {
      const [g, c, x] = l.split(' ').map(Number);
      assert.ok(g >= 1 && g <= rows && c >= 1 && c <= cols && Number.isInteger(x) && x > 0);
      total += x;
    }
    const cells = readFileSync(join(mtxDir, MTX_FILES.cells), 'utf8').trimEnd().split('\n');
    assert.equal(cells[0], 'barcode\tcondition\tcell_type');
    assert.deepEqual(cells.slice(1).map((l) => l.split('\t')[0]), barcodes);
    const conditions = new Set(sim.conditions.map((c) => c.name));
    assert.ok(cells.slice(1).every((l) => conditions.has(l.split('\t')[1])));

    // same seed → the same counts as the h5ad writer
    const h5 = join(dir, 'same.h5ad');
    await writeSimulatedH5ad(sim, h5);
    await h5wasm.ready;
    const f = new h5wasm.File(h5, 'r');
    const data = (f.get('X/data') as InstanceType<typeof h5wasm.Dataset>).value as Float32Array;
    f.close();
    assert.equal(data.reduce((s, x) => s + x, 0), total);
  }),
);

test(
  'runSimulate writes the matrix and the ground truth (GO table, network, conditions, effects)',
  withTempDir(async (dir) => {
    const r = await runSimulate({ out: dir, format: 'h5ad', args: ARGS });
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, [...Object.values(TRUTH_FILES), 'perturbseq.h5ad'].sort());
    const go = readFileSync(join(dir, TRUTH_FILES.geneOntology), 'utf8').trimEnd().split('\n');
    assert.equal(go[0], 'gene_symbol\tgo_id');
    assert.equal(new Set(go.slice(1).map((l) => l.split('\t')[0])).size, ARGS.genes, 'every gene annotated');
    const net = readFileSync(join(dir, TRUTH_FILES.network), 'utf8').trimEnd().split('\n');
    assert.equal(net.length - 1, r.sim.network.source.length);
    const conds = readFileSync(join(dir, TRUTH_FILES.conditions), 'utf8').trimEnd().split('\n');
    assert.equal(conds.length - 1, 1 + ARGS.singles + ARGS.doubles);
    const effects = gunzipSync(readFileSync(join(dir, TRUTH_FILES.effects))).toString('utf8').trimEnd().split('\n');
    assert.ok(effects.length > ARGS.singles, 'effects listed');
    const summary = JSON.parse(readFileSync(join(dir, TRUTH_FILES.summary), 'utf8'));
    assert.equal(summary.cells, ARGS.cells);
    assert.equal(summary.nonZero, r.matrix.nonZero);
  }),
);
