/**
 * A pseudobulk table (one row per condition: mean expression or log fold change per gene, no
 * cells) → core `DatasetStats`, so split, graphs, train (objective `moments`), predict and
 * evaluate run on it unchanged.
 *
 * What the statistics hold (documented in the ingest README, "Pseudobulk tables"):
 * - mean = the table's value; for `lfc` the control row is all zeros (synthesised when absent),
 *   so mean − control = the fold change; gene mean = the control mean (0 for `lfc`);
 * - m2 = m3 = m4 = 0 and t = 0: there is no within-condition variance, so the `moments` objective
 *   becomes the reference loss at the means (error of means) and no t statistic exists;
 * - de_rank ranks genes by |mean − control mean| (ingest `rankByAbsDelta`), −1 for control;
 * - n = the n-cells column, else 1; nonzero = n where the value is non-zero for `mean` tables, n
 *   everywhere for `lfc` tables (a fold change carries no dropout information).
 */
import { CONTROL, DEFAULT_CONTROL_LABELS, GearsInputError, canonicalCondition, checkConditionLabel, conditionGenes, silentLogger, type ConditionInfo, type DatasetStats, type GeneInfo, type Logger } from '@gears-pipeline/core';
import { rankByAbsDelta } from '../stats/de.ts';
import { classifyColumns, geneMatrix, type ColumnRoles } from './columns.ts';
import { N_CELLS_COLUMNS, type PseudobulkOptions } from './options.ts';
import { cellText, parseNumber, readRawTable, type RawTable } from './table.ts';
import { obsFilterValues } from '../obs-filter.ts';

/** |value| up to which a `ctrl` row of an lfc table counts as zero */
export const LFC_CONTROL_TOLERANCE = 1e-6;

export interface PseudobulkTable {
  file: string;
  stats: DatasetStats;
  /** the kind the values were read as (`auto` resolved) */
  kind: 'lfc' | 'mean';
  /** whether the `ctrl` row came from the table (else synthesised as zeros) */
  controlInTable: boolean;
  columns: ColumnRoles;
  /** rows dropped by obsFilter / minCells */
  droppedRows: number;
  /** perturbed genes that are not gene columns (their conditions are kept) */
  unmeasuredGenes: string[];
  /** conditions whose replicate rows were averaged → number of rows */
  averagedRows: Record<string, number>;
}

/**
 * Reads a pseudobulk table into dataset statistics.
 * @example const s = await readPseudobulkStats('data/norman2019-pseudobulk/lfc.tsv.gz'); // kind auto → lfc
 */
export async function readPseudobulkStats(path: string, options: PseudobulkOptions = {}): Promise<DatasetStats> {
  return (await readPseudobulk(path, options)).stats;
}

