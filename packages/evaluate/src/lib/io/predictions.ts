/**
 * Reads model predictions written by `gears predict` (or any tool): a Parquet table in long form
 * with columns `condition` (GEARS name, `A+B`) or `perturbation` (scPerturb `A_B` / `control`, or a
 * GEARS name), `gene`, `predicted_mean`, and optionally `model` (default model name: `gears`) and
 * `model_version`. `predicted_delta` is not needed: deltas are recomputed against the dataset's
 * control mean.
 */
import { GearsInputError, SCPERTURB_SEPARATOR, canonicalCondition, readParquetColumns } from '@gears-pipeline/core';
import type { ModelPredictions } from '../types.ts';

export const DEFAULT_MODEL_NAME = 'gears';

export async function readPredictionsParquet(path: string, genes: readonly string[], defaultModel = DEFAULT_MODEL_NAME): Promise<ModelPredictions[]> {
  const all = await readParquetColumns(path);
  const condCol = all.condition ?? all.perturbation;
  const fromScperturb = !all.condition;
  if (!condCol) throw new GearsInputError({ file: path, field: 'perturbation', problem: 'column is missing (neither perturbation nor condition)', fix: 'write predictions with gears predict' });
  for (const f of ['gene', 'predicted_mean']) {
    if (!all[f]) throw new GearsInputError({ file: path, field: f, problem: 'column is missing', fix: 'write predictions with gears predict' });
  }
  const gpos = new Map(genes.map((g, i) => [g, i]));
  const byModel = new Map<string, Map<string, Float64Array>>();
  const filled = new Map<string, number>();
  const versions = new Map<string, string>();
  for (let k = 0; k < condCol.length; k++) {
    const model = all.model ? String(all.model[k]) : defaultModel;
    const label = String(condCol[k]);
    // scPerturb names join genes with `_`; GEARS names with `+`
    const condition = canonicalCondition(label, fromScperturb && !label.includes('+') ? { separator: SCPERTURB_SEPARATOR } : {});
    const gene = String(all.gene[k]);
    const g = gpos.get(gene);
    if (g === undefined) {
      throw new GearsInputError({ file: path, field: 'gene', problem: `row ${k} names gene ${gene}, which is not in the dataset`, fix: 'predict with the model trained on this dataset' });
    }
    const v = Number(all.predicted_mean[k]);
    if (!Number.isFinite(v)) throw new GearsInputError({ file: path, field: 'predicted_mean', problem: `row ${k} (${condition}, ${gene}) is not a finite number`, fix: 'rerun gears predict' });
    if (!byModel.has(model)) byModel.set(model, new Map());
    if (all.model_version && all.model_version[k] != null) versions.set(model, String(all.model_version[k]));
    const m = byModel.get(model)!;
    if (!m.has(condition)) m.set(condition, new Float64Array(genes.length).fill(NaN));
    m.get(condition)![g] = v;
    filled.set(`${model}|${condition}`, (filled.get(`${model}|${condition}`) ?? 0) + 1);
  }
  for (const [key, n] of filled) {
    if (n !== genes.length) {
      const [model, condition] = key.split('|');
      throw new GearsInputError({ file: path, field: 'gene', problem: `model ${model} condition ${condition} has ${n} gene rows, expected ${genes.length}`, fix: 'write one row per (condition, gene)' });
    }
  }
  return [...byModel].map(([model, mean]) => ({ model, genes: [...genes], mean, ...(versions.has(model) ? { version: versions.get(model) } : {}) }));
}
