/**
 * From per-cell metadata to canonical GEARS conditions: pick the condition column, apply the
 * user's metadata filter (`dataset=norman19`), map control labels and separators onto the
 * canonical form (core `canonicalCondition`), drop conditions below --min-cells, and refuse
 * inputs GEARS cannot use (no control, single-cell conditions: scanpy's t-test fails on them).
 */
import { CONTROL, DEFAULT_CONTROL_LABELS, GearsInputError, canonicalCondition, checkConditionLabel, conditionGenes, type ConditionInfo, type Logger } from '@gears-pipeline/core';
import type { CellSource } from './source.ts';
import { obsFilterValues, type ObsFilter } from './obs-filter.ts';

/** Columns tried, in order, when no --condition-column is given. */
export const DEFAULT_CONDITION_COLUMNS = ['condition', 'perturbation', 'gears_condition'];

export interface ConditionOptions {
  /** metadata column naming each cell's perturbation; default: first of DEFAULT_CONDITION_COLUMNS present */
  conditionColumn?: string;
  /** labels meaning control (case-insensitive); default core DEFAULT_CONTROL_LABELS */
  controlLabels?: string[];
  /** separator between genes in a label; default `+` */
  separator?: string;
  /** keep only cells whose metadata matches every column (one of the values given for it) */
  obsFilter?: ObsFilter;
  /** drop conditions with fewer cells than this (with a warning); default: keep all, fail on single-cell conditions */
  minCells?: number;
}

export interface CellPlan {
  /** the column the conditions came from */
  conditionColumn: string;
  /** conditions, sorted by name (`ctrl` among them) */
  conditions: ConditionInfo[];
  controlIndex: number;
  /** condition index per cell in file order, −1 for cells not ingested */
  cellCondition: Int32Array;
  /** number of cells ingested */
  nKept: number;
  /** perturbed genes that are not among the measured genes (still valid conditions) */
  unmeasuredGenes: string[];
}

export function planCells(source: CellSource, opts: ConditionOptions, log: Logger): CellPlan {
  const available = source.metadataColumns;
  const column = opts.conditionColumn ?? DEFAULT_CONDITION_COLUMNS.find((c) => available.includes(c));
  const labels = column ? source.metadata(column) : undefined;
  if (!column || !labels) {
    throw new GearsInputError({
      file: source.metadataFile,
      field: column ?? DEFAULT_CONDITION_COLUMNS.join(' / '),
      problem: `condition column is missing; available columns: ${available.join(', ') || '(none)'}`,
      fix: 'name the column holding each cell\'s perturbation with --condition-column',
    });
  }
  const n = source.nCells;
  const keep = new Uint8Array(n).fill(1);
  for (const [key, wanted] of Object.entries(opts.obsFilter ?? {})) {
    const values = new Set(obsFilterValues(wanted));
    const value = [...values].join(' or ');
    const col = source.metadata(key);
    if (!col) {
      throw new GearsInputError({ file: source.metadataFile, field: key, problem: `--obs-filter names a missing column; available columns: ${available.join(', ')}`, fix: 'use one of the available columns in --obs-filter column=value' });
    }
    let matched = 0;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (!values.has(col[i])) keep[i] = 0;
      else {
        matched++;
        if (keep[i]) kept++;
      }
    }
    if (matched === 0) {
      const seen = [...new Set(col)].slice(0, 20);
      throw new GearsInputError({ file: source.metadataFile, field: key, problem: `no cell has ${key}=${value}; values seen: ${seen.join(', ')}`, fix: 'correct the value in --obs-filter' });
    }
    // what each filter kept, so a filter that removed more than meant shows in the log
    log.info('ingest.obs_filter', { file: source.metadataFile, column: key, values: [...values], matched, keptAfterFilters: kept });
  }
  const parse = { controlLabels: opts.controlLabels ?? DEFAULT_CONTROL_LABELS, separator: opts.separator ?? '+' };
  checkLabels(source, column, labels, keep, parse, log);
  const canonical = new Map<string, string>();
  const names = new Array<string>(n);
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const raw = labels[i];
    let c = canonical.get(raw);
    if (c === undefined) {
      c = canonicalCondition(raw, parse);
      canonical.set(raw, c);
    }
    if (c === '') {
      keep[i] = 0;
      missing++;
      continue;
    }
    names[i] = c;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  if (missing > 0) log.warn('ingest.cells_without_condition', { file: source.metadataFile, column, cells: missing, note: 'cells with an empty condition are skipped' });
  if (!counts.has(CONTROL)) {
    const seen = [...canonical.keys()].filter((k) => k !== '').slice(0, 30);
    throw new GearsInputError({
      file: source.metadataFile,
      field: column,
      problem: `no control cells: none of the labels (${parse.controlLabels.join(', ')}) occurs; labels seen: ${seen.join(', ')}${canonical.size > 30 ? ', …' : ''}`,
      fix: 'name your control label with --control-label (e.g. --control-label non-targeting)',
    });
  }
  const minCells = opts.minCells ?? 0;
  if (minCells > 0) {
    const dropped = [...counts].filter(([c, k]) => k < minCells && c !== CONTROL);
    if (dropped.length > 0) {
      log.warn('ingest.conditions_dropped', { reason: `fewer than ${minCells} cells (--min-cells)`, conditions: dropped.map(([c, k]) => `${c} (${k})`) });
      for (const [c] of dropped) counts.delete(c);
    }
  }
  const single = [...counts].filter(([, k]) => k < 2).map(([c]) => c);
  if (single.length > 0) {
    throw new GearsInputError({
      file: source.metadataFile,
      field: column,
      problem: `condition${single.length > 1 ? 's' : ''} ${single.join(', ')} ha${single.length > 1 ? 've' : 's'} a single cell; the DE t-test needs at least two cells per condition (the reference's scanpy fails on it)`,
      fix: 'remove those cells, or drop small conditions with --min-cells 2 (or higher)',
    });
  }
  const order = [...counts.keys()].sort();
  const index = new Map(order.map((c, i) => [c, i]));
  const cellCondition = new Int32Array(n).fill(-1);
  let nKept = 0;
  for (let i = 0; i < n; i++) {
    if (!keep[i]) continue;
    const c = index.get(names[i]);
    if (c === undefined) continue;
    cellCondition[i] = c;
    nKept++;
  }
  const conditions: ConditionInfo[] = order.map((name) => ({ name, genes: conditionGenes(name), nCells: counts.get(name)!, isControl: name === CONTROL }));
  const measured = new Set(source.genes);
  const unmeasuredGenes = [...new Set(conditions.flatMap((c) => c.genes))].filter((g) => !measured.has(g)).sort();
  reportCaseDifferences(source, conditions.map((c) => c.name), unmeasuredGenes, log);
  if (unmeasuredGenes.length > 0) {
    log.warn('ingest.perturbed_genes_not_measured', {
      file: source.file,
      genes: unmeasuredGenes,
      note: 'these perturbed genes are not among the measured genes; their conditions are kept (GEARS predicts them through the GO graph)',
    });
  }
  return { conditionColumn: column, conditions, controlIndex: index.get(CONTROL)!, cellCondition, nKept, unmeasuredGenes };
}

