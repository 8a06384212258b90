/**
 * One definition per stage, built from the stage package's own arguments. `gears run` (from the
 * config) and `gears <stage>` (from its flags) both build their stage here, so both compute the
 * same rerun key and write the same `pipeline-key.json`. A key's settings are the arguments with
 * the package defaults filled in and locations left out; what the stage reads goes into its
 * inputs by role (hashed by content, see stage-cache.ts).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { DEFAULT_CONTROL_LABELS, conditionGenes, writeFileAtomic } from '@gears-pipeline/core';
import { DEFAULT_CHUNK_SIZE, runIngest, type IngestArgs } from '@gears-pipeline/ingest';
import {
  BUNDLED_HUMAN_GENE2GO,
  BUNDLED_HUMAN_GENE_ALIASES,
  DEFAULT_COEXPRESSION_THRESHOLD,
  DEFAULT_COEXPRESSION_TOP_K,
  DEFAULT_GO_THRESHOLD,
  DEFAULT_GO_TOP_K,
  DEFAULT_WORKSPACE,
  ONTOLOGIES,
  SPLIT_FILE,
  readSplit,
  runGraphs,
  runSplit,
  type GraphsArgs,
  type SplitArgs,
} from '@gears-pipeline/graphs';
import { DEFAULT_TRAIN_ARGS, MODEL_FILES, runPredict, runTrain, type RunPredictArgs, type RunTrainArgs } from '@gears-pipeline/model';
import { OUTPUTS_GUIDE_FILE, outputsGuide, runEvaluate, type RunEvaluateArgs } from '@gears-pipeline/evaluate';
import type { StageDefinition } from './orchestrator.ts';

/** Where each stage writes inside a run directory. */
export const STAGE_DIRS = {
  ingest: 'dataset',
  split: 'split',
  graphs: 'graphs',
  train: 'model',
  predict: 'predictions',
  evaluate: 'evaluate',
} as const;

const DEFAULT_INGEST_OUT = join(DEFAULT_WORKSPACE, STAGE_DIRS.ingest);
const ALL_ONTOLOGIES = [...ONTOLOGIES].sort();

const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
/** role → path, leaving out the roles without a path */
const paths = (o: Record<string, string | undefined>): Record<string, string> => defined(o) as Record<string, string>;

/** Files read beside a 10x matrix or a cells.parquet given as a file. */
function siblingInputs(input: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(input) || !/\.(mtx(\.gz)?|parquet)$/.test(input)) return out;
  const dir = dirname(input);
  for (const n of readdirSync(dir)) if (/^(.*features|.*genes|.*barcodes)\.tsv(\.gz)?$|^genes\.parquet$/.test(n)) out[`beside:${n}`] = join(dir, n);
  return out;
}

/** The ingest settings a key holds (IngestArgs without locations, defaults filled in). */
export function ingestSettings(a: IngestArgs): Record<string, unknown> {
  return {
    format: a.format ?? 'auto',
    barcodeColumn: a.barcodeColumn ?? null,
    conditionColumn: a.conditionColumn ?? null,
    controlLabels: a.controlLabels ?? DEFAULT_CONTROL_LABELS,
    separator: a.separator ?? '+',
    obsFilter: a.obsFilter ?? {},
    normalize: a.normalize ?? 'auto',
    hvg: a.hvg ?? 0,
    keepGenes: a.keepGenes ?? [],
    geneColumn: a.geneColumn ?? null,
    chunkSize: a.chunkSize ?? DEFAULT_CHUNK_SIZE,
    minCells: a.minCells ?? 0,
    pseudobulkKind: a.pseudobulkKind ?? 'auto',
    nCellsColumn: a.nCellsColumn ?? null,
    geneColumns: a.geneColumns ?? null,
    metadataColumns: a.metadataColumns ?? [],
    pseudobulkDuplicates: a.pseudobulkDuplicates ?? 'average',
    layer: a.layer ?? null,
    useRaw: a.useRaw ?? false,
    engine: a.engine ?? 'builtin',
  };
}

