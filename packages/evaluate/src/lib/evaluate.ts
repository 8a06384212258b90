/**
 * The evaluate stage as a pure function of plain data: statistics + split + model predictions
 * (+ baselines computed here) → metric rows, GI analysis. No files are touched.
 */
import { CONTROL, GearsInputError, conditionGenes, geneNames, row, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';
import { additiveBaseline, noChangeBaseline, trainingMeanBaseline } from './baselines/simple.ts';
import { linearBaseline } from './baselines/linear.ts';
import { aggregateMetrics } from './metrics/aggregate.ts';
import { conditionMetrics, type MetricContext } from './metrics/condition-metrics.ts';
import { metricContext, observedCondition } from './metrics/context.ts';
import { cellEvalConditionMetrics, discriminationScoresAll, DISCRIMINATION_DISTANCES } from './metrics/cell-eval.ts';
import type { CellValues } from './metrics/cell-values.ts';
import { analyseGeneticInteractions, type GiAnalysis } from './gi/analysis.ts';
import { BASELINE_VERSION, GI_CONDITION, type MetricRow, type ModelPredictions } from './types.ts';

/** Splits whose conditions are scored by default. */
export const DEFAULT_EVAL_SPLITS = ['test', 'val'] as const;
export const BASELINE_MODELS = ['no_change', 'training_mean', 'additive', 'linear'] as const;

export interface EvaluateArgs {
  stats: DatasetStats;
  split: readonly SplitAssignment[];
  /** predictions of the model(s) under evaluation (e.g. GEARS); may be empty */
  predictions: readonly ModelPredictions[];
  /** add the four baselines (default true) */
  baselines?: boolean;
  /** which splits to score (default test and val) */
  splits?: readonly string[];
  /** gene set for the GI δ vectors (GEARS' genes_with_hi_mean); all genes when absent */
  giGeneSet?: readonly string[];
  /** sorted per-cell values of each evaluated condition's DE genes (see metrics/cell-values.ts); enables frac_in_range* */
  cellValues?: CellValues;
  /** GI analysis computed beforehand (e.g. on worker threads by runEvaluate); computed here when absent */
  gi?: GiAnalysis;
}

export interface EvaluatedCondition {
  condition: string;
  split: string;
  subgroup: string;
}

export interface EvaluateResult {
  /** per-condition rows, aggregate rows (condition `__mean__`) and GI precision rows (`__gi__`) */
  metrics: MetricRow[];
  gi: GiAnalysis;
  /** every model scored, baselines included, predictions aligned to the dataset genes */
  predictions: ModelPredictions[];
  evaluated: EvaluatedCondition[];
  context: MetricContext;
  /** conditions a model had no prediction for */
  missing: { model: string; condition: string }[];
}

/** Computes the baselines on the split: no change, training mean, additive, linear. */
export function computeBaselines(stats: DatasetStats, split: readonly SplitAssignment[]): ModelPredictions[] {
  const input = { stats, split };
  return [noChangeBaseline(input), trainingMeanBaseline(input), additiveBaseline(input), linearBaseline(input)].map((p) => ({ ...p, version: BASELINE_VERSION }));
}

/** Reorders a model's predictions to the dataset gene order; fails clearly on a gene mismatch. */
export function alignPredictions(stats: DatasetStats, p: ModelPredictions, source = '(predictions)'): ModelPredictions {
  const names = geneNames(stats);
  if (p.genes.length === names.length && p.genes.every((g, i) => g === names[i])) return p;
  const pos = new Map(p.genes.map((g, i) => [g, i]));
  const missing = names.filter((g) => !pos.has(g));
  if (missing.length) {
    throw new GearsInputError({
      file: source,
      field: 'gene',
      problem: `model ${p.model} has no prediction for ${missing.length} dataset gene(s), e.g. ${missing.slice(0, 3).join(', ')}`,
      fix: 'predict with the model trained on this dataset (same genes.parquet)',
    });
  }
  const order = names.map((g) => pos.get(g)!);
  const mean = new Map<string, Float64Array>();
  for (const [c, v] of p.mean) mean.set(c, Float64Array.from(order, (i) => v[i]));
  return { ...p, genes: names, mean };
}

/** The non-control conditions of the scored splits that the statistics have. */
export function evaluatedConditions(stats: DatasetStats, split: readonly SplitAssignment[], splits: readonly string[] = DEFAULT_EVAL_SPLITS): EvaluatedCondition[] {
  const keep = new Set(splits);
  const names = new Set(stats.conditions.map((c) => c.name));
  return split
    .filter((s) => keep.has(s.split) && s.condition !== CONTROL && names.has(s.condition))
    .map((s) => ({ condition: s.condition, split: s.split, subgroup: s.subgroup }));
}

/** The evaluated two-gene combinations (GI analysis). */
export function giCombinations(evaluated: readonly EvaluatedCondition[]): string[] {
  return evaluated.filter((e) => conditionGenes(e.condition).length === 2).map((e) => e.condition);
}

/** The models to score: the given predictions aligned to the dataset genes, plus the baselines unless disabled. */
export function scoredModels(args: Pick<EvaluateArgs, 'stats' | 'split' | 'predictions' | 'baselines'>): ModelPredictions[] {
  return [
    ...args.predictions.map((p) => alignPredictions(args.stats, p)),
    ...(args.baselines === false ? [] : computeBaselines(args.stats, args.split)),
  ];
}

/** cell-eval's discrimination scores: each model's conditions ranked within their split. */
function discriminationRows(stats: DatasetStats, evaluated: readonly EvaluatedCondition[], models: readonly ModelPredictions[], control: Float64Array): MetricRow[] {
  const G = stats.genes.length;
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const geneIndex = new Map(stats.genes.map((g, i) => [g.gene, i]));
  const delta = (v: Float64Array) => {
    const d = new Float64Array(G);
    for (let g = 0; g < G; g++) d[g] = v[g] - control[g];
    return d;
  };
  const observedDelta = new Map(evaluated.map((e) => [e.condition, delta(row(stats.mean, ci.get(e.condition)!, G))]));
  const out: MetricRow[] = [];
  for (const m of models) {
    const predictedDelta = new Map<string, Float64Array>();
    for (const e of evaluated) {
      const p = m.mean.get(e.condition);
      if (p) predictedDelta.set(e.condition, delta(p));
    }
    for (const split of new Set(evaluated.map((e) => e.split))) {
      const inSplit = evaluated.filter((e) => e.split === split);
      const all = discriminationScoresAll(inSplit.map((e) => e.condition), predictedDelta, observedDelta, geneIndex);
      for (const kind of DISCRIMINATION_DISTANCES) {
        const scores = all[kind];
        for (const e of inSplit) {
          const v = scores.get(e.condition);
          if (v !== undefined) out.push({ condition: e.condition, split, subgroup: e.subgroup, model: m.model, metric: `discrimination_score_${kind}`, value: v, nConditions: 1 });
        }
      }
    }
  }
  return out;
}

export function evaluate(args: EvaluateArgs): EvaluateResult {
  const { stats, split } = args;
  const evalSplits = new Set(args.splits ?? DEFAULT_EVAL_SPLITS);
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const evaluated = evaluatedConditions(stats, split, args.splits);
  const models = scoredModels(args);
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.model)) throw new GearsInputError({ file: '(predictions)', field: 'model', problem: `model name ${m.model} is used twice`, fix: 'give each predictions set its own model name' });
    names.add(m.model);
  }
  const ctx = metricContext(stats, split);
  const rows: MetricRow[] = [];
  const missing: EvaluateResult['missing'] = [];
  for (const e of evaluated) {
    const obs = { ...observedCondition(stats, ci.get(e.condition)!), cellValues: args.cellValues?.get(e.condition) };
    for (const m of models) {
      const pred = m.mean.get(e.condition);
      if (!pred) {
        missing.push({ model: m.model, condition: e.condition });
        continue;
      }
      const values = { ...conditionMetrics(pred, obs, ctx), ...cellEvalConditionMetrics(pred, obs, ctx) };
      for (const [metric, value] of Object.entries(values)) {
        rows.push({ condition: e.condition, split: e.split, subgroup: e.subgroup, model: m.model, metric, value, nConditions: 1 });
      }
    }
  }
  rows.push(...discriminationRows(stats, evaluated, models, ctx.control));
  const gi = args.gi ?? analyseGeneticInteractions({ stats, combinations: giCombinations(evaluated), predictions: models, geneSet: args.giGeneSet });
  const giRows: MetricRow[] = gi.precision.map((p) => ({
    condition: GI_CONDITION,
    split: [...evalSplits].join('+'),
    subgroup: 'combinations',
    model: p.model,
    metric: `precision_at_k_${p.type}`,
    value: p.precision,
    nConditions: p.k,
  }));
  return { metrics: [...rows, ...aggregateMetrics(rows), ...giRows], gi, predictions: models, evaluated, context: ctx, missing };
}
