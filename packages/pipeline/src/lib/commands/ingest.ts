import { resolve } from 'node:path';
import { GearsUsageError } from '@gears-pipeline/core';
import { DEFAULT_OUT_DIR, INGEST_ENGINES, parseObsFilter, type IngestArgs, type IngestResult } from '@gears-pipeline/ingest';
import type { Command } from '../command.ts';
import { ingestStage } from '../stage-definitions.ts';
import { runStageCommand, WAIT_OPTION, WAIT_USAGE } from '../stage-command.ts';

const FORMATS = ['auto', 'h5ad', 'mtx', 'parquet', 'pseudobulk'];
const PSEUDOBULK_KINDS = ['auto', 'lfc', 'mean'];
const NORMALIZE = ['auto', 'counts', 'none'];

function int(name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new GearsUsageError(`--${name} must be an integer ≥ ${min}, got ${String(v)}`);
  return n;
}

function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'read Perturb-seq data (h5ad, 10x MTX, Parquet) or a pseudobulk table into per-condition statistics and cell tables',
  usage: [
    'usage: gears ingest --input <file|dir> [options]',
    '',
    '  --input PATH             .h5ad file, 10x directory or matrix.mtx[.gz], cells.parquet (dir or file),',
    '                           or a pseudobulk table (.tsv/.csv[.gz]/.parquet: one row per condition, no cells)',
    `  --out DIR                dataset directory, replaced atomically (default ${DEFAULT_OUT_DIR})`,
    '  --format F               auto|h5ad|mtx|parquet|pseudobulk (default auto: from the extension / directory;',
    '                           a .parquet file without gene_index/value list columns is a pseudobulk table)',
    '  --pseudobulk-kind K      pseudobulk: auto|lfc|mean (default auto: mean when a ctrl row holds non-zero',
    '                           values, else log fold change vs control, with a ctrl row of zeros synthesised)',
    '  --pseudobulk-duplicates D  pseudobulk: rows naming the same condition are averaged (average, default) or refused (error)',
    '  --n-cells-column NAME    pseudobulk: cells behind each row (default n_cells when present, else 1)',
    '  --metadata-column NAME   pseudobulk: a column that is metadata, not a gene, even when numeric; repeatable',
    '  --cell-metadata PATH     10x: TSV/CSV/Parquet table with a barcode and a perturbation column',
    '  --barcode-column NAME    10x: barcode column of the cell-metadata table',
    '  --condition-column NAME  perturbation column (default condition, then perturbation, gears_condition)',
    '  --control-label L        label meaning control; repeatable (default ctrl, control, non-targeting, NT)',
    '  --separator S            separator between genes in a label (default +)',
    '  --obs-filter KEY=VALUE   keep only cells with this metadata value; repeatable: values of one key are',
    '                           alternatives (any), different keys must all match (e.g. dataset=norman19)',
    '  --normalize M            auto|counts|none: counts → 1e4 per cell + log1p; auto detects raw counts',
    '  --hvg N                  keep the N most variable genes (scanpy seurat flavour) + perturbed genes; 0 = all',
    '  --keep-gene G            always keep this gene; repeatable (an unknown gene is an error)',
    '  --gene-column NAME       var column with gene symbols (h5ad) or id|symbol (10x features)',
    "  --layer NAME             h5ad: read layers/NAME instead of X (e.g. counts, where scanpy users keep them)",
    '  --use-raw                h5ad: read raw/X and raw/var (adata.raw) instead of X and var',
    '  --chunk-size N           cells per streamed chunk (default 2048)',
    '  --min-cells N            drop conditions with fewer cells (with a warning)',
    '  --mtx-sort-mb N          10x: memory (MiB) for putting an MTX not sorted by cell in order; above it,',
    '                           an external sort in temporary files beside --out (default 512)',
    '  --engine E               builtin|duckdb: what computes the statistics (duckdb: Parquet cells input,',
    '                           runs packages/ingest/sql/condition_gene_stats.sql; needs @duckdb/node-api)',
    WAIT_USAGE,
    '',
    'example: gears ingest --input data/norman2019-devel/devel.h5ad --obs-filter dataset=norman19',
    '         gears ingest --input data/norman2019-pseudobulk/lfc.tsv.gz --out gears-out/dataset',
  ].join('\n'),
  options: {
    input: { type: 'string', short: 'i' },
    out: { type: 'string', short: 'o' },
    format: { type: 'string' },
    'cell-metadata': { type: 'string' },
    'barcode-column': { type: 'string' },
    'condition-column': { type: 'string' },
    'control-label': { type: 'string', multiple: true },
    separator: { type: 'string' },
    'obs-filter': { type: 'string', multiple: true },
    normalize: { type: 'string' },
    hvg: { type: 'string' },
    'keep-gene': { type: 'string', multiple: true },
    'gene-column': { type: 'string' },
    layer: { type: 'string' },
    'use-raw': { type: 'boolean' },
    'chunk-size': { type: 'string' },
    'min-cells': { type: 'string' },
    'mtx-sort-mb': { type: 'string' },
    'pseudobulk-kind': { type: 'string' },
    'pseudobulk-duplicates': { type: 'string' },
    'n-cells-column': { type: 'string' },
    'metadata-column': { type: 'string', multiple: true },
    engine: { type: 'string' },
    ...WAIT_OPTION,
  },
  async run(values, _pos, ctx) {
    if (!values.input) throw new GearsUsageError('--input is required (an .h5ad file, a 10x directory, a cells.parquet table or a pseudobulk table)');
    const format = String(values.format ?? 'auto');
    if (!FORMATS.includes(format)) throw new GearsUsageError(`--format must be one of ${FORMATS.join(', ')}, got ${format}`);
    const normalize = String(values.normalize ?? 'auto');
    const pseudobulkKind = String(values['pseudobulk-kind'] ?? 'auto');
    if (!PSEUDOBULK_KINDS.includes(pseudobulkKind)) throw new GearsUsageError(`--pseudobulk-kind must be one of ${PSEUDOBULK_KINDS.join(', ')}, got ${pseudobulkKind}`);
    const engine = String(values.engine ?? 'builtin');
    if (!INGEST_ENGINES.includes(engine as never)) throw new GearsUsageError(`--engine must be one of ${INGEST_ENGINES.join(', ')}, got ${engine}`);
    if (!NORMALIZE.includes(normalize)) throw new GearsUsageError(`--normalize must be one of ${NORMALIZE.join(', ')}, got ${normalize}`);
    // a repeated column means any of its values; different columns must all match
    const obsFilter = parseObsFilter(list(values['obs-filter']) ?? []);
    const at = (p: unknown) => (p === undefined ? undefined : resolve(ctx.cwd, String(p)));
    const duplicates = String(values['pseudobulk-duplicates'] ?? 'average');
    if (!['average', 'error'].includes(duplicates)) throw new GearsUsageError(`--pseudobulk-duplicates must be average or error, got ${duplicates}`);
    const args: IngestArgs = {
      input: at(values.input)!,
      outDir: at(values.out ?? DEFAULT_OUT_DIR),
      format: format as IngestArgs['format'],
      cellMetadata: at(values['cell-metadata']),
      barcodeColumn: values['barcode-column'] as string | undefined,
      conditionColumn: values['condition-column'] as string | undefined,
      controlLabels: list(values['control-label']),
      separator: values.separator as string | undefined,
      obsFilter,
      normalize: normalize as IngestArgs['normalize'],
      hvg: int('hvg', values.hvg, 0),
      keepGenes: list(values['keep-gene']),
      geneColumn: values['gene-column'] as string | undefined,
      layer: values.layer as string | undefined,
      useRaw: values['use-raw'] ? true : undefined,
      chunkSize: int('chunk-size', values['chunk-size'], 1),
      minCells: int('min-cells', values['min-cells'], 0),
      mtxSortBudget: values['mtx-sort-mb'] === undefined ? undefined : int('mtx-sort-mb', values['mtx-sort-mb'], 1)! * 1024 * 1024,
      pseudobulkKind: pseudobulkKind as IngestArgs['pseudobulkKind'],
      pseudobulkDuplicates: duplicates as IngestArgs['pseudobulkDuplicates'],
      nCellsColumn: values['n-cells-column'] as string | undefined,
      metadataColumns: list(values['metadata-column']),
      engine: engine as IngestArgs['engine'],
    };
    const r = (await runStageCommand(ingestStage(args), { force: true, wait: Boolean(values.wait), log: ctx.log })).result as IngestResult;
    const what = r.format === 'pseudobulk' ? `a pseudobulk table (${r.pseudobulkKind === 'lfc' ? 'log fold changes' : 'mean expression'}, no cells):` : `${r.nCells} cells ×`;
    process.stdout.write(`ingested ${what} ${r.nGenes} genes in ${r.nConditions} conditions → ${r.outDir} (${r.seconds.toFixed(1)} s)\n`);
  },
};