/**
 * Labels that canonicalisation would silently turn into another condition (`A++B` → `A+B`,
 * `A+A` → `A+ctrl`) are errors naming the label and its cells; labels with white space
 * (`G + ctrl`) are accepted (trimmed) with a warning.
 */
function checkLabels(source: CellSource, column: string, labels: string[], keep: Uint8Array, parse: { controlLabels: string[]; separator: string }, log: Logger): void {
  const checked = new Map<string, boolean>();
  const spaced: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (!keep[i]) continue;
    const raw = labels[i];
    if (checked.has(raw)) continue;
    const c = checkConditionLabel(raw, parse);
    checked.set(raw, true);
    if (c.spaces) spaced.push(raw);
    if (c.error) {
      const cells: string[] = [];
      let count = 0;
      for (let j = 0; j < labels.length; j++) {
        if (labels[j] !== raw || !keep[j]) continue;
        count++;
        if (cells.length < 3) cells.push(source.cellIds[j] ?? `row ${j}`);
      }
      throw new GearsInputError({
        file: source.metadataFile,
        field: column,
        problem: `condition "${raw}": ${c.error}; ${count} cell${count > 1 ? 's' : ''} (${cells.join(', ')}${count > 3 ? ', …' : ''})`,
        fix: `correct the label in the cell metadata (genes joined by "${parse.separator}", e.g. A${parse.separator}B or A${parse.separator}ctrl; --separator sets the separator)`,
      });
    }
  }
  if (spaced.length > 0) {
    log.warn('ingest.condition_spaces', { file: source.metadataFile, column, conditions: spaced.slice(0, 20), note: 'labels with white space are trimmed around each gene (G + ctrl = G+ctrl); check that this is what was meant' });
  }
}

/**
 * Case slips: perturbed genes that are not measured under that spelling but are under another
 * case (`foxa1` vs `FOXA1`), and conditions whose names differ only in case. Reported, not fixed.
 */
function reportCaseDifferences(source: CellSource, names: string[], unmeasured: string[], log: Logger): void {
  const byLower = new Map<string, string>();
  for (const g of source.genes) if (!byLower.has(g.toLowerCase())) byLower.set(g.toLowerCase(), g);
  const slips = unmeasured.filter((g) => byLower.has(g.toLowerCase())).map((g) => `${g} (measured: ${byLower.get(g.toLowerCase())})`);
  if (slips.length > 0) {
    log.warn('ingest.perturbed_gene_case', { file: source.file, genes: slips, note: 'these perturbed genes match a measured gene only when case is ignored; gene names are case-sensitive, so correct the labels if they mean the same gene' });
  }
  const conds = new Map<string, string[]>();
  for (const n of names) conds.set(n.toLowerCase(), [...(conds.get(n.toLowerCase()) ?? []), n]);
  const clashes = [...conds.values()].filter((v) => v.length > 1).map((v) => v.join(' / '));
  if (clashes.length > 0) {
    log.warn('ingest.condition_case', { file: source.metadataFile, conditions: clashes, note: 'conditions that differ only in case are kept apart; correct the labels if they are the same perturbation' });
  }
}
