/**
 * Options and column-name conventions of the pseudobulk reader (one row per condition: mean
 * expression or log fold change, no cells).
 */
import type { ObsFilter } from '../obs-filter.ts';

/**
 * `lfc`: values are changes against control (a `ctrl` row of zeros is synthesised; a `ctrl` row in
 * the table must be ≈ 0). `mean`: values are mean expression; the table must have a `ctrl` row.
 * `auto`: `mean` when the table has a `ctrl` row with a non-zero value, else `lfc`.
 */
export type PseudobulkKind = 'auto' | 'lfc' | 'mean';

/** What replicate rows of one condition become: averaged (default) or an error. */
export type PseudobulkDuplicates = 'average' | 'error';

export interface PseudobulkOptions {
  kind?: PseudobulkKind;
  /** column naming each row's perturbation; default: first of PSEUDOBULK_CONDITION_COLUMNS present */
  conditionColumn?: string;
  /** labels meaning control (case-insensitive); default core DEFAULT_CONTROL_LABELS */
  controlLabels?: string[];
  /** separator between genes in a condition label; default `+` (e.g. `_` for `A_B`) */
  separator?: string;
  /** column with the number of cells behind each row; default: first of N_CELLS_COLUMNS present, else 1 cell per row */
  nCellsColumn?: string;
  /** the gene columns, exactly (every other column is metadata); default: see `classifyColumns` */
  geneColumns?: string[];
  /** extra columns that are metadata even when numeric (added to KNOWN_METADATA_COLUMNS) */
  metadataColumns?: string[];
  /** keep only rows whose metadata column equals the value, e.g. { dataset: 'norman19' } */
  obsFilter?: ObsFilter;
  /** drop rows whose n_cells is below this (needs an n-cells column); default keep all */
  minCells?: number;
  /** rows naming the same condition: `average` them (default; n_cells summed) or refuse them (`error`) */
  duplicates?: PseudobulkDuplicates;
}

/** Condition columns tried in order when none is named (GEARS and scPerturb-style names). */
export const PSEUDOBULK_CONDITION_COLUMNS = ['condition', 'perturbation', 'gears_condition', 'condition_name', 'perturbation_name'];

/** Cell-count columns tried in order when none is named. */
export const N_CELLS_COLUMNS = ['n_cells', 'ncells', 'num_cells', 'cell_count', 'n_obs'];

/**
 * Column names that are never genes, even when their values are numbers (so `n_cells`, `dose` or
 * a 0/1 flag such as `both_singles_present` do not become gene columns). Matched exactly.
 */
export const KNOWN_METADATA_COLUMNS = [
  ...PSEUDOBULK_CONDITION_COLUMNS,
  ...N_CELLS_COLUMNS,
  'type', 'gene1', 'gene2', 'gene3', 'both_singles_present', 'dataset', 'cell_type', 'cell_line',
  'perturbation_type', 'pert_type', 'nperts', 'n_perts', 'dose', 'dose_value', 'dose_unit', 'time',
  'batch', 'replicate', 'is_control', 'control', 'split', 'subgroup', 'organism', 'guide_id', 'target',
  'index', 'Unnamed: 0',
];
