/**
 * The generated `gears-out/README.md`: what every output table holds, column by column, so an
 * analyst who opens the run directory in DuckDB or a BI tool needs no other document. The
 * evaluate tables are documented from their column specs (a column without a description is a
 * programming error, caught by the tests); the other stages' tables from the lists below.
 */
import { PREDICTIONS_TABLE_COLUMNS, PREDICTIONS_TABLE_DOC, type ParquetColumnSpec } from '@gears-pipeline/core';
import { GI_TYPES } from '../gi/types.ts';
import { GI_COLUMNS, GI_PRECISION_COLUMNS, GI_TYPE_COLUMN, METRICS_COLUMNS, METRICS_SUMMARY_COLUMNS } from './tables.ts';

export const OUTPUTS_GUIDE_FILE = 'README.md';

const IDENTITY_DOC: Record<string, string> = {
  run_id: PREDICTIONS_TABLE_DOC.run_id,
  model: 'model name: gears, a baseline (no_change, training_mean, additive, linear), or observed (GI scores of the measured data)',
  model_version: PREDICTIONS_TABLE_DOC.model_version,
};

const GI_SCORE_DOC: Record<string, string> = {
  c1: 'Theil–Sen coefficient of the first single\'s change in δAB ≈ c1·δA + c2·δB (no intercept)',
  c2: 'coefficient of the second single\'s change',
  mag: 'magnitude √(c1² + c2²): > 1 synergy, < 1 suppression',
  dominance: '|log10(c1/c2)|; NULL when c1/c2 < 0',
  corr_fit: 'Pearson correlation of c1·δA + c2·δB with δAB (low: neomorphic)',
  dcor: 'distance correlation of [δA δB] with δAB',
  dcor_singles: 'distance correlation of δA with δB (high: redundant)',
  dcor_first: 'distance correlation of δA with δAB',
  dcor_second: 'distance correlation of δB with δAB',
  eq_contr: 'min(dcor_first, dcor_second) / max(…) (equality of contribution; low: epistasis)',
};

const GI_TYPE_DOC: Record<string, string> = {
  synergy: 'mag > 1',
  suppressor: 'mag < 1',
  neomorphic: 'corr_fit < 0.85',
  redundant: 'dcor > 0.8',
  epistasis: 'dominance > 0.25',
  additive: '|mag − 1| ≤ 0.3',
};

/** Column descriptions of the evaluate tables. */
export const EVALUATE_TABLE_DOCS: Record<string, { file: string; about: string; columns: ParquetColumnSpec[]; doc: Record<string, string> }> = {
  predictions: {
    file: 'evaluate/predictions.parquet',
    about: 'predicted beside observed expression per model × evaluated perturbation × gene (the same schema as predictions/predictions.parquet, which holds every perturbation asked for, observed columns NULL)',
    columns: PREDICTIONS_TABLE_COLUMNS,
    doc: PREDICTIONS_TABLE_DOC,
  },
  metrics: {
    file: 'evaluate/metrics.parquet',
    about: 'one value per model × evaluated perturbation × metric; per condition only, so `avg(value) … group by model, metric` is the mean over conditions (the metrics are described in packages/evaluate/README.md)',
    columns: METRICS_COLUMNS,
    doc: {
      ...IDENTITY_DOC,
      condition: PREDICTIONS_TABLE_DOC.condition,
      perturbation: PREDICTIONS_TABLE_DOC.perturbation,
      split: 'train / val / test',
      subgroup: 'unseen_single, combo_seen0/1/2 (GEARS simulation split)',
      metric: 'metric name, e.g. pearson_delta, mse_de (GEARS) or cell-eval\'s names',
      value: 'the metric\'s value; NULL where it is undefined (e.g. a correlation over constant vectors)',
    },
  },
  metrics_summary: {
    file: 'evaluate/metrics_summary.parquet',
    about: 'unweighted means over conditions per model × split × subgroup × metric (subgroup `overall` = every condition of the split), as the GEARS paper reports',
    columns: METRICS_SUMMARY_COLUMNS,
    doc: {
      ...IDENTITY_DOC,
      split: 'train / val / test',
      subgroup: 'unseen_single, combo_seen0/1/2, or overall',
      metric: 'metric name (as in metrics.parquet)',
      value: 'mean over the conditions where the metric is defined; NULL when there are none',
      n_conditions: 'number of conditions behind the mean (0 for an empty subgroup)',
    },
  },
  gi: {
    file: 'evaluate/gi.parquet',
    about: 'genetic-interaction scores of each evaluated two-gene combination, from the observed data (model observed) and from each model\'s own predictions of the two singles and the combination',
    columns: GI_COLUMNS,
    doc: {
      ...IDENTITY_DOC,
      combination: 'GEARS name of the combination, A+B',
      perturbation: 'scPerturb-style name, A_B',
      ...GI_SCORE_DOC,
      ...Object.fromEntries(GI_TYPES.map((t) => [GI_TYPE_COLUMN(t.type), `called ${t.type}: ${GI_TYPE_DOC[t.type] ?? 'see packages/evaluate/README.md'}; NULL when the fit failed`])),
      n_gi_genes: 'genes the change vectors δ were restricted to (--gi-genes, else every gene)',
    },
  },
  gi_precision: {
    file: 'evaluate/gi_precision.parquet',
    about: 'precision@k of each model\'s GI ranking per GI type against the observed calls; meaningful only when k is smaller than the number of combinations',
    columns: GI_PRECISION_COLUMNS,
    doc: {
      ...IDENTITY_DOC,
      split: 'the splits whose combinations were ranked, e.g. test+val',
      gi_type: GI_TYPES.map((t) => t.type).join(', '),
      k: 'number of top-ranked combinations checked: min(10, n_combinations)',
      n_true: 'combinations the observed scores call this type (stricter rule)',
      n_combinations: 'combinations scored both observed and by the model',
      precision: 'share of the k top-ranked combinations that are truly of this type; NULL when there are none',
    },
  },
};

