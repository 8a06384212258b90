/**
 * The pipeline's stages as orchestrator definitions: which part of the config each depends on,
 * which files it reads, and the library call of its package that does the work. Each stage
 * runs with `force: true` because the orchestrator has already decided it must run.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseObsFilter, runIngest } from '@gears-pipeline/ingest';
import { runSplit, runGraphs, readSplit, SPLIT_FILE } from '@gears-pipeline/graphs';
import { runTrain, runPredict, PREDICTIONS_FILE, MODEL_FILES } from '@gears-pipeline/model';
import { runEvaluate } from '@gears-pipeline/evaluate';
import { conditionGenes, type Logger } from '@gears-pipeline/core';
import { DEFAULT_INPUT, DEFAULT_INPUT_OBS_FILTER, type GearsConfig } from './config-schema.ts';
import type { StageDefinition } from './orchestrator.ts';

/**
 * Where bundled data (`data/…`) lives: the installed package's root (its data/ is copied there by
 * `npm run build` and shipped), else the repository root when running from src/ in the monorepo.
 */
const OWN_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGE_ROOT = existsSync(join(OWN_ROOT, 'data')) ? OWN_ROOT : resolve(OWN_ROOT, '../..');

export const STAGE_NAMES = ['ingest', 'split', 'graphs', 'train', 'predict', 'evaluate'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const STAGE_DIRS: Record<StageName, string> = {
  ingest: 'dataset',
  split: 'split',
  graphs: 'graphs',
  train: 'model',
  predict: 'predictions',
  evaluate: 'evaluate',
};

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


export function buildStages(config: GearsConfig, baseDir: string): StageDefinition[] {
  const out = resolve(baseDir, String(config.run.out));
  const dir = (s: StageName) => join(out, STAGE_DIRS[s]);
  const ing = config.ingest;
  const input = resolveInputPath(String(ing.input), baseDir);
  // an empty filter on the bundled default file means its Norman cells (see DEFAULT_INPUT_OBS_FILTER)
  const obsFilter = (ing.obsFilter as string[]).length === 0 && input === resolveInputPath(DEFAULT_INPUT, baseDir) ? DEFAULT_INPUT_OBS_FILTER : (ing.obsFilter as string[]);
  const cellMetadata = ing.cellMetadata ? resolveInputPath(String(ing.cellMetadata), baseDir) : undefined;
  const goTable = resolveInputPath(String(config.graphs.goTable), baseDir);
  const splitFile = config.split.file ? resolveInputPath(String(config.split.file), baseDir) : undefined;
  const giGenes = config.evaluate.giGenes ? resolveInputPath(String(config.evaluate.giGenes), baseDir) : undefined;
  const ontologies = config.graphs.ontologies as ('BP' | 'CC' | 'MF')[];
  const tr = config.train;

  const stages: StageDefinition[] = [
    {
      name: 'ingest',
      dir: dir('ingest'),
      config: { ...ing, input, cellMetadata, obsFilter },
      files: [input, ...(cellMetadata ? [cellMetadata] : [])],
      upstream: [],
      run: async (log: Logger) => {
        await runIngest(
          {
            input,
            outDir: dir('ingest'),
            format: ing.format as 'auto',
            cellMetadata,
            conditionColumn: ing.conditionColumn ? String(ing.conditionColumn) : undefined,
            controlLabels: ing.controlLabels as string[],
            separator: String(ing.separator),
            obsFilter: parseObsFilter(obsFilter),
            normalize: ing.normalize as 'auto',
            hvg: Number(ing.hvg),
            minCells: Number(ing.minCells),
            pseudobulkKind: ing.pseudobulkKind as 'auto',
          },
          log,
        );
      },
    },
    {
      name: 'split',
      dir: dir('split'),
      config: { ...config.split, file: splitFile, goTable, ontologies },
      files: [goTable, ...(splitFile ? [splitFile] : [])],
      upstream: ['ingest'],
      run: async (log) => {
        await runSplit(
          {
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
            force: true,
          },
          log,
        );
      },
    },
    {
      name: 'graphs',
      dir: dir('graphs'),
      config: { ...config.graphs, goTable },
      files: [goTable],
      upstream: ['ingest', 'split'],
      run: async (log) => {
        await runGraphs(
          {
            workspace: out,
            dataset: dir('ingest'),
            split: join(dir('split'), SPLIT_FILE),
            outDir: dir('graphs'),
            gene2go: goTable,
            ontologies,
            goTopK: Number(config.graphs.goTopK),
            coexpressTopK: Number(config.graphs.coexpressionTopK),
            coexpressThreshold: Number(config.graphs.coexpressionThreshold),
            force: true,
          },
          log,
        );
      },
    },
    {
      name: 'train',
      dir: dir('train'),
      config: tr,
      files: [],
      upstream: ['ingest', 'split', 'graphs'],
      run: async (log) => {
        await runTrain(
          {
            workspace: out,
            dataset: dir('ingest'),
            split: join(dir('split'), SPLIT_FILE),
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
            force: true,
          },
          log,
        );
      },
    },
    {
      name: 'predict',
      dir: dir('predict'),
      config: { perturbations: config.predict.perturbations, backend: tr.backend },
      files: [],
      upstream: ['split', 'train'],
      run: async (log) => {
        // Every perturbed condition of the split is predicted (evaluate scores val and test; the
        // training ones let users compare fit against held-out), plus the user's own queries.
        const split = await readSplit(join(dir('split'), SPLIT_FILE));
        const sets = new Map<string, string[]>();
        for (const a of split) {
          const genes = conditionGenes(a.condition);
          if (genes.length) sets.set(genes.join('+'), genes);
        }
        for (const q of config.predict.perturbations as string[]) {
          const genes = conditionGenes(q.replace(/[,_\s]+/g, '+'));
          if (genes.length) sets.set(genes.join('+'), genes);
        }
        await runPredict(
          { workspace: out, checkpoint: join(dir('train'), MODEL_FILES.checkpoint), perturbations: [...sets.values()], outDir: dir('predict'), backend: tr.backend as 'auto' },
          log,
        );
      },
    },
    {
      name: 'evaluate',
      dir: dir('evaluate'),
      config: config.evaluate,
      files: giGenes ? [giGenes] : [],
      upstream: ['ingest', 'split', 'predict'],
      run: async (log) => {
        await runEvaluate(
          {
            datasetDir: dir('ingest'),
            splitPath: join(dir('split'), SPLIT_FILE),
            predictionsPath: join(dir('predict'), PREDICTIONS_FILE),
            outDir: dir('evaluate'),
            giGenesPath: giGenes,
            partitionByModel: Boolean(config.evaluate.partitionByModel),
          },
          log,
        );
      },
    },
  ];
  const wanted = new Set(config.run.stages as string[]);
  for (const s of wanted) {
    if (!(STAGE_NAMES as readonly string[]).includes(s)) throw new Error(`run.stages: unknown stage '${s}'; use ${STAGE_NAMES.join(', ')}`);
  }
  return stages.filter((s) => wanted.has(s.name));
}
