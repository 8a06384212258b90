/**
 * Writes predicted (and observed) mean expression per perturbation as an AnnData `.h5ad` that
 * scanpy, pertpy and cell-eval open as they are: obs = one row per perturbation (control first),
 * var = genes, X = predicted mean (dense float32), layers `delta` (X − control mean) and, where the
 * perturbation was measured, `observed` (NaN rows where it was not). Column names follow scPerturb
 * / cell-eval (`perturbation`, control label `control`) beside GEARS's `condition` names. Built
 * on the simulator's anndata ≥ 0.8 encoders (simulate/h5ad-writer.ts); atomic (temporary name).
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import h5wasm from 'h5wasm/node';
import { temporaryPath } from '@gears-pipeline/core';
import { ANNDATA, ARRAY, DICT, setAttrs, writeStrings } from '../simulate/h5ad-writer.ts';

export interface PredictionsH5adSpec {
  genes: readonly string[];
  /** obs rows, in order; `perturbation` (scPerturb name) is also the obs index */
  perturbation: readonly string[];
  /** GEARS condition names (`A+ctrl`, `A+B`, `ctrl`) */
  condition: readonly string[];
  /** perturbed genes per row (0 for control) */
  nGenes: ArrayLike<number>;
  /** extra string obs columns, e.g. split, subgroup, model */
  categories?: Record<string, readonly string[]>;
  /** rows × genes, row-major */
  predictedMean: Float32Array;
  /** control mean per gene (for the delta layer) */
  controlMean: ArrayLike<number>;
  /** rows × genes observed means, NaN for rows not measured; omitted when nothing was observed */
  observedMean?: Float32Array;
  /** free-form notes stored in uns (strings) */
  uns?: Record<string, string>;
}

function writeDataframe(file: InstanceType<typeof h5wasm.File>, name: string, index: readonly string[], strings: Record<string, readonly string[]>, categories: Record<string, readonly string[]>, ints: Record<string, ArrayLike<number>>): void {
  const g = file.create_group(name);
  setAttrs(g, { 'encoding-type': 'dataframe', 'encoding-version': '0.2.0', _index: '_index' });
  const order = [...Object.keys(strings), ...Object.keys(categories), ...Object.keys(ints)];
  g.create_attribute('column-order', order.length ? order : []);
  writeStrings(g, '_index', [...index]);
  for (const [k, v] of Object.entries(strings)) writeStrings(g, k, [...v]);
  // plain string columns, not pandas categoricals: anndata 0.8 (Debian's) rejects the integer
  // `ordered` attribute h5wasm can write (it wants an HDF5 enum bool)
  for (const [k, v] of Object.entries(categories)) writeStrings(g, k, [...v]);
  for (const [k, v] of Object.entries(ints)) {
    const ds = g.create_dataset({ name: k, data: Int32Array.from(v as ArrayLike<number>) });
    setAttrs(ds, ARRAY);
  }
}

function dense(group: InstanceType<typeof h5wasm.Group> | InstanceType<typeof h5wasm.File>, name: string, data: Float32Array, rows: number, cols: number): void {
  const ds = group.create_dataset({ name, data, shape: [rows, cols], dtype: '<f' });
  setAttrs(ds, ARRAY);
}

/** Writes the AnnData file atomically; returns the number of obs rows. */
export async function writePredictionsH5ad(path: string, s: PredictionsH5adSpec): Promise<number> {
  await h5wasm.ready;
  const n = s.perturbation.length;
  const G = s.genes.length;
  if (s.predictedMean.length !== n * G) throw new Error(`predictions h5ad: X has ${s.predictedMean.length} values, expected ${n} × ${G}`);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = temporaryPath(path);
  const file = new h5wasm.File(tmp, 'w');
  try {
    setAttrs(file, ANNDATA);
    dense(file, 'X', s.predictedMean, n, G);
    writeDataframe(file, 'obs', s.perturbation, { perturbation: s.perturbation, condition: s.condition }, s.categories ?? {}, { n_genes: s.nGenes });
    writeDataframe(file, 'var', s.genes, { gene_name: s.genes }, {}, {});
    const layers = file.create_group('layers');
    setAttrs(layers, DICT);
    const delta = new Float32Array(n * G);
    for (let r = 0; r < n; r++) for (let g = 0; g < G; g++) delta[r * G + g] = s.predictedMean[r * G + g] - s.controlMean[g];
    dense(layers, 'delta', delta, n, G);
    if (s.observedMean) dense(layers, 'observed', s.observedMean, n, G);
    const uns = file.create_group('uns');
    setAttrs(uns, DICT);
    for (const [k, v] of Object.entries(s.uns ?? {})) {
      const ds = uns.create_dataset({ name: k, data: v });
      setAttrs(ds, { 'encoding-type': 'string', 'encoding-version': '0.2.0' });
    }
    for (const name of ['obsm', 'obsp', 'varm', 'varp']) setAttrs(file.create_group(name), DICT);
    file.close();
    renameSync(tmp, path);
  } catch (e) {
    try {
      file.close();
    } catch {
      // already closed
    }
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    throw e;
  }
  return n;
}
