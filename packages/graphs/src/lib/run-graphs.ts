/**
 * The graphs stage: dataset directory + split → `graphs/go_edges.parquet`,
 * `graphs/coexpression_edges.parquet`, `graphs/vocabulary.parquet`,
 * `graphs/excluded_conditions.parquet` + manifest.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DATASET_FILES,
  PACKAGE_VERSION,
  datasetHasCells,
  readDatasetStats,
  manifestIsCurrent,
  parquetRowCount,
  readManifest,
  sha256File,
  silentLogger,
  writeManifest,
  writeParquetTable,
  type GeneGraph,
  type Logger,
  type StageManifest,
} from '@gears-pipeline/core';
import { readCellChunks } from '@gears-pipeline/ingest';
import { loadDatasetVocabulary, type VocabularyArgs } from './dataset-vocabulary.ts';
import { buildGoGraph, DEFAULT_GO_THRESHOLD, DEFAULT_GO_TOP_K } from './go/go-graph.ts';
import { buildCoexpressionGraph, coexpressionConditions, DEFAULT_COEXPRESSION_THRESHOLD, DEFAULT_COEXPRESSION_TOP_K } from './coexpression/coexpression-graph.ts';
import { pseudobulkCoexpressionConditions, pseudobulkCoexpressionGraph } from './coexpression/pseudobulk.ts';
import { writeGeneGraph } from './graph-io.ts';
import { readSplit, SPLIT_FILE } from './split/split-io.ts';
import { DEFAULT_WORKSPACE } from './run-split.ts';

export const GRAPH_FILES = {
  go: 'go_edges.parquet',
  coexpression: 'coexpression_edges.parquet',
  vocabulary: 'vocabulary.parquet',
  excluded: 'excluded_conditions.parquet',
} as const;

export interface GraphsArgs extends Omit<VocabularyArgs, 'dataset'> {
  /** workspace (default gears-out): dataset, split and graphs directories inside it */
  workspace?: string;
  dataset?: string;
  /** split table (default <ws>/split/split.parquet); JSON lists are accepted too */
  split?: string;
  outDir?: string;
  goThreshold?: number;
  goTopK?: number;
  coexpressThreshold?: number;
  coexpressTopK?: number;
  force?: boolean;
}

export interface GraphsRunResult {
  outDir: string;
  skipped: boolean;
  goEdges: number;
  coexpressionEdges: number;
  vocabularySize: number;
  manifest: StageManifest;
}

