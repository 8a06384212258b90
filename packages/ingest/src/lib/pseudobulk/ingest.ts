/**
 * The ingest stage for a pseudobulk table: writes genes, conditions and condition_gene_stats
 * (core dataset format) and the manifest, and no cells.parquet — there are no cells, and later
 * stages tell by its absence (core `datasetHasCells`) and by the manifest note `pseudobulk: true`.
 */
import { resolve } from 'node:path';
import { DATASET_FILES, GearsUsageError, PACKAGE_VERSION, sha256File, writeDatasetStats, writeManifest, type Logger, type StageManifest } from '@gears-pipeline/core';
import { describeOutputs, replaceDirectory } from '../output.ts';
import type { IngestArgs, IngestResult } from '../ingest.ts';
import { readPseudobulk } from './read.ts';

export async function runPseudobulkIngest(args: IngestArgs, outDir: string, log: Logger): Promise<IngestResult> {
  const t0 = Date.now();
  const startedAt = new Date(t0).toISOString();
  // options that need cells are refused rather than silently ignored
  if ((args.hvg ?? 0) > 0) throw new GearsUsageError('--hvg needs cells; a pseudobulk table keeps all its gene columns (select the genes before writing the table)');
  if (args.normalize === 'counts') throw new GearsUsageError('--normalize counts needs cells; pseudobulk values are used as stored');
  if (args.keepGenes?.length) throw new GearsUsageError('--keep-gene applies to gene selection (--hvg), which pseudobulk tables do not have');
  const input = resolve(args.input);
  const r = await readPseudobulk(
    input,
    {
      kind: args.pseudobulkKind,
      conditionColumn: args.conditionColumn,
      controlLabels: args.controlLabels,
      separator: args.separator,
      nCellsColumn: args.nCellsColumn,
      geneColumns: args.geneColumns,
      metadataColumns: args.metadataColumns,
      obsFilter: args.obsFilter,
      minCells: args.minCells,
      duplicates: args.pseudobulkDuplicates,
    },
    log,
  );
  const s = r.stats;
  const result = await replaceDirectory(outDir, async (tmp) => {
    writeDatasetStats(tmp, s);
    const outputs = await describeOutputs(tmp, [DATASET_FILES.genes, DATASET_FILES.conditions, DATASET_FILES.stats]);
    const seconds = (Date.now() - t0) / 1000;
    const manifest: StageManifest = {
      stage: 'ingest',
      version: PACKAGE_VERSION,
      config: {
        format: 'pseudobulk',
        pseudobulkKind: args.pseudobulkKind ?? 'auto',
        conditionColumn: args.conditionColumn ?? null,
        controlLabels: args.controlLabels ?? null,
        separator: args.separator ?? '+',
        obsFilter: args.obsFilter ?? {},
        nCellsColumn: args.nCellsColumn ?? null,
        geneColumns: args.geneColumns ?? null,
        metadataColumns: args.metadataColumns ?? [],
        minCells: args.minCells ?? 0,
        duplicates: args.pseudobulkDuplicates ?? 'average',
      },
      inputs: { [input]: await sha256File(input) },
      outputs,
      startedAt,
      finishedAt: new Date().toISOString(),
      seconds,
      notes: {
        format: 'pseudobulk',
        pseudobulk: true,
        kind: r.kind,
        controlRow: r.controlInTable ? 'from the table' : 'synthesised (zeros)',
        conditionColumn: r.columns.condition,
        nCellsColumn: r.columns.nCells ?? null,
        metadataColumns: r.columns.metadata,
        cells: 0,
        genes: s.genes.length,
        conditions: s.conditions.length,
        droppedRows: r.droppedRows,
        averagedReplicateRows: r.averagedRows,
        unmeasuredPerturbedGenes: r.unmeasuredGenes,
        deRanking: '|mean − control mean| (no within-condition variance: m2 = m3 = m4 = t = 0)',
      },
    };
    writeManifest(tmp, manifest);
    return { manifest, seconds };
  });
  log.info('ingest.done', { out: outDir, format: 'pseudobulk', kind: r.kind, genes: s.genes.length, conditions: s.conditions.length, seconds: result.seconds });
  return {
    outDir,
    format: 'pseudobulk',
    pseudobulkKind: r.kind,
    nCells: 0,
    nGenes: s.genes.length,
    nConditions: s.conditions.length,
    normalized: false,
    conditionColumn: r.columns.condition,
    unmeasuredGenes: r.unmeasuredGenes,
    seconds: result.seconds,
    manifest: result.manifest,
    stats: s,
  };
}
