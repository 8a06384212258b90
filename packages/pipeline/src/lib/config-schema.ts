/**
 * The pipeline configuration: one table of fields, each with a type, a default, a description
 * and a CLI flag (`--<section>.<field>`). `gears init` writes it as a commented JSON file; `gears
 * run --config` reads it back, and flags override it.
 *
 * Defaults equal the stage packages' own (config-schema.test.ts checks it), but are written out
 * here so that reading a config does not load TensorFlow.js.
 */
/** the bundled default h5ad holds Norman 2019 and McFaline-Figueroa 2023 cells; the default run keeps Norman's */
export const DEFAULT_INPUT = 'data/norman2019-devel/devel.h5ad';
export const DEFAULT_INPUT_OBS_FILTER = ['dataset=norman19'];

const T = {
  epochs: 20,
  batchSize: 0,
  minStepsPerEpoch: 50,
  model: { hiddenSize: 64 },
  learningRate: 1e-3,
  weightDecay: 5e-4,
  lrGamma: 0.5,
  patience: 5,
  directionLoss: 'reference',
  directionLambda: 0.1,
  seed: 1,
  composition: 'auto',
};

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'string[]' | 'enum';

export interface ConfigField {
  section: string;
  key: string;
  type: FieldType;
  default: unknown;
  doc: string;
  values?: readonly string[];
  min?: number;
  max?: number;
}

const f = (section: string, key: string, type: FieldType, def: unknown, doc: string, extra: Partial<ConfigField> = {}): ConfigField => ({
  section,
  key,
  type,
  default: def,
  doc,
  ...extra,
});

