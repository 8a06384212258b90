/**
 * The `train` and `predict` stages: read the dataset, split and graph directories of a workspace,
 * train / predict, write Parquet outputs and a manifest (stage caching: a train run whose inputs
 * and config match its manifest is skipped).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DATASET_FILES,
  GearsInputError,
  GearsUsageError,
  PACKAGE_VERSION,
  datasetHasCells,
  manifestIsCurrent,
  readDatasetStats,
  readManifest,
  readParquetColumns,
  sha256File,
  sha256Json,
  silentLogger,
  writeManifest,
  ParquetTableWriter,
  writeParquetTable,
  BI_ROW_GROUP_ROWS,
  PREDICTIONS_TABLE_COLUMNS,
  deterministicRunId,
  scperturbName,
  SCPERTURB_CONTROL,
  CONTROL,
  checkConditionLabel,
  type Logger,
  type StageManifest,
} from '@gears-pipeline/core';
import { readCellChunks, writePredictionsH5ad } from '@gears-pipeline/ingest';
import { BUNDLED_HUMAN_GENE_ALIASES, DEFAULT_WORKSPACE, GRAPH_FILES, SPLIT_FILE, readGeneGraph, readSplit } from '@gears-pipeline/graphs';
import { selectBackend } from './backend.ts';
import { CHECKPOINT_FILES, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { disposeModel } from './model.ts';
import { formsInUse } from './composition-auto.ts';
import { predictPerturbations, readGeneAliases } from './predict.ts';
import { DEFAULT_TRAIN_ARGS, resolveBatchSize, trainGears, type TrainArgs, type TrainInputs, type TrainResult } from './train.ts';

export const MODEL_FILES = { checkpoint: 'checkpoint', history: 'training_history.parquet', testMetrics: 'test_metrics.parquet' } as const;
export const PREDICTIONS_FILE = 'predictions.parquet';
export const PREDICTIONS_H5AD_FILE = 'predictions.h5ad';
/** `model` column of the predictions `gears predict` writes. */
export const PREDICT_MODEL_NAME = 'gears';

export interface RunTrainArgs extends Partial<TrainArgs> {
  /** workspace holding dataset/, split/, graphs/ (default gears-out) */
  workspace?: string;
  dataset?: string;
  /** split table (default <ws>/split/split.parquet) */
  split?: string;
  /** graphs directory (default <ws>/graphs) */
  graphs?: string;
  /** output directory (default <ws>/model) */
  outDir?: string;
  force?: boolean;
}

export interface RunTrainResult {
  outDir: string;
  checkpoint: string;
  skipped: boolean;
  result?: TrainResult;
  manifest: StageManifest;
}

interface TrainPaths {
  dataset: string;
  split: string;
  graphs: string;
  outDir: string;
}

function trainPaths(a: RunTrainArgs): TrainPaths {
  const ws = resolve(a.workspace ?? DEFAULT_WORKSPACE);
  return {
    dataset: resolve(a.dataset ?? join(ws, 'dataset')),
    split: resolve(a.split ?? join(ws, 'split', SPLIT_FILE)),
    graphs: resolve(a.graphs ?? join(ws, 'graphs')),
    outDir: resolve(a.outDir ?? join(ws, 'model')),
  };
}

/** Reads the training inputs of a workspace. */
export async function loadTrainInputs(p: Pick<TrainPaths, 'dataset' | 'split' | 'graphs'>): Promise<TrainInputs> {
  const stats = await readDatasetStats(p.dataset);
  const split = await readSplit(p.split);
  const vocabPath = join(p.graphs, GRAPH_FILES.vocabulary);
  const pertVocabulary = (await readParquetColumns(vocabPath, ['gene'])).gene.map(String);
  if (pertVocabulary.length === 0) throw new GearsInputError({ file: vocabPath, field: 'gene', problem: 'is empty', fix: 'rerun gears graphs' });
  const goGraph = await readGeneGraph(join(p.graphs, GRAPH_FILES.go), pertVocabulary);
  const coexpressionGraph = await readGeneGraph(join(p.graphs, GRAPH_FILES.coexpression), stats.genes.map((g) => g.gene));
  return { stats, split, goGraph, coexpressionGraph, pertVocabulary, cellChunks: () => readCellChunks(p.dataset) };
}

