/**
 * @gears-pipeline/evaluate — GEARS metrics on exact means, honest baselines, genetic-interaction
 * scores, Parquet outputs and a self-contained HTML report.
 */
export type { ModelPredictions, MetricRow } from './lib/types.ts';
export { AGGREGATE_CONDITION, OVERALL_SUBGROUP, GI_CONDITION, SUBGROUPS } from './lib/types.ts';
export { evaluate, computeBaselines, alignPredictions, scoredModels, evaluatedConditions, giCombinations, DEFAULT_EVAL_SPLITS, BASELINE_MODELS } from './lib/evaluate.ts';
export type { EvaluateArgs, EvaluateResult, EvaluatedCondition } from './lib/evaluate.ts';
export { runEvaluate, REPORT_FILE } from './lib/run-evaluate.ts';
export type { RunEvaluateArgs, RunEvaluateResult } from './lib/run-evaluate.ts';
export { conditionMetrics } from './lib/metrics/condition-metrics.ts';
export { pearson, pearsonOrZero, mse } from './lib/metrics/vector.ts';
export type { MetricContext, ObservedCondition } from './lib/metrics/condition-metrics.ts';
export { metricContext, observedCondition } from './lib/metrics/context.ts';
export { aggregateMetrics } from './lib/metrics/aggregate.ts';
export { noChangeBaseline, trainingMeanBaseline, additiveBaseline } from './lib/baselines/simple.ts';
export { linearBaseline, LINEAR_PCA_DIM, LINEAR_RIDGE } from './lib/baselines/linear.ts';
export { giScores, GI_SCORE_NAMES } from './lib/gi/scores.ts';
export type { GiScores } from './lib/gi/scores.ts';
export { theilSen2 } from './lib/gi/theil-sen.ts';
export { distanceCorrelation } from './lib/gi/dcor.ts';
export { GI_TYPES, giTypeCalls, precisionAtK, PRECISION_K } from './lib/gi/types.ts';
export { analyseGeneticInteractions, planGeneticInteractions, assembleGeneticInteractions, OBSERVED_MODEL } from './lib/gi/analysis.ts';
export { analyseGeneticInteractionsParallel, defaultGiThreads } from './lib/gi/parallel.ts';
export type { CellValues } from './lib/metrics/cell-values.ts';
export { cellValueNeeds, collectCellValues } from './lib/metrics/cell-values.ts';
export type { GiAnalysis, GiRow, GiPrecisionRow } from './lib/gi/analysis.ts';
export { writeEvaluationTables, PREDICTIONS_COLUMNS, METRICS_COLUMNS, GI_COLUMNS } from './lib/output/tables.ts';
export { buildReport } from './lib/report/html.ts';
export { readSplit } from './lib/io/split.ts';
export { readPredictionsParquet, DEFAULT_MODEL_NAME } from './lib/io/predictions.ts';
export { METRICS_SUMMARY_COLUMNS, GI_PRECISION_COLUMNS, OUTPUT_TABLES } from './lib/output/tables.ts';
export { outputsGuide, OUTPUTS_GUIDE_FILE, EVALUATE_TABLE_DOCS } from './lib/output/guide.ts';
export { BASELINE_VERSION } from './lib/types.ts';
export { writeEvaluationH5ad, PREDICTIONS_H5AD_FILE } from './lib/output/h5ad.ts';
export { predictedGeneticInteractions, PREDICTED_GI_FILE, type PredictedGiRow, type PredictedGiArgs } from './lib/gi/predicted.ts';
export { wilcoxonSignedRank, EXACT_MAX_N, type WilcoxonResult } from './lib/metrics/wilcoxon.ts';
