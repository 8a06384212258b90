// Older anndata layouts and obs details: categoricals stored as integer codes with labels in
// `obs/__categories/<column>`, code −1 for a missing label, and an obs filter on a filtered-out
// cell with a bad value that must not stop the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '@gears-pipeline/core';
import { createHdf5, runIngest } from '../../index.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-legacy-'));

async function legacyFile(path: string, x: number[][], labels: number[], batch: string[]) {
  const f = await createHdf5(path);
  const nCells = x.length;
  const nGenes = x[0].length;
  f.create_dataset({ name: 'X', data: Float32Array.from(x.flat()), shape: [nCells, nGenes] });
  const obs = f.create_group('obs');
  obs.create_attribute('_index', 'index');
  obs.create_dataset({ name: 'index', data: x.map((_, i) => `c${i}`) });
  obs.create_dataset({ name: 'perturbation', data: Int8Array.from(labels) });
  obs.create_dataset({ name: 'batch', data: batch });
  const cats = obs.create_group('__categories');
  cats.create_dataset({ name: 'perturbation', data: ['NT', 'TP53', 'TP53_MDM2'] });
  const v = f.create_group('var');
  v.create_attribute('_index', 'index');
  v.create_dataset({ name: 'index', data: ['TP53', 'MDM2', 'CDKN1A'] });
  f.close();
}

test('anndata < 0.8 categoricals (__categories), missing codes and filtered-out bad rows', async () => {
  const path = join(dir, 'legacy.h5ad');
  const x = [
    [1, 2, 0],
    [0, 3, 1],
    [2, 0, 0],
    [1, 1, 1],
    [0, 2, 5],
    [3, 0, 1],
    [1, 4, 0],
    [-1, 0, 0], // a bad value in a cell the filter removes
  ];
  await legacyFile(path, x, [0, 1, 0, 1, 2, 2, -1, 0], ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'b']);
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger, warn: (e) => warnings.push(e) };
  const r = await runIngest({ input: path, outDir: join(dir, 'out'), controlLabels: ['NT'], separator: '_', obsFilter: { batch: 'a' } }, log);
  assert.deepEqual(r.stats.conditions.map((c) => [c.name, c.nCells]), [['MDM2+TP53', 2], ['TP53+ctrl', 2], ['ctrl', 2]]);
  assert.ok(warnings.includes('ingest.cells_without_condition'), 'the cell with code −1 is skipped with a warning');
  assert.deepEqual(r.stats.genes.map((g) => g.gene), ['TP53', 'MDM2', 'CDKN1A']);
  assert.equal(r.normalized, true);
});