/** `gears train`: trains on a workspace and writes <out>/checkpoint, training_history.parquet, test_metrics.parquet, manifest.json. */
export async function runTrain(args: RunTrainArgs, log: Logger = silentLogger): Promise<RunTrainResult> {
  const t0 = Date.now();
  const paths = trainPaths(args);
  const { workspace: _w, dataset: _d, split: _s, graphs: _g, outDir: _o, force, ...train } = args;
  const defined = Object.fromEntries(Object.entries(train).filter(([, v]) => v !== undefined)) as Partial<TrainArgs>;
  const config: TrainArgs = { ...DEFAULT_TRAIN_ARGS, ...defined, model: { ...DEFAULT_TRAIN_ARGS.model, ...train.model } };
  config.batchSize = resolveBatchSize(config.objective, config.batchSize);
  const hashedConfig = { ...config, backend: undefined };
  const inputs: Record<string, string> = {
    stats: await sha256File(join(paths.dataset, DATASET_FILES.stats)),
    conditions: await sha256File(join(paths.dataset, DATASET_FILES.conditions)),
    split: await sha256File(paths.split),
    go: await sha256File(join(paths.graphs, GRAPH_FILES.go)),
    coexpression: await sha256File(join(paths.graphs, GRAPH_FILES.coexpression)),
    vocabulary: await sha256File(join(paths.graphs, GRAPH_FILES.vocabulary)),
  };
  if (config.objective === 'cells' && !datasetHasCells(paths.dataset)) {
    throw new GearsInputError({ file: paths.dataset, field: 'train.objective', problem: `objective cells trains on cells, and this dataset has no ${DATASET_FILES.cells} (a pseudobulk table: one profile per condition)`, fix: 'train with --objective moments (the default), which uses the per-condition means' });
  }
  if (config.objective === 'cells') inputs.cells = readManifest(paths.dataset)?.outputs[DATASET_FILES.cells]?.sha256 ?? (await sha256File(join(paths.dataset, DATASET_FILES.cells)));
  const checkpoint = join(paths.outDir, MODEL_FILES.checkpoint);
  if (!force && (await manifestIsCurrent(paths.outDir, inputs, hashedConfig))) {
    log.info('train.skipped', { reason: 'inputs and config unchanged', outDir: paths.outDir });
    return { outDir: paths.outDir, checkpoint, skipped: true, manifest: readManifest(paths.outDir)! };
  }
  const data = await loadTrainInputs(paths);
  // progress: epoch k/N, loss and ETA on a terminal, JSON lines otherwise (core logger); the
  // zero call starts the clock the ETA is measured from
  log.progress('train', 0, config.epochs, 'epochs');
  const result = await trainGears(config, data, log, {
    onEpoch: (rec, epochs) => log.progress('train', rec.epoch, epochs, 'epochs', { loss: rec.trainLoss, val_mse_de: rec.valMseDe }),
  });
  const h = result.history;
  // the checkpoint and the tables hold only what identical runs reproduce bit for bit (so the
  // stages after train do not rerun after an identical retrain); timings go to the manifest
  const summary = { forms: formsInUse(result.model.composition), bestEpoch: result.bestEpoch, epochs: h.length, backend: result.backend.active, testMseDe: result.test.length ? result.test.reduce((a, r) => a + r.mseDe, 0) / result.test.length : null };
  saveCheckpoint(result.model, checkpoint, { trainConfig: hashedConfig as unknown as Record<string, unknown>, inputHashes: inputs, summary });
  const historyRows = writeParquetTable(join(paths.outDir, MODEL_FILES.history), [
    { name: 'epoch', type: 'INT32' },
    { name: 'learning_rate', type: 'DOUBLE' },
    { name: 'train_loss', type: 'DOUBLE' },
    { name: 'steps', type: 'INT32' },
    { name: 'val_mse', type: 'DOUBLE' },
    { name: 'val_mse_de', type: 'DOUBLE' },
  ], {
    epoch: Int32Array.from(h, (r) => r.epoch),
    learning_rate: Float64Array.from(h, (r) => r.learningRate),
    train_loss: Float64Array.from(h, (r) => r.trainLoss),
    steps: Int32Array.from(h, (r) => r.steps),
    val_mse: Float64Array.from(h, (r) => r.valMse),
    val_mse_de: Float64Array.from(h, (r) => r.valMseDe),
  });
  const testRows = writeParquetTable(join(paths.outDir, MODEL_FILES.testMetrics), [
    { name: 'condition', type: 'STRING' },
    { name: 'mse', type: 'DOUBLE' },
    { name: 'mse_de', type: 'DOUBLE' },
  ], { condition: result.test.map((r) => r.condition), mse: Float64Array.from(result.test, (r) => r.mse), mse_de: Float64Array.from(result.test, (r) => r.mseDe) });
  const outputs: StageManifest['outputs'] = {};
  for (const [file, rows] of [[MODEL_FILES.history, historyRows], [MODEL_FILES.testMetrics, testRows]] as const) outputs[file] = { rows, sha256: await sha256File(join(paths.outDir, file)) };
  // every checkpoint file predict reads (graphs included) is hashed: a corrupted one is detected
  for (const f of Object.values(CHECKPOINT_FILES)) if (existsSync(join(checkpoint, f))) outputs[`${MODEL_FILES.checkpoint}/${f}`] = { sha256: await sha256File(join(checkpoint, f)) };
  const manifest: StageManifest = {
    stage: 'train',
    version: PACKAGE_VERSION,
    config: hashedConfig,
    inputs,
    outputs,
    startedAt: new Date(t0).toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: (Date.now() - t0) / 1000,
    backend: result.backend.active,
    notes: { ...summary, trainSeconds: result.seconds, epochSeconds: h.map((r) => r.seconds), conditions: { train: result.conditions.train.length, val: result.conditions.val.length, test: result.conditions.test.length, skipped: result.conditions.skipped } },
  };
  writeManifest(paths.outDir, manifest);
  disposeModel(result.model);
  return { outDir: paths.outDir, checkpoint, skipped: false, result, manifest };
}

