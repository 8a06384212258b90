import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDatasetStats } from '@gears-pipeline/core';
import { halfToFloat, halvesToFloat32 } from './float16.ts';
import { runIngest } from '../ingest.ts';
import { ANNDATA_SKIP_MESSAGE, pythonWithAnndata } from '../anndata-python.ts';

test('binary16 bit patterns decode to their values (hand-computed cases)', () => {
  assert.equal(halfToFloat(0x3c00), 1);
  assert.equal(halfToFloat(0xc000), -2);
  assert.equal(halfToFloat(0x7bff), 65504, 'largest finite half');
  assert.equal(halfToFloat(0x0001), 2 ** -24, 'smallest subnormal');
  assert.equal(halfToFloat(0x03ff), 1023 * 2 ** -24, 'largest subnormal');
  assert.equal(halfToFloat(0x0400), 2 ** -14, 'smallest normal');
  assert.equal(halfToFloat(0x3555), 0.333251953125);
  assert.equal(halfToFloat(0x7c00), Infinity);
  assert.equal(halfToFloat(0xfc00), -Infinity);
  assert.ok(Number.isNaN(halfToFloat(0x7e00)));
  assert.ok(Object.is(halfToFloat(0x8000), -0));
  assert.deepEqual(Array.from(halvesToFloat32(new Uint16Array([0x3c00, 0x4200, 0x0000]))), [1, 3, 0]);
});

test('an h5ad whose X is float16 (dense and CSR) ingests to the statistics of the same values as float32', async (t) => {
  const py = pythonWithAnndata();
  if (!py) {
    t.skip(ANNDATA_SKIP_MESSAGE);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gears-f16-'));
  try {
    execFileSync(py, ['-W', 'ignore', '-c', `
import anndata, numpy as np, pandas as pd, scipy.sparse as sp
rng = np.random.default_rng(3)
x16 = np.log1p(rng.poisson(1.5, (90, 12))).astype(np.float16)   # non-integer values, exact in half precision
obs = pd.DataFrame({"condition": ["ctrl"] * 30 + ["A+ctrl"] * 30 + ["A+B"] * 30}, index=[f"c{i}" for i in range(90)])
var = pd.DataFrame(index=[f"G{i}" for i in range(10)] + ["A", "B"])
for name, x, dt in [("dense16", x16, np.float16), ("csr16", sp.csr_matrix(x16), np.float16), ("dense32", x16.astype(np.float32), np.float32)]:
    anndata.AnnData(x, obs=obs, var=var, dtype=dt).write_h5ad(${JSON.stringify(dir)} + "/" + name + ".h5ad")
`]);
    const stats = [];
    for (const name of ['dense16', 'csr16', 'dense32']) {
      await runIngest({ input: join(dir, `${name}.h5ad`), outDir: join(dir, name), normalize: 'none' });
      stats.push(await readDatasetStats(join(dir, name)));
    }
    const [d16, c16, d32] = stats;
    assert.ok(d32.mean.some((v) => v > 0.5), 'the reference file has signal');
    assert.deepEqual(Array.from(d16.mean), Array.from(d32.mean));
    assert.deepEqual(Array.from(c16.mean), Array.from(d32.mean));
    assert.deepEqual(Array.from(d16.m2), Array.from(d32.m2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