/** The ingest stage. Its key record holds the settings and the input path, so a later `gears run` can reuse them. */
export function ingestStage(args: IngestArgs): StageDefinition {
  const outDir = resolve(args.outDir ?? DEFAULT_INGEST_OUT);
  const input = resolve(args.input);
  return {
    name: 'ingest',
    dir: outDir,
    config: ingestSettings(args),
    inputs: paths({ input, cellMetadata: args.cellMetadata ? resolve(args.cellMetadata) : undefined, ...siblingInputs(input) }),
    run: (log) => runIngest({ ...args, input, outDir }, log),
  };
}

/** Rebuilds ingest arguments from a key record's settings and inputs (see ingestStage). */
export function ingestArgsFromRecord(config: Record<string, unknown>, inputs: Record<string, string>, outDir: string): IngestArgs {
  const c = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== null)) as Partial<IngestArgs>;
  return { ...c, input: inputs.input, cellMetadata: inputs.cellMetadata, outDir };
}

function vocabularyInputs(a: { gene2go?: string; geneList?: string }): Record<string, string> {
  return paths({ gene2go: resolve(a.gene2go ?? BUNDLED_HUMAN_GENE2GO), aliases: BUNDLED_HUMAN_GENE_ALIASES, geneList: a.geneList ? resolve(a.geneList) : undefined });
}

function ontologies(o: readonly string[] | undefined): string[] {
  return o ? [...new Set(o)].sort() : ALL_ONTOLOGIES;
}

export function splitStage(args: SplitArgs): StageDefinition {
  const ws = resolve(args.workspace ?? DEFAULT_WORKSPACE);
  const dataset = resolve(args.dataset ?? join(ws, STAGE_DIRS.ingest));
  const outDir = resolve(args.outDir ?? join(ws, STAGE_DIRS.split));
  return {
    name: 'split',
    dir: outDir,
    config: {
      split: args.split ?? 'simulation',
      seed: args.seed ?? 1,
      trainGeneSetSize: args.trainGeneSetSize ?? 0.75,
      comboSeen2TrainFrac: args.comboSeen2TrainFrac ?? 0.75,
      testFraction: args.testFraction ?? 0.1,
      valFraction: args.valFraction ?? 0.1,
      withReplacement: args.withReplacement ?? true,
      ontologies: ontologies(args.ontologies),
      evidenceCodes: args.evidenceCodes ?? null,
    },
    inputs: paths({ dataset, ...vocabularyInputs(args), splitFile: args.splitFile ? resolve(args.splitFile) : undefined }),
    run: (log) => runSplit({ ...args, workspace: ws, dataset, outDir, force: true }, log),
  };
}

export function graphsStage(args: GraphsArgs): StageDefinition {
  const ws = resolve(args.workspace ?? DEFAULT_WORKSPACE);
  const dataset = resolve(args.dataset ?? join(ws, STAGE_DIRS.ingest));
  const split = resolve(args.split ?? join(ws, STAGE_DIRS.split, SPLIT_FILE));
  const outDir = resolve(args.outDir ?? join(ws, STAGE_DIRS.graphs));
  return {
    name: 'graphs',
    dir: outDir,
    config: {
      goThreshold: args.goThreshold ?? DEFAULT_GO_THRESHOLD,
      goTopK: args.goTopK ?? DEFAULT_GO_TOP_K,
      coexpressThreshold: args.coexpressThreshold ?? DEFAULT_COEXPRESSION_THRESHOLD,
      coexpressTopK: args.coexpressTopK ?? DEFAULT_COEXPRESSION_TOP_K,
      ontologies: ontologies(args.ontologies),
      evidenceCodes: args.evidenceCodes ?? null,
    },
    inputs: defined({ dataset, split, ...vocabularyInputs(args) }),
    run: (log) => runGraphs({ ...args, workspace: ws, dataset, split, outDir, force: true }, log),
  };
}

