import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePredictionsH5ad } from './predictions-writer.ts';
import { ANNDATA_SKIP_MESSAGE, pythonWithAnndata } from '../anndata-python.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-pred-h5ad-'));

test('predictions.h5ad opens in anndata with obs, var, X and layers as written', async (t) => {
  const genes = ['KLF1', 'GATA1', 'CEBPA'];
  const X = Float32Array.from([1, 2, 3, 1.5, 2, 2.5, 0.5, 4, 3]);
  const observed = Float32Array.from([1, 2, 3, 1.25, 2, 2.75, NaN, NaN, NaN]);
  const path = join(dir, 'predictions.h5ad');
  await writePredictionsH5ad(path, {
    genes,
    perturbation: ['control', 'KLF1', 'CEBPA_KLF1'],
    condition: ['ctrl', 'KLF1+ctrl', 'CEBPA+KLF1'],
    nGenes: [0, 1, 2],
    categories: { split: ['control', 'test', 'predicted'] },
    predictedMean: X,
    controlMean: [1, 2, 3],
    observedMean: observed,
    uns: { model: 'gears' },
  });
  const py = pythonWithAnndata();
  if (!py) {
    t.skip(ANNDATA_SKIP_MESSAGE);
    return;
  }
  const script = `
import anndata, json, numpy as np
a = anndata.read_h5ad(${JSON.stringify(path)})
print(json.dumps({
  "shape": list(a.shape), "obs_names": list(a.obs_names), "var_names": list(a.var_names),
  "perturbation": list(a.obs["perturbation"]), "condition": list(a.obs["condition"]),
  "n_genes": [int(v) for v in a.obs["n_genes"]], "split": [str(v) for v in a.obs["split"]],
  "X": np.asarray(a.X).round(4).tolist(), "delta": np.asarray(a.layers["delta"]).round(4).tolist(),
  "observed_nan": int(np.isnan(a.layers["observed"]).sum()), "observed1": np.asarray(a.layers["observed"][1]).round(4).tolist(),
  "uns_model": str(a.uns["model"]),
}))`;
  const r = JSON.parse(execFileSync(py, ['-c', script], { encoding: 'utf8' }));
  assert.deepEqual(r.shape, [3, 3]);
  assert.deepEqual(r.obs_names, ['control', 'KLF1', 'CEBPA_KLF1']);
  assert.deepEqual(r.var_names, genes);
  assert.deepEqual(r.condition, ['ctrl', 'KLF1+ctrl', 'CEBPA+KLF1']);
  assert.deepEqual(r.n_genes, [0, 1, 2]);
  assert.deepEqual(r.split, ['control', 'test', 'predicted']);
  assert.deepEqual(r.X[2], [0.5, 4, 3]);
  assert.deepEqual(r.delta[1], [0.5, 0, -0.5]);
  assert.equal(r.observed_nan, 3);
  assert.deepEqual(r.observed1, [1.25, 2, 2.75]);
  assert.equal(r.uns_model, 'gears');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
