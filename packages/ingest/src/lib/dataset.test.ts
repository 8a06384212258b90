// The bundled default data and the dataset directory as other stages see it: obs filter on
// devel.h5ad, cells.parquet streamed back (AsyncIterable and Observable, pull-driven), queried by
// DuckDB, re-ingested from Parquet with identical statistics, and a manifest written last.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CELLS_COLUMNS, readDatasetStats, sha256File } from '@gears-pipeline/core';
import { firstValueFrom, tap, toArray } from 'rxjs';
import { accumulateStats, pullObservable, readCellChunks, readCellChunks$, runIngest } from '../index.ts';

const repo = resolve(import.meta.dirname, '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'gears-dataset-'));
const out = join(dir, 'norman');

test('devel.h5ad with --obs-filter dataset=norman19 keeps the Norman cells and conditions', async () => {
  const r = await runIngest({ input: join(repo, 'data/norman2019-devel/devel.h5ad'), outDir: out, obsFilter: { dataset: 'norman19' } });
  assert.equal(r.nCells, 3375);
  assert.equal(r.nGenes, 500);
  assert.equal(r.normalized, false);
  const names = r.stats.conditions.map((c) => c.name);
  assert.equal(names.length, 34); // ctrl + 18 singles + 15 doubles
  assert.ok(names.includes('ctrl') && names.includes('KLF1+ctrl') && names.includes('KLF1+MAP2K6'));
  assert.equal(r.stats.conditions.find((c) => c.name === 'ctrl')!.nCells, 100);
  assert.equal(names.filter((n) => n.endsWith('+ctrl')).length, 18);
  // library size comes from obs.ncounts for already-normalised data
  const first = (await readCellChunks(out, { chunkSize: 3 }).next()).value!;
  assert.ok(first.librarySize!.every((x: number) => x > 1000));
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(m.stage, 'ingest');
  assert.equal(m.outputs['cells.parquet'].rows, 3375);
  assert.equal(m.outputs['condition_gene_stats.parquet'].rows, 34 * 500);
  assert.equal(m.outputs['genes.parquet'].sha256, await sha256File(join(out, 'genes.parquet')));
  assert.deepEqual(m.config.obsFilter, { dataset: 'norman19' });
});

test('cells stream back as chunks; DuckDB reads the tables; statistics recompute from the cells', async () => {
  let cells = 0;
  let maxChunk = 0;
  for await (const c of readCellChunks(out, { chunkSize: 500 })) {
    cells += c.cellIds.length;
    maxChunk = Math.max(maxChunk, c.cellIds.length);
    assert.equal(c.nGenes, 500);
  }
  assert.equal(cells, 3375);
  assert.equal(maxChunk, 500);
  const s = await readDatasetStats(out);
  const m = await accumulateStats(readCellChunks$(out, { chunkSize: 700 }), s.conditions.map((c) => c.name), 500);
  for (let j = 0; j < s.mean.length; j += 97) {
    assert.ok(Math.abs(m.mean[j] - s.mean[j]) < 1e-9);
    assert.ok(Math.abs(m.m2[j] - s.m2[j]) < 1e-6 * Math.max(1, s.m2[j]));
  }
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const cols = (await con.runAndReadAll(`describe select * from '${join(out, 'cells.parquet')}'`)).getRows().map((r) => r[0]);
  assert.deepEqual(cols, CELLS_COLUMNS.map((c) => c.name));
  const top = await con.runAndReadAll(`select gene from '${join(out, 'condition_gene_stats.parquet')}' where condition = 'KLF1+ctrl' and de_rank = 0`);
  assert.equal(top.getRows().length, 1);
  const n = await con.runAndReadAll(`select sum(n_cells) from '${join(out, 'conditions.parquet')}'`);
  assert.equal(Number(n.getRows()[0][0]), 3375);
});

test('a dataset directory re-ingests (Parquet input, cells written on a worker thread) to the same statistics', async () => {
  const again = join(dir, 'again');
  const r = await runIngest({ input: out, outDir: again, writerThread: true });
  assert.equal(r.normalized, false);
  const a = await readDatasetStats(out);
  const b = await readDatasetStats(again);
  assert.deepEqual(b.conditions, a.conditions);
  assert.deepEqual(b.genes.map((g) => g.gene), a.genes.map((g) => g.gene));
  for (let j = 0; j < a.mean.length; j++) assert.ok(Math.abs(a.mean[j] - b.mean[j]) < 1e-12 && Math.abs(a.t[j] - b.t[j]) < 1e-9 * Math.max(1, Math.abs(a.t[j])));
  assert.deepEqual(Array.from(b.deRank), Array.from(a.deRank));
  assert.ok(existsSync(join(again, 'manifest.json')));
  const ids: string[] = [];
  for await (const c of readCellChunks(again)) ids.push(...c.cellIds);
  const orig: string[] = [];
  for await (const c of readCellChunks(out)) orig.push(...c.cellIds);
  assert.deepEqual(ids, orig);
});

test('the Observable source reads the next item only after the previous one was delivered', async () => {
  let produced = 0;
  let maxAhead = 0;
  let consumed = 0;
  async function* source() {
    for (let i = 0; i < 50; i++) {
      produced++;
      maxAhead = Math.max(maxAhead, produced - consumed);
      await new Promise((r) => setImmediate(r));
      yield i;
    }
  }
  const items = await firstValueFrom(
    pullObservable(source).pipe(
      tap(() => {
        const until = Date.now() + 1; // a slow synchronous consumer
        while (Date.now() < until);
        consumed++;
      }),
      toArray(),
    ),
  );
  assert.equal(items.length, 50);
  assert.ok(maxAhead <= 1, `source ran ${maxAhead} items ahead`);
});