/** Runs the graphs stage. */
export async function runGraphs(args: GraphsArgs, log: Logger = silentLogger): Promise<GraphsRunResult> {
  const t0 = Date.now();
  const ws = resolve(args.workspace ?? DEFAULT_WORKSPACE);
  const dataset = resolve(args.dataset ?? join(ws, 'dataset'));
  const splitPath = resolve(args.split ?? join(ws, 'split', SPLIT_FILE));
  const outDir = resolve(args.outDir ?? join(ws, 'graphs'));
  const config = {
    goThreshold: args.goThreshold ?? DEFAULT_GO_THRESHOLD,
    goTopK: args.goTopK ?? DEFAULT_GO_TOP_K,
    coexpressThreshold: args.coexpressThreshold ?? DEFAULT_COEXPRESSION_THRESHOLD,
    coexpressTopK: args.coexpressTopK ?? DEFAULT_COEXPRESSION_TOP_K,
    ontologies: args.ontologies ?? null,
    evidenceCodes: args.evidenceCodes ?? null,
  };
  const v = await loadDatasetVocabulary({ ...args, dataset });
  const withCells = datasetHasCells(dataset);
  const split = await readSplit(splitPath);
  const inputs: Record<string, string> = {
    genes: await sha256File(join(dataset, DATASET_FILES.genes)),
    conditions: await sha256File(join(dataset, DATASET_FILES.conditions)),
    // ingest already hashed the (large) cells table; reuse its hash when its manifest has it.
    // A pseudobulk dataset has no cells: its co-expression comes from the condition means.
    ...(withCells
      ? { cells: readManifest(dataset)?.outputs[DATASET_FILES.cells]?.sha256 ?? (await sha256File(join(dataset, DATASET_FILES.cells))) }
      : { stats: await sha256File(join(dataset, DATASET_FILES.stats)) }),
    split: await sha256File(splitPath),
    gene2go: await sha256File(v.gene2goPath),
  };
  if (args.geneList) inputs.geneList = await sha256File(args.geneList);
  if (!args.force && (await manifestIsCurrent(outDir, inputs, config))) {
    const m = readManifest(outDir)!;
    log.info('graphs.skip', { reason: 'up to date', outDir });
    return {
      outDir,
      skipped: true,
      goEdges: m.outputs[GRAPH_FILES.go]?.rows ?? 0,
      coexpressionEdges: m.outputs[GRAPH_FILES.coexpression]?.rows ?? 0,
      vocabularySize: m.outputs[GRAPH_FILES.vocabulary]?.rows ?? 0,
      manifest: m,
    };
  }
  const known = new Set(v.conditions);
  const foreign = split.filter((a) => !known.has(a.condition)).map((a) => a.condition);
  if (foreign.length > 0) {
    log.warn('graphs.split_conditions_not_in_dataset', { split: splitPath, conditions: foreign.slice(0, 20), count: foreign.length });
  }
  for (const a of v.aliasResolved) log.info('graphs.alias_resolved', { gene: a.gene, symbol: a.symbol, note: 'no GO annotation under this name; the current symbol\'s terms are used' });
  for (const e of v.filter.excluded) {
    log.warn('graphs.condition_excluded', { condition: e.condition, missingGenes: e.missingGenes, reason: 'gene not in the GO vocabulary' });
  }
  mkdirSync(outDir, { recursive: true });

  const tGo = Date.now();
  const { graph: go } = buildGoGraph(v.vocabulary.genes, v.gene2go, { threshold: config.goThreshold, topK: config.goTopK, log });
  const goEdges = writeGeneGraph(join(outDir, GRAPH_FILES.go), go);
  log.info('graphs.go', { genes: go.nodes.length, edges: goEdges, seconds: (Date.now() - tGo) / 1000 });

  const vocabularyRows = writeParquetTable(join(outDir, GRAPH_FILES.vocabulary), [
    { name: 'gene', type: 'STRING' },
    { name: 'index', type: 'INT32' },
  ], { gene: v.vocabulary.genes, index: Int32Array.from(v.vocabulary.genes, (_, i) => i) });
  const excludedRows = writeParquetTable(join(outDir, GRAPH_FILES.excluded), [
    { name: 'condition', type: 'STRING' },
    { name: 'missing_genes', type: 'LIST_STRING' },
  ], { condition: v.filter.excluded.map((e) => e.condition), missing_genes: v.filter.excluded.map((e) => e.missingGenes) });

  const tCo = Date.now();
  let co: GeneGraph;
  let nCells: number;
  let include: Set<string>;
  if (withCells) {
    include = coexpressionConditions(split);
    const totalCells = await parquetRowCount(join(dataset, DATASET_FILES.cells));
    ({ graph: co, nCells } = await buildCoexpressionGraph(readCellChunks(dataset), v.genes, {
      include: (c) => include.has(c),
      threshold: config.coexpressThreshold,
      topK: config.coexpressTopK,
      log,
      totalCells,
    }));
  } else {
    include = pseudobulkCoexpressionConditions(split);
    ({ graph: co, nCells } = pseudobulkCoexpressionGraph(await readDatasetStats(dataset), (c) => include.has(c), { threshold: config.coexpressThreshold, topK: config.coexpressTopK }));
  }
  const coEdges = writeGeneGraph(join(outDir, GRAPH_FILES.coexpression), co);
  log.info('graphs.coexpression', { genes: co.nodes.length, source: withCells ? 'cells' : 'pseudobulk condition profiles', [withCells ? 'cells' : 'profiles']: nCells, conditions: include.size, edges: coEdges, seconds: (Date.now() - tCo) / 1000 });

  const outputs: StageManifest['outputs'] = {};
  for (const [file, rows] of [[GRAPH_FILES.go, goEdges], [GRAPH_FILES.coexpression, coEdges], [GRAPH_FILES.vocabulary, vocabularyRows], [GRAPH_FILES.excluded, excludedRows]] as const) {
    outputs[file] = { rows, sha256: await sha256File(join(outDir, file)) };
  }
  const manifest: StageManifest = {
    stage: 'graphs',
    version: PACKAGE_VERSION,
    config,
    inputs,
    outputs,
    startedAt: new Date(t0).toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: (Date.now() - t0) / 1000,
    notes: {
      gene2go: v.gene2goPath,
      vocabularySize: v.vocabulary.genes.length,
      unannotatedGenes: v.vocabulary.unannotated.length,
      aliasResolved: v.aliasResolved,
      excludedConditions: v.filter.excluded,
      coexpressionSource: withCells ? 'cells (control + training singles)' : 'pseudobulk: mean profiles of control + training conditions',
      coexpressionCells: nCells,
    },
  };
  writeManifest(outDir, manifest);
  return { outDir, skipped: false, goEdges, coexpressionEdges: coEdges, vocabularySize: v.vocabulary.genes.length, manifest };
}