export interface RunPredictArgs {
  workspace?: string;
  /** checkpoint directory (default <ws>/model/checkpoint) */
  checkpoint?: string;
  /** perturbation sets, e.g. [['FOXA1'], ['FOXA1', 'GATA3']] */
  perturbations?: string[][];
  /** a text file with one perturbation per line (genes joined by + , or spaces; # comments) */
  perturbationsFile?: string;
  /** output directory (default <ws>/predictions) */
  outDir?: string;
  backend?: TrainArgs['backend'];
  /** alias table for suggestions (default: the bundled human table) */
  aliases?: string;
}

export interface RunPredictResult {
  outDir: string;
  rows: number;
  perturbations: string[];
  manifest: StageManifest;
}

/** Parses perturbation sets from text: one per line, genes separated by `+`, `,`, `_` or whitespace. */
export function parsePerturbationList(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0 && l.toLowerCase() !== 'perturbation')
    .map((l) => l.split(/[+,\s_]+/).filter((g) => g.length > 0 && g !== 'ctrl'));
}

/** Refuses lines that would silently name another perturbation: an empty gene (`A++B`), a gene twice (`A+A`). */
function checkPerturbationList(text: string, file: string): void {
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line || line.toLowerCase() === 'perturbation') return;
    const sep = line.includes('+') ? '+' : line.includes(',') ? ',' : /\s/.test(line) ? ' ' : '+';
    const c = checkConditionLabel(sep === ' ' ? line.replace(/\s+/g, ' ') : line, { separator: sep, controlLabels: ['ctrl'] });
    if (c.error) throw new GearsInputError({ file, field: `line ${i + 1} "${line}"`, problem: c.error, fix: 'one perturbation per line, distinct genes joined by + (e.g. FOXA1+GATA3)' });
  });
}