export function trainStage(args: RunTrainArgs): StageDefinition {
  const ws = resolve(args.workspace ?? DEFAULT_WORKSPACE);
  const dataset = resolve(args.dataset ?? join(ws, STAGE_DIRS.ingest));
  const split = resolve(args.split ?? join(ws, STAGE_DIRS.split, SPLIT_FILE));
  const graphs = resolve(args.graphs ?? join(ws, STAGE_DIRS.graphs));
  const outDir = resolve(args.outDir ?? join(ws, STAGE_DIRS.train));
  const { workspace: _w, dataset: _d, split: _s, graphs: _g, outDir: _o, force: _f, backend: _b, model, ...train } = args;
  const settings: Record<string, unknown> = { ...DEFAULT_TRAIN_ARGS, backend: undefined, ...defined(train), model: { ...DEFAULT_TRAIN_ARGS.model, ...defined(model ?? {}) } };
  // the per-objective batch default is the package's business: an unset batch size stays unset for cells
  if (train.batchSize === undefined && settings.objective !== DEFAULT_TRAIN_ARGS.objective) settings.batchSize = 'default';
  delete settings.backend;
  return {
    name: 'train',
    dir: outDir,
    config: settings,
    inputs: { dataset, split, graphs },
    run: (log) => runTrain({ ...args, workspace: ws, dataset, split, graphs, outDir, force: true }, log),
  };
}

export interface PredictStageArgs extends RunPredictArgs {
  /** also predict every perturbed condition of this split table (what `gears run` does) */
  splitConditions?: string;
}

/** The perturbation sets a predict run asks for: the split's perturbed conditions, then the user's. */
async function predictionSets(a: PredictStageArgs): Promise<string[][]> {
  const sets = new Map<string, string[]>();
  if (a.splitConditions) {
    for (const s of await readSplit(a.splitConditions)) {
      const genes = conditionGenes(s.condition);
      if (genes.length) sets.set(genes.join('+'), genes);
    }
  }
  for (const genes of a.perturbations ?? []) if (genes.length) sets.set(genes.join('+'), genes);
  return [...sets.values()];
}

export function predictStage(args: PredictStageArgs): StageDefinition {
  const ws = resolve(args.workspace ?? DEFAULT_WORKSPACE);
  const checkpoint = resolve(args.checkpoint ?? join(ws, STAGE_DIRS.train, MODEL_FILES.checkpoint));
  const outDir = resolve(args.outDir ?? join(ws, STAGE_DIRS.predict));
  const file = args.perturbationsFile ? resolve(args.perturbationsFile) : undefined;
  const split = args.splitConditions ? resolve(args.splitConditions) : undefined;
  return {
    name: 'predict',
    dir: outDir,
    config: { perturbations: args.perturbations ?? [], fromSplit: Boolean(split) },
    inputs: paths({ checkpoint, perturbationsFile: file, split, aliases: args.aliases ? resolve(args.aliases) : BUNDLED_HUMAN_GENE_ALIASES }),
    run: async (log) => {
      const { splitConditions: _sc, ...rest } = args;
      return runPredict({ ...rest, workspace: ws, checkpoint, outDir, perturbationsFile: file, perturbations: await predictionSets({ ...args, splitConditions: split }) }, log);
    },
  };
}

export function evaluateStage(args: RunEvaluateArgs): StageDefinition {
  const outDir = resolve(args.outDir);
  const dataset = resolve(args.datasetDir);
  return {
    name: 'evaluate',
    dir: outDir,
    config: {
      splits: args.splits ?? ['test', 'val'],
      partitionByModel: Boolean(args.partitionByModel),
      baselines: args.baselines !== false,
      cellMetrics: args.cellMetrics ?? 'when cells exist',
      reportTitle: args.reportTitle ?? null,
      inlineSplit: args.split ?? null,
    },
    inputs: paths({
      dataset,
      split: args.splitPath ? resolve(args.splitPath) : undefined,
      predictions: args.predictionsPath ? resolve(args.predictionsPath) : undefined,
      giGenes: args.giGenesPath ? resolve(args.giGenesPath) : undefined,
      trainingHistory: args.trainingHistoryPath ? resolve(args.trainingHistoryPath) : undefined,
    }),
    run: async (log) => {
      const r = await runEvaluate({ ...args, datasetDir: dataset, outDir }, log);
      // in a run directory, the guide to every table it holds (gears-out/README.md)
      if (basename(outDir) === STAGE_DIRS.evaluate) writeFileAtomic(join(dirname(outDir), OUTPUTS_GUIDE_FILE), outputsGuide());
      return r;
    },
  };
}
