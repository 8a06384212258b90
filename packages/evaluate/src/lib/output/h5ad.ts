/**
 * `predictions.h5ad` of the evaluate stage: the predictions of the model under evaluation (the
 * first one that is not a baseline) as AnnData, with the observed means beside them. obs rows:
 * the control first (perturbation `control`, X = observed control mean), then every predicted
 * perturbation in name order, with `perturbation` (scPerturb; cell-eval's `--pert-col
 * perturbation --control-pert control`), `condition` (GEARS), `n_genes`, `split`, `subgroup`.
 */
import { CONTROL, conditionGenes, row, scperturbName, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';
import { writePredictionsH5ad } from '@gears-pipeline/ingest';
import { BASELINE_MODELS } from '../evaluate.ts';
import type { ModelPredictions } from '../types.ts';

export const PREDICTIONS_H5AD_FILE = 'predictions.h5ad';
/** `split` of perturbations outside the split (e.g. extra `gears predict` queries). */
export const UNSPLIT = 'none';

/** The model whose predictions go into predictions.h5ad: the first that is not a baseline. */
export function primaryModel(predictions: readonly ModelPredictions[]): ModelPredictions | undefined {
  return predictions.find((p) => !(BASELINE_MODELS as readonly string[]).includes(p.model));
}

/** Writes predictions.h5ad; returns its obs rows (0 and no file when there is no model to write). */
export async function writeEvaluationH5ad(path: string, stats: DatasetStats, split: readonly SplitAssignment[], predictions: readonly ModelPredictions[]): Promise<number> {
  const model = primaryModel(predictions);
  if (!model) return 0;
  const G = stats.genes.length;
  const control = row(stats.mean, stats.controlIndex, G);
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const where = new Map(split.map((s) => [s.condition, s]));
  const conditions = [CONTROL, ...[...model.mean.keys()].filter((c) => c !== CONTROL).sort()];
  const n = conditions.length;
  const X = new Float32Array(n * G);
  const observed = new Float32Array(n * G).fill(NaN);
  conditions.forEach((c, r) => {
    X.set(c === CONTROL ? control : model.mean.get(c)!, r * G);
    const i = ci.get(c);
    if (i !== undefined) observed.set(row(stats.mean, i, G), r * G);
  });
  return writePredictionsH5ad(path, {
    genes: stats.genes.map((g) => g.gene),
    perturbation: conditions.map(scperturbName),
    condition: conditions,
    nGenes: conditions.map((c) => conditionGenes(c).length),
    categories: {
      split: conditions.map((c) => (c === CONTROL ? 'control' : (where.get(c)?.split ?? UNSPLIT))),
      subgroup: conditions.map((c) => where.get(c)?.subgroup ?? ''),
    },
    predictedMean: X,
    controlMean: control,
    observedMean: observed,
    uns: { model: model.model, model_version: model.version ?? 'unversioned', control_label: 'control', perturbation_column: 'perturbation' },
  });
}