/** `gears predict`: predicted mean expression and change per gene for each set → predictions.parquet (long format) + manifest. */
export async function runPredict(args: RunPredictArgs, log: Logger = silentLogger): Promise<RunPredictResult> {
  const t0 = Date.now();
  const ws = resolve(args.workspace ?? DEFAULT_WORKSPACE);
  const ckpt = resolve(args.checkpoint ?? join(ws, 'model', MODEL_FILES.checkpoint));
  const outDir = resolve(args.outDir ?? join(ws, 'predictions'));
  const sets: string[][] = [...(args.perturbations ?? [])];
  let source = 'command line';
  if (args.perturbationsFile) {
    if (!existsSync(args.perturbationsFile)) throw new GearsInputError({ file: args.perturbationsFile, field: '(file)', problem: 'does not exist', fix: 'give a text file with one perturbation per line, e.g. FOXA1+GATA3' });
    const text = readFileSync(args.perturbationsFile, 'utf8');
    checkPerturbationList(text, args.perturbationsFile);
    sets.push(...parsePerturbationList(text));
    source = args.perturbationsFile;
  }
  if (sets.length === 0) throw new GearsUsageError('no perturbations given: pass gene sets such as FOXA1 FOXA1+GATA3, or --file list.txt');
  const backend = await selectBackend(args.backend ?? 'auto', log);
  const { model, meta } = await loadCheckpoint(ckpt);
  if (meta.migrated) log.warn('checkpoint_migrated', { note: meta.migrated });
  try {
    const aliases = readGeneAliases(args.aliases ?? BUNDLED_HUMAN_GENE_ALIASES);
    const preds = predictPerturbations(model, sets, { aliases, source });
    const G = model.genes.length;
    const path = join(outDir, PREDICTIONS_FILE);
    // the shared predictions schema (core PREDICTIONS_TABLE_COLUMNS): observed columns are NULL
    // here; uncertainty models fill predicted_log_variance (reference uncertainty = exp(−logvar))
    const runId = deterministicRunId({ checkpoint: meta.weights.sha256, request: sets });
    const modelVersion = meta.weights.sha256.slice(0, 12);
    const w = new ParquetTableWriter(path, PREDICTIONS_TABLE_COLUMNS, { rowGroupRows: BI_ROW_GROUP_ROWS });
    try {
      const none = new Array(G).fill(null);
      for (const p of preds) {
        w.write({
          run_id: new Array(G).fill(runId),
          model: new Array(G).fill(PREDICT_MODEL_NAME),
          model_version: new Array(G).fill(modelVersion),
          condition: new Array(G).fill(p.perturbation),
          perturbation: new Array(G).fill(scperturbName(p.perturbation)),
          n_genes: new Int32Array(G).fill(p.genes.length),
          gene: model.genes,
          predicted_mean: Float64Array.from(p.predictedMean),
          predicted_delta: Float64Array.from(p.predictedDelta),
          predicted_log_variance: p.logVariance ? Float64Array.from(p.logVariance) : none,
          observed_mean: none,
          observed_delta: none,
          is_top20_de: none,
          split: none,
          subgroup: none,
        });
      }
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
    // the same predictions as AnnData (control row first; no observed layer: nothing is measured here)
    const h5adPath = join(outDir, PREDICTIONS_H5AD_FILE);
    const controlMean = Float64Array.from(preds[0].predictedMean, (v, g) => v - preds[0].predictedDelta[g]);
    const X = new Float32Array((preds.length + 1) * G);
    X.set(controlMean, 0);
    preds.forEach((p, r) => X.set(p.predictedMean, (r + 1) * G));
    await writePredictionsH5ad(h5adPath, {
      genes: model.genes,
      perturbation: [SCPERTURB_CONTROL, ...preds.map((p) => scperturbName(p.perturbation))],
      condition: [CONTROL, ...preds.map((p) => p.perturbation)],
      nGenes: [0, ...preds.map((p) => p.genes.length)],
      predictedMean: X,
      controlMean,
      uns: { model: PREDICT_MODEL_NAME, model_version: modelVersion, run_id: runId, control_label: SCPERTURB_CONTROL, perturbation_column: 'perturbation' },
    });
    const manifest: StageManifest = {
      stage: 'predict',
      version: PACKAGE_VERSION,
      config: { perturbations: preds.map((p) => p.perturbation) },
      inputs: { checkpoint: meta.weights.sha256, request: sha256Json(sets) },
      outputs: { [PREDICTIONS_FILE]: { rows: w.rowCount, sha256: await sha256File(path) }, [PREDICTIONS_H5AD_FILE]: { rows: preds.length + 1, sha256: await sha256File(h5adPath) } },
      startedAt: new Date(t0).toISOString(),
      finishedAt: new Date().toISOString(),
      seconds: (Date.now() - t0) / 1000,
      backend: backend.active,
      notes: { forms: formsInUse(model.composition) },
    };
    writeManifest(outDir, manifest);
    log.info('predict.done', { perturbations: preds.length, rows: w.rowCount, outDir });
    return { outDir, rows: w.rowCount, perturbations: preds.map((p) => p.perturbation), manifest };
  } finally {
    disposeModel(model);
  }
}
