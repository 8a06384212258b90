import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearsInputError, GearsUsageError, readDatasetStats, row } from '@gears-pipeline/core';
import { runIngest } from '../ingest.ts';
import { ANNDATA_SKIP_MESSAGE, pythonWithAnndata } from '../anndata-python.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-layers-'));
const path = join(dir, 'scanpy.h5ad');
const py = pythonWithAnndata();

// a file as scanpy leaves it: X log-normalised and filtered to 3 genes, counts in layers['counts'],
// and the unfiltered counts (4 genes) in .raw
if (py) {
  execFileSync(py, ['-c', `
import anndata, numpy as np, pandas as pd
counts = np.array([[10, 0, 5, 1], [8, 2, 4, 0], [12, 1, 6, 2], [30, 0, 1, 1], [25, 1, 2, 0], [28, 2, 0, 3]], dtype=np.float32)
obs = pd.DataFrame({"condition": ["ctrl"] * 3 + ["A+ctrl"] * 3}, index=[f"c{i}" for i in range(6)])
raw = anndata.AnnData(counts, obs=obs, var=pd.DataFrame(index=["A", "B", "C", "D"]))
lib = counts.sum(1, keepdims=True)
logn = np.log1p(counts / lib * 1e4).astype(np.float32)
a = anndata.AnnData(logn[:, :3], obs=obs, var=pd.DataFrame(index=["A", "B", "C"]))
a.layers["counts"] = counts[:, :3]
a.raw = raw
a.write_h5ad(${JSON.stringify(path)})
`]);
}

test('--layer counts and --use-raw read the matrix scanpy users keep their counts in', async (t) => {
  if (!py) {
    t.skip(ANNDATA_SKIP_MESSAGE);
    return;
  }
  const fromX = await runIngest({ input: path, outDir: join(dir, 'x') });
  const fromLayer = await runIngest({ input: path, outDir: join(dir, 'layer'), layer: 'counts' });
  const fromRaw = await runIngest({ input: path, outDir: join(dir, 'raw'), useRaw: true });
  assert.equal(fromX.nGenes, 3);
  assert.equal(fromLayer.nGenes, 3);
  assert.equal(fromRaw.nGenes, 4, 'raw keeps the unfiltered genes');
  assert.equal(fromX.normalized, false, 'X is log data already');
  assert.equal(fromLayer.normalized, true, 'counts are normalised (per-cell library size over the layer\'s genes)');
  assert.equal(fromRaw.normalized, true);
  // from raw the library size covers all 4 genes, as X's normalisation did: the control means agree
  const sx = await readDatasetStats(join(dir, 'x'));
  const sr = await readDatasetStats(join(dir, 'raw'));
  const cx = row(sx.mean, sx.controlIndex, 3);
  const cr = row(sr.mean, sr.controlIndex, 4);
  for (let g = 0; g < 3; g++) assert.ok(Math.abs(cx[g] - cr[g]) < 1e-4, `gene ${g}: ${cx[g]} vs ${cr[g]}`);
  await assert.rejects(runIngest({ input: path, outDir: join(dir, 'bad'), layer: 'spliced' }), (e: unknown) => e instanceof GearsInputError && e.field === 'layers/spliced' && /counts/.test(e.message));
  await assert.rejects(runIngest({ input: path, outDir: join(dir, 'bad2'), layer: 'counts', useRaw: true }), (e: unknown) => e instanceof GearsUsageError);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