/** `readPseudobulkStats` with what was decided along the way (kind, columns, dropped rows). */
export async function readPseudobulk(path: string, options: PseudobulkOptions = {}, log: Logger = silentLogger): Promise<PseudobulkTable> {
  const kindOpt = options.kind ?? 'auto';
  if (!['auto', 'lfc', 'mean'].includes(kindOpt)) {
    throw new GearsInputError({ file: path, field: 'kind', problem: `unknown pseudobulk kind ${String(kindOpt)}`, fix: 'use auto, lfc or mean' });
  }
  const table = filterRows(await readRawTable(path), options, log);
  const roles = classifyColumns(table.t, options);
  log.info('ingest.pseudobulk_columns', { file: path, condition: roles.condition, nCells: roles.nCells ?? null, genes: roles.genes.length, metadata: roles.metadata });

  // conditions: canonical names, no empty labels or genes; replicate rows averaged (or refused)
  const parse = { controlLabels: options.controlLabels ?? DEFAULT_CONTROL_LABELS, separator: options.separator ?? '+' };
  const labels = table.t.data.get(roles.condition)!.map(cellText);
  const rowLabelRaw = (r: number) => `${table.t.where(table.rows[r])} (${roles.condition} ${labels[r] || '(empty)'})`;
  const rowsOf = new Map<string, number[]>();
  const spaced: string[] = [];
  for (let r = 0; r < table.t.rows; r++) {
    const check = checkConditionLabel(labels[r], parse);
    if (check.error) throw new GearsInputError({ file: path, field: `column ${roles.condition}, ${table.t.where(table.rows[r])}`, problem: `condition "${labels[r]}": ${check.error}`, fix: `correct the label (genes joined by "${parse.separator}", e.g. A${parse.separator}B or A${parse.separator}ctrl)` });
    if (check.spaces) spaced.push(labels[r]);
    const name = canonicalCondition(labels[r], parse);
    if (name === '') throw new GearsInputError({ file: path, field: `column ${roles.condition}, ${table.t.where(table.rows[r])}`, problem: 'the condition is empty', fix: 'name the perturbation of every row (ctrl, A+ctrl, A+B), or remove the row' });
    const prev = rowsOf.get(name);
    if (prev && (options.duplicates ?? 'average') === 'error') {
      throw new GearsInputError({ file: path, field: `column ${roles.condition}`, problem: `condition ${name} occurs twice (${rowLabelRaw(prev[0])} and ${rowLabelRaw(r)})`, fix: 'keep one row per condition, or let replicate rows be averaged (--pseudobulk-duplicates average, the default); labels are matched after canonicalisation (B+A = A+B, ctrl+A = A+ctrl)' });
    }
    if (prev) prev.push(r);
    else rowsOf.set(name, [r]);
  }
  if (spaced.length > 0) log.warn('ingest.condition_spaces', { file: path, column: roles.condition, conditions: spaced.slice(0, 20), note: 'labels with white space are trimmed around each gene (G + ctrl = G+ctrl); check that this is what was meant' });
  const rowNCells = table.t.rows > 0 ? cellCounts(table.t, roles, rowLabelRaw) : [];
  const rowValues = geneMatrix(table.t, roles, rowLabelRaw);
  const G0 = roles.genes.length;
  // one row per condition: replicates (e.g. split halves) averaged value by value, their cells summed
  const names = [...rowsOf.keys()];
  const rowOf = new Map(names.map((n, u) => [n, u]));
  const firstRow = names.map((n) => rowsOf.get(n)![0]);
  const rowLabel = (u: number) => rowLabelRaw(firstRow[u]);
  const values = new Float64Array(names.length * G0);
  const nCells: number[] = [];
  const averaged: Record<string, number> = {};
  names.forEach((n, u) => {
    const rows = rowsOf.get(n)!;
    for (const r of rows) for (let g = 0; g < G0; g++) values[u * G0 + g] += rowValues[r * G0 + g] / rows.length;
    nCells.push(rows.reduce((a, r) => a + rowNCells[r], 0));
    if (rows.length > 1) averaged[n] = rows.length;
  });
  if (Object.keys(averaged).length > 0) {
    log.warn('ingest.pseudobulk_replicates_averaged', { file: path, conditions: Object.entries(averaged).slice(0, 20).map(([c, k]) => `${c} (${k} rows)`), count: Object.keys(averaged).length, note: 'rows naming the same condition are averaged value by value (n_cells summed); --pseudobulk-duplicates error refuses them' });
  }
  const G = roles.genes.length;

  // kind and control
  const ctrlRow = rowOf.get(CONTROL);
  const ctrlMax = ctrlRow === undefined ? 0 : maxAbs(values.subarray(ctrlRow * G, (ctrlRow + 1) * G));
  let kind: 'lfc' | 'mean';
  if (kindOpt === 'auto') {
    kind = ctrlRow !== undefined && ctrlMax > LFC_CONTROL_TOLERANCE ? 'mean' : 'lfc';
    if (ctrlRow === undefined && !values.some((v) => v < 0)) {
      log.warn('ingest.pseudobulk_kind', { file: path, kind, note: 'no control row and no negative value: read as log fold changes; if the values are mean expression, add a ctrl row (kind mean)' });
    }
  } else kind = kindOpt;
  if (kind === 'mean' && ctrlRow === undefined) {
    throw new GearsInputError({
      file: path,
      field: `column ${roles.condition}`,
      problem: `kind mean needs a control row, and none of the labels (${parse.controlLabels.join(', ')}) occurs`,
      fix: 'add a row with the control mean expression, name its label with --control-label, or use --pseudobulk-kind lfc if the values are changes against control',
    });
  }
  if (kind === 'lfc' && ctrlRow !== undefined && ctrlMax > LFC_CONTROL_TOLERANCE) {
    const row = values.subarray(ctrlRow * G, (ctrlRow + 1) * G);
    const g = row.findIndex((v) => Math.abs(v) === ctrlMax);
    throw new GearsInputError({
      file: path,
      field: `column ${roles.genes[g]}, ${rowLabel(ctrlRow)}`,
      problem: `a log-fold-change table's control row must be 0, but holds ${row[g]}`,
      fix: 'remove the ctrl row (it is synthesised as zeros), or use --pseudobulk-kind mean if the values are mean expression',
    });
  }
  const controlInTable = ctrlRow !== undefined;
  const conds = [...new Set([...names, CONTROL])].sort();
  const C = conds.length;
  const controlIndex = conds.indexOf(CONTROL);
  const mean = new Float64Array(C * G);
  const nonzero = new Float64Array(C * G);
  const conditions: ConditionInfo[] = conds.map((name, c) => {
    const r = rowOf.get(name);
    const n = r === undefined ? 1 : nCells[r];
    if (r !== undefined && !(kind === 'lfc' && name === CONTROL)) mean.set(values.subarray(r * G, (r + 1) * G), c * G);
    for (let g = 0; g < G; g++) nonzero[c * G + g] = kind === 'lfc' || mean[c * G + g] !== 0 ? n : 0;
    return { name, genes: conditionGenes(name), nCells: n, isControl: name === CONTROL };
  });
  const control = mean.slice(controlIndex * G, (controlIndex + 1) * G);
  const deRank = new Int32Array(C * G).fill(-1);
  for (let c = 0; c < C; c++) if (c !== controlIndex) deRank.set(rankByAbsDelta(mean.subarray(c * G, (c + 1) * G), control), c * G);

  const perturbed = new Set(conditions.flatMap((c) => c.genes));
  const measured = new Set(roles.genes);
  const unmeasuredGenes = [...perturbed].filter((g) => !measured.has(g)).sort();
  if (unmeasuredGenes.length > 0) {
    log.warn('ingest.perturbed_genes_not_measured', { file: path, genes: unmeasuredGenes, note: 'these perturbed genes are not gene columns; their conditions are kept (GEARS predicts them through the GO graph)' });
  }
  const genes: GeneInfo[] = roles.genes.map((gene, g) => ({ gene, geneId: gene, mean: control[g], dispersionNorm: 0, highlyVariable: true, isPerturbed: perturbed.has(gene) }));
  const zeros = () => new Float64Array(C * G);
  const stats: DatasetStats = { genes, conditions, controlIndex, mean, m2: zeros(), m3: zeros(), m4: zeros(), nonzero, t: zeros(), deRank };
  log.info('ingest.pseudobulk', { file: path, kind, conditions: C, genes: G, controlRow: controlInTable ? 'from the table' : 'synthesised (zeros)' });
  return { file: path, stats, kind, controlInTable, columns: roles, droppedRows: table.dropped, unmeasuredGenes, averagedRows: averaged };
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) if (Math.abs(v) > m) m = Math.abs(v);
  return m;
}

