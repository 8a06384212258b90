/**
 * Which columns of a pseudobulk table are what. The rule (documented in the ingest README):
 *
 * 1. the condition column: `conditionColumn`, else the first of PSEUDOBULK_CONDITION_COLUMNS present;
 * 2. the n-cells column: `nCellsColumn`, else the first of N_CELLS_COLUMNS present (optional);
 * 3. with `geneColumns`, exactly those are genes and every other column is metadata;
 * 4. otherwise a column is metadata when its name is in KNOWN_METADATA_COLUMNS or `metadataColumns`,
 *    or when it holds text and no number (columns such as `type`, `gene1`); every other column is
 *    a gene column, and each of its values must then be a finite number (so a typo in a gene
 *    column, or an all-NaN gene column, is an error rather than a silently dropped gene).
 */
import { GearsInputError } from '@gears-pipeline/core';
import { KNOWN_METADATA_COLUMNS, N_CELLS_COLUMNS, PSEUDOBULK_CONDITION_COLUMNS, type PseudobulkOptions } from './options.ts';
import { parseNumber, type RawTable } from './table.ts';

export interface ColumnRoles {
  condition: string;
  nCells?: string;
  genes: string[];
  metadata: string[];
}

function list(cols: readonly string[], max = 12): string {
  return cols.length > max ? `${cols.slice(0, max).join(', ')}, … (${cols.length} columns)` : cols.join(', ') || '(none)';
}

export function classifyColumns(t: RawTable, opts: PseudobulkOptions): ColumnRoles {
  const has = new Set(t.columns);
  const condition = opts.conditionColumn ?? PSEUDOBULK_CONDITION_COLUMNS.find((c) => has.has(c));
  if (!condition || !has.has(condition)) {
    throw new GearsInputError({
      file: t.file,
      field: condition ?? PSEUDOBULK_CONDITION_COLUMNS.join(' / '),
      problem: `condition column is missing; available columns: ${list(t.columns)}`,
      fix: 'name the column holding each row\'s perturbation with --condition-column (conditionColumn)',
    });
  }
  const nCells = opts.nCellsColumn ?? N_CELLS_COLUMNS.find((c) => has.has(c));
  if (nCells !== undefined && !has.has(nCells)) {
    throw new GearsInputError({ file: t.file, field: nCells, problem: `n-cells column is missing; available columns: ${list(t.columns)}`, fix: 'name an existing column, or leave nCellsColumn unset (1 cell per row)' });
  }
  const special = new Set([condition, ...(nCells ? [nCells] : [])]);
  const others = t.columns.filter((c) => !special.has(c));
  if (opts.geneColumns) {
    const missing = opts.geneColumns.filter((g) => !has.has(g));
    if (missing.length > 0) {
      throw new GearsInputError({ file: t.file, field: missing.slice(0, 10).join(', '), problem: 'geneColumns names columns the table does not have', fix: 'list only existing columns in geneColumns, or leave it unset to take every numeric column' });
    }
    const genes = new Set(opts.geneColumns);
    return { condition, nCells, genes: others.filter((c) => genes.has(c)), metadata: others.filter((c) => !genes.has(c)) };
  }
  const known = new Set([...KNOWN_METADATA_COLUMNS, ...(opts.metadataColumns ?? [])]);
  const genes: string[] = [];
  const metadata: string[] = [];
  for (const c of others) {
    const parsed = t.data.get(c)!.map(parseNumber);
    // text and no number: metadata; an all-missing column stays a gene column (and fails below)
    if (known.has(c) || (!parsed.some((v) => typeof v === 'number') && parsed.some((v) => v === null))) metadata.push(c);
    else genes.push(c);
  }
  if (genes.length === 0) {
    throw new GearsInputError({ file: t.file, field: '(gene columns)', problem: `has no numeric gene column; metadata columns: ${list(metadata)}`, fix: 'write one numeric column per gene (mean expression or log fold change), or name them with geneColumns' });
  }
  return { condition, nCells, genes, metadata };
}

/** The gene columns parsed into a dense [rows × genes] matrix; every value must be a finite number. */
export function geneMatrix(t: RawTable, roles: ColumnRoles, rowLabel: (r: number) => string): Float64Array {
  const G = roles.genes.length;
  const out = new Float64Array(t.rows * G);
  roles.genes.forEach((gene, g) => {
    const col = t.data.get(gene)!;
    for (let r = 0; r < t.rows; r++) {
      const v = parseNumber(col[r]);
      if (typeof v === 'number') {
        out[r * G + g] = v;
        continue;
      }
      const raw = String(col[r] ?? '');
      throw new GearsInputError({
        file: t.file,
        field: `column ${gene}, ${rowLabel(r)}`,
        problem: v === undefined
          ? `value ${raw === '' ? '(empty)' : `"${raw}"`} is missing or not finite (NaN / Inf)`
          : `value "${raw}" is not a number`,
        fix: v === undefined
          ? `fill in every gene value (0 means no change in a log-fold-change table), drop the column, or list it with --metadata-column ${gene} if it is not a gene`
          : `correct the value; if ${gene} is not a gene but metadata, list it in metadataColumns (--metadata-column ${gene})`,
      });
    }
  });
  return out;
}
