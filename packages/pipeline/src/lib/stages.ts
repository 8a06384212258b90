/**
 * The pipeline's stages for `gears run`: the config mapped onto each stage package's arguments,
 * then built by stage-definitions.ts exactly as `gears <stage>` builds them.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseObsFilter, type IngestArgs } from '@gears-pipeline/ingest';
import { SPLIT_FILE } from '@gears-pipeline/graphs';
import { PREDICTIONS_FILE, MODEL_FILES } from '@gears-pipeline/model';
import { GearsInputError, conditionGenes, readManifest, type Logger } from '@gears-pipeline/core';
import { DEFAULT_INPUT, DEFAULT_INPUT_OBS_FILTER, type GearsConfig } from './config-schema.ts';
import type { StageDefinition } from './orchestrator.ts';
import { STAGE_DIRS, evaluateStage, graphsStage, ingestArgsFromRecord, ingestStage, predictStage, splitStage, trainStage } from './stage-definitions.ts';
import { readStageRecord } from './stage-cache.ts';

export { STAGE_DIRS };

/**
 * Where bundled data (`data/…`) lives: the installed package's root (its data/ is copied there by
 * `npm run build` and shipped), else the repository root when running from src/ in the monorepo.
 */
const OWN_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGE_ROOT = existsSync(join(OWN_ROOT, 'data')) ? OWN_ROOT : resolve(OWN_ROOT, '../..');

export const STAGE_NAMES = ['ingest', 'split', 'graphs', 'train', 'predict', 'evaluate'] as const;
export type StageName = (typeof STAGE_NAMES)[number];


/**
 * Resolves a path from the config: absolute as is; relative to the config file's directory (or
 * the working directory for flags and defaults); bundled defaults (`data/…`) fall back to the
 * package root, so `gears run` works from any directory.
 */
export function resolveInputPath(p: string, baseDir: string): string {
  if (!p) return p;
  if (isAbsolute(p)) return p;
  const local = resolve(baseDir, p);
  if (existsSync(local)) return local;
  const bundled = resolve(PACKAGE_ROOT, p);
  return existsSync(bundled) ? bundled : local;
}


export interface BuildStagesOptions {
  /**
   * true when the user named the ingest input (flag or config file). When not, and the run
   * directory already holds a dataset ingested from another input, that input is reused instead
   * of the bundled demo data, with the settings it was ingested with (unless
   * `ingestSettingsGiven`: then with the config's).
   */
  inputGiven?: boolean;
  /** true when any other ingest setting was given (flag or config file) */
  ingestSettingsGiven?: boolean;
  log?: Logger;
}

/** The ingest arguments `gears run` uses for this config (see BuildStagesOptions). */
export function ingestArgsForRun(config: GearsConfig, baseDir: string, opts: BuildStagesOptions = {}): IngestArgs {
  const out = resolve(baseDir, String(config.run.out));
  const datasetDir = join(out, STAGE_DIRS.ingest);
  const ing = config.ingest;
  let input = resolveInputPath(String(ing.input), baseDir);
  const demo = resolveInputPath(DEFAULT_INPUT, baseDir);
  if (!opts.inputGiven) {
    const recorded = recordedIngest(datasetDir);
    if (recorded && recorded.input !== demo) {
      if (!existsSync(recorded.input)) {
        throw new GearsInputError({
          file: datasetDir,
          field: 'ingest.input',
          problem: `holds a dataset ingested from ${recorded.input}, which no longer exists, and no input was given (the bundled demo data is not used in its place)`,
          fix: `pass --ingest.input <your data> (or --ingest.input ${DEFAULT_INPUT} to replace it with the demo data)`,
        });
      }
      if (recorded.args && !opts.ingestSettingsGiven) {
        opts.log?.info('ingest.input_from_run_directory', { input: recorded.input, dataset: datasetDir, note: 'no ingest.input given: the input and settings this dataset was ingested with are kept; pass --ingest.input to change them' });
        return recorded.args;
      }
      if (!recorded.args && !opts.ingestSettingsGiven) {
        throw new GearsInputError({
          file: datasetDir,
          field: 'ingest.input',
          problem: `holds a dataset ingested from ${recorded.input} (not the bundled demo data), and no input was given`,
          fix: `pass --ingest.input ${recorded.input} to keep using it (or --ingest.input ${DEFAULT_INPUT} for the demo data)`,
        });
      }
      opts.log?.info('ingest.input_from_run_directory', { input: recorded.input, dataset: datasetDir, note: 'no ingest.input given: the input this dataset was ingested from is kept, with the ingest settings given' });
      input = recorded.input;
    }
  }
  // an empty filter on the bundled default file means its Norman cells (see DEFAULT_INPUT_OBS_FILTER)
  const obsFilter = (ing.obsFilter as string[]).length === 0 && input === demo ? DEFAULT_INPUT_OBS_FILTER : (ing.obsFilter as string[]);
  return {
    input,
    outDir: datasetDir,
    format: ing.format as 'auto',
    cellMetadata: ing.cellMetadata ? resolveInputPath(String(ing.cellMetadata), baseDir) : undefined,
    conditionColumn: ing.conditionColumn ? String(ing.conditionColumn) : undefined,
    controlLabels: ing.controlLabels as string[],
    separator: String(ing.separator),
    obsFilter: parseObsFilter(obsFilter),
    normalize: ing.normalize as 'auto',
    hvg: Number(ing.hvg),
    minCells: Number(ing.minCells),
    pseudobulkKind: ing.pseudobulkKind as 'auto',
    pseudobulkDuplicates: ing.pseudobulkDuplicates as 'average',
    mtxSortBudget: Number(ing.mtxSortMb) * 1024 * 1024,
    engine: ing.engine as 'builtin',
    layer: ing.layer ? String(ing.layer) : undefined,
    useRaw: ing.useRaw ? true : undefined,
  };
}