/** The n-cells column as positive integers (1 per row without one). */
function cellCounts(t: RawTable, roles: ColumnRoles, rowLabel: (r: number) => string): number[] {
  if (!roles.nCells) return new Array<number>(t.rows).fill(1);
  const col = t.data.get(roles.nCells)!;
  return col.map((v, r) => {
    const n = parseNumber(v);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new GearsInputError({ file: t.file, field: `column ${roles.nCells}, ${rowLabel(r)}`, problem: `cell count "${cellText(v)}" is not a positive integer`, fix: `correct it, or name another column with --n-cells-column (or none: 1 cell per row)` });
    }
    return n;
  });
}

/** Applies obsFilter and minCells to the rows; `rows` maps kept rows to their original index. */
function filterRows(t: RawTable, opts: PseudobulkOptions, log: Logger): { t: RawTable; rows: number[]; dropped: number } {
  let keep = Array.from({ length: t.rows }, (_, r) => r);
  for (const [key, wanted] of Object.entries(opts.obsFilter ?? {})) {
    const values = new Set(obsFilterValues(wanted));
    const value = [...values].join(' or ');
    const col = t.data.get(key);
    if (!col) throw new GearsInputError({ file: t.file, field: key, problem: `--obs-filter names a missing column; available columns: ${t.columns.slice(0, 12).join(', ')}${t.columns.length > 12 ? ', …' : ''}`, fix: 'use an existing metadata column, or no --obs-filter (--ingest.obsFilter "" in gears run)' });
    const kept = keep.filter((r) => values.has(cellText(col[r])));
    if (kept.length === 0) throw new GearsInputError({ file: t.file, field: key, problem: `no row has ${key}=${value}; values seen: ${[...new Set(col.map(cellText))].slice(0, 20).join(', ')}`, fix: 'correct the value in --obs-filter' });
    log.info('ingest.obs_filter', { file: t.file, column: key, values: [...values], keptAfterFilters: kept.length });
    keep = kept;
  }
  const minCells = opts.minCells ?? 0;
  if (minCells > 0) {
    const has = new Set(t.columns);
    const nCol = opts.nCellsColumn ?? N_CELLS_COLUMNS.find((c) => has.has(c));
    const col = nCol ? t.data.get(nCol) : undefined;
    if (!col) log.warn('ingest.min_cells_ignored', { file: t.file, reason: 'the table has no n-cells column' });
    else {
      const kept = keep.filter((r) => (parseNumber(col[r]) ?? Infinity) >= minCells);
      if (kept.length < keep.length) log.warn('ingest.conditions_dropped', { reason: `fewer than ${minCells} cells (--min-cells)`, rows: keep.length - kept.length });
      keep = kept;
    }
  }
  if (keep.length === t.rows) return { t, rows: keep, dropped: 0 };
  const data = new Map<string, unknown[]>();
  for (const [k, v] of t.data) data.set(k, keep.map((r) => v[r]));
  return { t: { ...t, data, rows: keep.length, where: (r) => t.where(r) }, rows: keep, dropped: t.rows - keep.length };
}