export const CONFIG_FIELDS: readonly ConfigField[] = [
  f('run', 'out', 'string', 'gears-out', 'output directory; one sub-directory per stage'),
  f('run', 'stages', 'string[]', ['ingest', 'split', 'graphs', 'train', 'predict', 'evaluate'], 'stages to run, in pipeline order'),
  f('ingest', 'input', 'string', DEFAULT_INPUT, 'cells: .h5ad file, 10x directory (matrix.mtx[.gz], features, barcodes) or cells .parquet; or a pseudobulk table (.tsv/.csv[.gz]/.parquet, one row per condition, e.g. data/norman2019-pseudobulk/lfc.tsv.gz)'),
  f('ingest', 'format', 'enum', 'auto', 'input format (auto: from the extension; a .parquet file without cell list columns is a pseudobulk table)', { values: ['auto', 'h5ad', 'mtx', 'parquet', 'pseudobulk'] }),
  f('ingest', 'pseudobulkKind', 'enum', 'auto', 'pseudobulk tables: lfc (change vs control; a ctrl row of zeros is synthesised), mean (needs a ctrl row), auto (mean when a ctrl row holds non-zero values, else lfc)', { values: ['auto', 'lfc', 'mean'] }),
  f('ingest', 'cellMetadata', 'string', '', '10x input: table (TSV/CSV/Parquet) naming each barcode\'s perturbation'),
  f('ingest', 'conditionColumn', 'string', '', 'obs / metadata column holding the perturbation of each cell (empty: condition, then perturbation, then gears_condition)'),
  f('ingest', 'controlLabels', 'string[]', ['ctrl', 'control', 'non-targeting', 'NT'], 'labels that mean control cells'),
  f('ingest', 'separator', 'string', '+', 'separator between genes in a combination label (e.g. _ for A_B)'),
  f('ingest', 'obsFilter', 'string[]', [], `keep only cells whose obs column equals a value (key=value; repeatable: values of one key are alternatives, different keys must all match); empty: none, except for the bundled default input, whose file mixes two screens and gets ${DEFAULT_INPUT_OBS_FILTER.join(', ')}`),
  f('ingest', 'normalize', 'enum', 'auto', 'auto: raw counts are normalised to 1e4 per cell + log1p, log data kept', { values: ['auto', 'counts', 'none'] }),
  f('ingest', 'layer', 'string', '', 'h5ad input: read layers/<name> instead of X (e.g. counts); empty: X'),
  f('ingest', 'useRaw', 'boolean', false, 'h5ad input: read raw/X and raw/var (adata.raw) instead of X and var'),
  f('ingest', 'hvg', 'integer', 0, 'keep the top-N highly variable genes (plus measured perturbed genes); 0 keeps all', { min: 0 }),
  f('ingest', 'engine', 'enum', 'builtin', 'what computes the statistics: builtin (streaming, any input) or duckdb (Parquet cells input; runs packages/ingest/sql/condition_gene_stats.sql; optional package @duckdb/node-api)', { values: ['builtin', 'duckdb'] }),
  f('ingest', 'minCells', 'integer', 0, 'drop conditions with fewer cells (0: keep all; a single-cell condition is an error)', { min: 0 }),
  f('ingest', 'pseudobulkDuplicates', 'enum', 'average', 'pseudobulk tables: rows naming the same condition are averaged (n_cells summed) or refused (error)', { values: ['average', 'error'] }),
  f('ingest', 'mtxSortMb', 'integer', 512, '10x input: memory (MiB) for putting an MTX not sorted by cell in cell order; above it, an external sort in temporary files', { min: 1 }),
  f('split', 'type', 'enum', 'simulation', 'GEARS split', { values: ['simulation', 'simulation_single', 'combo_seen0', 'combo_seen1', 'combo_seen2', 'single', 'no_test', 'no_split', 'custom'] }),
  f('split', 'seed', 'integer', 1, 'split seed (NumPy legacy RNG compatible: same seed, same split as the reference)'),
  f('split', 'trainGeneSetSize', 'number', 0.75, 'fraction of perturbed genes seen in training', { min: 0, max: 1 }),
  f('split', 'comboSeen2TrainFrac', 'number', 0.75, 'fraction of combos with both genes seen that go to training', { min: 0, max: 1 }),
  f('split', 'file', 'string', '', 'custom split: JSON {train,val,test} or split.parquet'),
  f('graphs', 'goTable', 'string', 'data/go/human_gene2go.tsv.gz', 'gene → GO term table (TSV symbol + GO id, or GAF)'),
  f('graphs', 'ontologies', 'string[]', ['BP', 'CC', 'MF'], 'GO ontologies to use'),
  f('graphs', 'goTopK', 'integer', 20, 'GO graph: strongest incoming neighbours per gene (plus itself)', { min: 1 }),
  f('graphs', 'coexpressionTopK', 'integer', 20, 'co-expression graph: neighbours per gene (plus itself)', { min: 1 }),
  f('graphs', 'coexpressionThreshold', 'number', 0.4, 'co-expression graph: minimum |Pearson r|', { min: 0, max: 1 }),
  f('train', 'objective', 'enum', 'moments', 'moments: exact expected GEARS loss from statistics; cells: reference per-cell loss', { values: ['moments', 'cells'] }),
  f('train', 'epochs', 'integer', T.epochs, 'maximum epochs', { min: 1 }),
  f('train', 'batchSize', 'integer', T.batchSize, 'conditions per step (moments) or cells per step (cells); 0: the objective\'s default, 4 conditions (moments) or 32 cells (cells)', { min: 0 }),
  f('train', 'minStepsPerEpoch', 'integer', T.minStepsPerEpoch, 'moments: repeat passes over the training conditions until an epoch has this many optimiser steps (StepLR halves the rate every epoch)', { min: 0 }),
  f('train', 'hiddenSize', 'integer', T.model.hiddenSize, 'hidden size H', { min: 2 }),
  f('train', 'lr', 'number', T.learningRate, 'Adam learning rate', { min: 0 }),
  f('train', 'weightDecay', 'number', T.weightDecay, 'L2 weight decay added to the gradient', { min: 0 }),
  f('train', 'lrDecay', 'number', T.lrGamma, 'StepLR gamma per epoch', { min: 0, max: 1 }),
  f('train', 'patience', 'integer', T.patience, 'early stop after this many epochs without a better validation top-20 DE MSE', { min: 1 }),
  f('train', 'direction', 'enum', T.directionLoss, 'direction term: reference (sign, no gradient) or tanh (differentiable)', { values: ['reference', 'tanh'] }),
  f('train', 'directionLambda', 'number', T.directionLambda, 'weight of the direction term', { min: 0 }),
  f('train', 'goLayers', 'integer', 1, 'SGConv layers over the GO graph', { min: 1 }),
  f('train', 'coexpressionLayers', 'integer', 1, 'SGConv layers over the co-expression graph', { min: 1 }),
  f('train', 'uncertainty', 'boolean', false, 'add the log-variance (uncertainty) head'),
  f('train', 'composition', 'enum', T.composition, 'which forms predict: network (reference GEARS), singles (combinations as the sum of single-gene effects with per-gene weights fitted on training combinations, plus the network interaction; unseen genes from the unseen-single form chosen on validation) or auto (the unseen-single form and, per kind of combination, network, singles or singles plus per-gene combination residuals learned from the training combinations, chosen on validation; docs/experiments.md)', { values: ['network', 'singles', 'auto'] }),
  f('train', 'seed', 'integer', T.seed, 'training seed'),
  f('train', 'backend', 'enum', 'auto', 'compute backend: auto (fastest available), tensorflow-gpu, tensorflow (tfjs-node), onnxruntime (onnxruntime-node for the per-condition block + tfjs wasm), wasm, cpu', { values: ['auto', 'tensorflow-gpu', 'tensorflow', 'onnxruntime', 'wasm', 'cpu'] }),
  f('predict', 'perturbations', 'string[]', [], 'extra perturbation sets to predict, e.g. "KLF1+CEBPA" (the test conditions are always predicted)'),
  f('evaluate', 'partitionByModel', 'boolean', false, 'write Hive-style <table>/model=<name>/ directories for distributed SQL engines'),
  f('evaluate', 'giGenes', 'string', '', 'restrict GI scores to the genes listed in this file (one per line); empty: all genes'),
];

export type GearsConfig = Record<string, Record<string, unknown>>;

export function defaultConfig(): GearsConfig {
  const c: GearsConfig = {};
  for (const fl of CONFIG_FIELDS) (c[fl.section] ??= {})[fl.key] = structuredClone(fl.default);
  return c;
}