/**
 * What a dataset directory was ingested from: the key record `gears ingest` / `gears run` wrote
 * (input and settings), else, for a dataset written by the library call, the input files its
 * manifest lists.
 */
function recordedIngest(datasetDir: string): { input: string; args?: IngestArgs } | undefined {
  const rec = readStageRecord(datasetDir);
  if (rec?.stage === 'ingest' && rec.inputs?.input) {
    return { input: rec.inputs.input, args: ingestArgsFromRecord(rec.config as Record<string, unknown>, rec.inputs, datasetDir) };
  }
  const m = readManifest(datasetDir);
  if (m?.stage === 'ingest') {
    const files = Object.keys(m.inputs ?? {});
    if (files.length) return { input: files.find((f) => !/(features|genes|barcodes)\.tsv(\.gz)?$/.test(f)) ?? files[0] };
  }
  return undefined;
}

export function buildStages(config: GearsConfig, baseDir: string, opts: BuildStagesOptions = {}): StageDefinition[] {
  const out = resolve(baseDir, String(config.run.out));
  const dir = (s: StageName) => join(out, STAGE_DIRS[s]);
  const goTable = resolveInputPath(String(config.graphs.goTable), baseDir);
  const splitFile = config.split.file ? resolveInputPath(String(config.split.file), baseDir) : undefined;
  const giGenes = config.evaluate.giGenes ? resolveInputPath(String(config.evaluate.giGenes), baseDir) : undefined;
  const ontologies = config.graphs.ontologies as ('BP' | 'CC' | 'MF')[];
  const tr = config.train;
  const splitPath = join(dir('split'), SPLIT_FILE);
  const wanted = new Set(config.run.stages as string[]);
  for (const s of wanted) {
    if (!(STAGE_NAMES as readonly string[]).includes(s)) throw new Error(`run.stages: unknown stage '${s}'; use ${STAGE_NAMES.join(', ')}`);
  }
  const make: Record<StageName, () => StageDefinition> = {
    ingest: () => ingestStage(ingestArgsForRun(config, baseDir, opts)),
    split: () =>
      splitStage({
        workspace: out,
        dataset: dir('ingest'),
        outDir: dir('split'),
        split: config.split.type as 'simulation',
        seed: Number(config.split.seed),
        trainGeneSetSize: Number(config.split.trainGeneSetSize),
        comboSeen2TrainFrac: Number(config.split.comboSeen2TrainFrac),
        splitFile,
        gene2go: goTable,
        ontologies,
      }),
    graphs: () =>
      graphsStage({
        workspace: out,
        dataset: dir('ingest'),
        split: splitPath,
        outDir: dir('graphs'),
        gene2go: goTable,
        ontologies,
        goTopK: Number(config.graphs.goTopK),
        coexpressTopK: Number(config.graphs.coexpressionTopK),
        coexpressThreshold: Number(config.graphs.coexpressionThreshold),
      }),
    train: () =>
      trainStage({
        workspace: out,
        dataset: dir('ingest'),
        split: splitPath,
        graphs: dir('graphs'),
        outDir: dir('train'),
        objective: tr.objective as 'moments',
        epochs: Number(tr.epochs),
        batchSize: Number(tr.batchSize),
        minStepsPerEpoch: Number(tr.minStepsPerEpoch),
        learningRate: Number(tr.lr),
        weightDecay: Number(tr.weightDecay),
        lrGamma: Number(tr.lrDecay),
        patience: Number(tr.patience),
        directionLoss: tr.direction as 'reference',
        directionLambda: Number(tr.directionLambda),
        composition: tr.composition as 'network',
        seed: Number(tr.seed),
        backend: tr.backend as 'auto',
        model: {
          hiddenSize: Number(tr.hiddenSize),
          numGoGnnLayers: Number(tr.goLayers),
          numGeneGnnLayers: Number(tr.coexpressionLayers),
          uncertainty: Boolean(tr.uncertainty),
          coexpressionQuirk: 'fixed',
        },
      }),
    // Every perturbed condition of the split is predicted (evaluate scores val and test; the
    // training ones let users compare fit against held-out), plus the user's own queries.
    predict: () =>
      predictStage({
        workspace: out,
        checkpoint: join(dir('train'), MODEL_FILES.checkpoint),
        outDir: dir('predict'),
        splitConditions: splitPath,
        perturbations: (config.predict.perturbations as string[]).map((q) => conditionGenes(q.replace(/[,_\s]+/g, '+'))).filter((g) => g.length > 0),
        backend: tr.backend as 'auto',
      }),
    evaluate: () =>
      evaluateStage({
        datasetDir: dir('ingest'),
        splitPath,
        predictionsPath: join(dir('predict'), PREDICTIONS_FILE),
        outDir: dir('evaluate'),
        giGenesPath: giGenes,
        partitionByModel: Boolean(config.evaluate.partitionByModel),
        trainingHistoryPath: join(dir('train'), MODEL_FILES.history),
      }),
  };
  return STAGE_NAMES.filter((s) => wanted.has(s)).map((s) => make[s]());
}