/** Tables of the stages before evaluate (documented by their packages; summarised here). */
const OTHER_TABLES: [string, string][] = [
  ['dataset/genes.parquet', 'gene_index, gene, gene_id, mean, dispersion_norm, highly_variable, is_perturbed'],
  ['dataset/conditions.parquet', 'condition, genes (list), n_genes, n_cells, is_control'],
  ['dataset/condition_gene_stats.parquet', 'condition, gene, gene_index, n, mean, m2, m3, m4 (sums of central powers), nonzero, t (Welch vs ctrl), de_rank'],
  ['dataset/cells.parquet', 'cell_id, condition, library_size, gene_index (list), value (list); absent for pseudobulk input'],
  ['split/split.parquet', 'condition, split (train/val/test), subgroup'],
  ['graphs/go_edges.parquet, graphs/coexpression_edges.parquet', 'source, target, weight'],
  ['model/training_history.parquet', 'epoch, learning_rate, train_loss, steps, val_mse, val_mse_de, seconds'],
  ['model/test_metrics.parquet', 'condition, mse, mse_de'],
  ['predictions/predictions.parquet', 'the predictions schema below, one row per perturbation asked for × gene (model gears, observed columns NULL)'],
  ['predictions/predictions.h5ad', 'AnnData of the same predictions: obs = perturbation, var = genes, X = predicted mean, layers delta (and observed where known)'],
];

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** Markdown text of gears-out/README.md. */
export function outputsGuide(): string {
  const out: string[] = [
    '# gears-pipeline outputs',
    '',
    'Generated by `gears run` / `gears evaluate`; every table is Parquet (open it with DuckDB: `select * from \'evaluate/metrics.parquet\'`).',
    'Undefined values are NULL (never NaN); strings are dictionary-encoded; row groups hold up to 100,000 rows.',
    'Condition names: `condition` uses GEARS\'s convention (`A+ctrl`, `A+B`, `ctrl`), `perturbation` scPerturb\'s (`A`, `A_B`, `control`).',
    'Join predictions to metrics on (run_id, model, condition).',
    '',
    '## Stage tables',
    '',
    '| file | columns |',
    '|---|---|',
    ...OTHER_TABLES.map(([f, c]) => `| \`${f}\` | ${cell(c)} |`),
    '',
  ];
  for (const [name, t] of Object.entries(EVALUATE_TABLE_DOCS)) {
    out.push(`## ${name}: \`${t.file}\``, '', t.about, '', '| column | type | meaning |', '|---|---|---|');
    for (const c of t.columns) {
      const doc = t.doc[c.name];
      if (!doc) throw new Error(`outputs guide: column ${name}.${c.name} has no description`);
      out.push(`| \`${c.name}\` | ${c.type.toLowerCase()}${c.nullable ? ', nullable' : ''} | ${cell(doc)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
