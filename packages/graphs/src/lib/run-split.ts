/**
 * The split stage: dataset directory → `split/split.parquet` + manifest.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATASET_FILES, GearsUsageError, PACKAGE_VERSION, manifestIsCurrent, readManifest, sha256File, silentLogger, writeManifest, type Logger, type SplitAssignment, type StageManifest } from '@gears-pipeline/core';
import { loadDatasetVocabulary, type VocabularyArgs } from './dataset-vocabulary.ts';
import { makeSplit, type SplitOptions, type SplitResult } from './split/make-split.ts';
import { readSplit, writeSplit, SPLIT_FILE } from './split/split-io.ts';

export const DEFAULT_WORKSPACE = 'gears-out';

/** The split options of `makeSplit` (documented there), plus where to read and write. */
export interface SplitArgs extends Omit<VocabularyArgs, 'dataset'>, Omit<SplitOptions, 'custom'> {
  /** workspace directory (default gears-out): dataset from <ws>/dataset, output to <ws>/split */
  workspace?: string;
  dataset?: string;
  outDir?: string;
  /** for split 'custom': JSON ({train, val, test}) or Parquet (condition, split, subgroup) */
  splitFile?: string;
  /** rerun even when the manifest says the output is current */
  force?: boolean;
}

export interface SplitRunResult {
  outDir: string;
  path: string;
  skipped: boolean;
  assignments: SplitAssignment[];
  excluded: { condition: string; reason: string }[];
  manifest: StageManifest;
}

/** Runs the split stage. */
export async function runSplit(args: SplitArgs, log: Logger = silentLogger): Promise<SplitRunResult> {
  const t0 = Date.now();
  const ws = resolve(args.workspace ?? DEFAULT_WORKSPACE);
  const dataset = resolve(args.dataset ?? join(ws, 'dataset'));
  const outDir = resolve(args.outDir ?? join(ws, 'split'));
  const path = join(outDir, SPLIT_FILE);
  const v = await loadDatasetVocabulary({ ...args, dataset });
  const config = {
    split: args.split ?? 'simulation',
    seed: args.seed ?? 1,
    trainGeneSetSize: args.trainGeneSetSize ?? 0.75,
    comboSeen2TrainFrac: args.comboSeen2TrainFrac ?? 0.75,
    testFraction: args.testFraction ?? 0.1,
    valFraction: args.valFraction ?? 0.1,
    withReplacement: args.withReplacement ?? true,
    ontologies: args.ontologies ?? null,
    evidenceCodes: args.evidenceCodes ?? null,
  };
  const inputs: Record<string, string> = {
    conditions: await sha256File(join(dataset, DATASET_FILES.conditions)),
    genes: await sha256File(join(dataset, DATASET_FILES.genes)),
    gene2go: await sha256File(v.gene2goPath),
  };
  if (args.splitFile) inputs.splitFile = await sha256File(args.splitFile);
  if (args.geneList) inputs.geneList = await sha256File(args.geneList);
  if (!args.force && (await manifestIsCurrent(outDir, inputs, config))) {
    log.info('split.skip', { reason: 'up to date', path });
    const manifest = readManifest(outDir)!;
    return { outDir, path, skipped: true, assignments: await readSplit(path), excluded: (manifest.notes?.excluded as SplitRunResult['excluded']) ?? [], manifest };
  }
  for (const e of v.filter.excluded) {
    log.warn('split.condition_excluded', { condition: e.condition, missingGenes: e.missingGenes, reason: 'gene not in the GO vocabulary' });
  }
  const options: SplitOptions = { ...config, split: config.split, source: join(dataset, DATASET_FILES.conditions) };
  if (config.split === 'custom') {
    if (!args.splitFile) {
      throw new GearsUsageError('--split custom needs --split-file <json|parquet>');
    }
    // conditions set aside for the GO vocabulary cannot be trained on: drop them from a pinned
    // split with a warning instead of failing (they are listed as excluded either way)
    const outside = new Set(v.filter.excluded.map((e) => e.condition));
    const pinned = await readSplit(args.splitFile);
    for (const a of pinned.filter((p) => outside.has(p.condition))) log.warn('split.pinned_condition_excluded', { condition: a.condition, split: a.split, reason: 'gene not in the GO vocabulary' });
    options.custom = pinned.filter((p) => !outside.has(p.condition));
    options.source = args.splitFile;
  }
  const result: SplitResult = makeSplit(v.filter.kept, options);
  if (config.split === 'custom') {
    // accepted but suspicious: say which set is empty and which conditions no set names
    for (const set of ['train', 'test'] as const) {
      if (!result.assignments.some((a) => a.split === set)) log.warn('split.custom_empty_set', { file: args.splitFile, set, note: set === 'test' ? 'no test condition: evaluate will have nothing to score' : 'no training condition: the model cannot learn' });
    }
    const left = result.excluded.filter((e) => e.reason === 'not listed in the custom split').map((e) => e.condition);
    if (left.length > 0) log.warn('split.custom_unlisted_conditions', { file: args.splitFile, count: left.length, conditions: left.slice(0, 30), note: 'these conditions of the dataset are in no split set (train, val, test) and are left out' });
  }
  const excluded = [
    ...v.filter.excluded.map((e) => ({ condition: e.condition, reason: `gene not in the GO vocabulary: ${e.missingGenes.join(', ')}` })),
    ...result.excluded,
  ];
  mkdirSync(outDir, { recursive: true });
  const rows = writeSplit(path, result.assignments);
  const count = (s: string) => result.assignments.filter((a) => a.split === s).length;
  const subgroups: Record<string, number> = {};
  for (const a of result.assignments) if (a.subgroup) subgroups[`${a.split}.${a.subgroup}`] = (subgroups[`${a.split}.${a.subgroup}`] ?? 0) + 1;
  log.info('split.done', { split: result.split, seed: result.seed, train: count('train'), val: count('val'), test: count('test'), ...subgroups, excluded: excluded.length });
  const manifest: StageManifest = {
    stage: 'split',
    version: PACKAGE_VERSION,
    config,
    inputs,
    outputs: { [SPLIT_FILE]: { rows, sha256: await sha256File(path) } },
    startedAt: new Date(t0).toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: (Date.now() - t0) / 1000,
    notes: { counts: { train: count('train'), val: count('val'), test: count('test'), ...subgroups }, excluded },
  };
  writeManifest(outDir, manifest);
  return { outDir, path, skipped: false, assignments: result.assignments, excluded, manifest };
}
