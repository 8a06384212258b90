/**
 * The dataset directory written by `gears ingest` and read by every later stage.
 *
 *   genes.parquet                 gene_index, gene, gene_id, mean, dispersion_norm, highly_variable, is_perturbed
 *   conditions.parquet            condition, genes (list), n_genes, n_cells, is_control
 *   condition_gene_stats.parquet  condition, gene, gene_index, n, mean, m2, m3, m4, nonzero, t, de_rank
 *   cells.parquet                 cell_id, condition, library_size, gene_index (list), value (list)
 *   manifest.json
 *
 * m2, m3, m4 are *sums* of the 2nd–4th powers of deviations from the condition mean (Pébay's
 * M2..M4), so variance = m2/n and shards merge exactly. t is the Welch t statistic of the
 * condition against control (ddof 1, NaN → 0); de_rank is the 0-based position of the gene in the
 * condition's ranking by |t| (-1 for control).
 *
 * Pseudobulk datasets (ingest format `pseudobulk`: one mean or log-fold-change profile per
 * condition, no cells) have no cells.parquet (`datasetHasCells` is false, and the manifest notes
 * say `pseudobulk: true`); their m2 = m3 = m4 = 0 and t = 0 (no within-condition variance), and
 * de_rank ranks genes by |mean − control mean| instead of |t|.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readParquetColumns, writeParquetTable, type ParquetColumnSpec } from './parquet.ts';
import { writeFlatParquetTable, type FlatColumn } from './parquet-flat.ts';
import { CONTROL, conditionGenes } from './condition.ts';
import { GearsInputError } from './errors.ts';

export const DATASET_FILES = {
  genes: 'genes.parquet',
  conditions: 'conditions.parquet',
  stats: 'condition_gene_stats.parquet',
  cells: 'cells.parquet',
} as const;

export const CELLS_COLUMNS: ParquetColumnSpec[] = [
  { name: 'cell_id', type: 'STRING' },
  { name: 'condition', type: 'STRING' },
  { name: 'library_size', type: 'DOUBLE' },
  { name: 'gene_index', type: 'LIST_INT32' },
  { name: 'value', type: 'LIST_FLOAT' },
];

export const GENES_COLUMNS: ParquetColumnSpec[] = [
  { name: 'gene_index', type: 'INT32' },
  { name: 'gene', type: 'STRING' },
  { name: 'gene_id', type: 'STRING' },
  { name: 'mean', type: 'DOUBLE' },
  { name: 'dispersion_norm', type: 'DOUBLE' },
  { name: 'highly_variable', type: 'BOOLEAN' },
  { name: 'is_perturbed', type: 'BOOLEAN' },
];

export const CONDITIONS_COLUMNS: ParquetColumnSpec[] = [
  { name: 'condition', type: 'STRING' },
  { name: 'genes', type: 'LIST_STRING' },
  { name: 'n_genes', type: 'INT32' },
  { name: 'n_cells', type: 'INT32' },
  { name: 'is_control', type: 'BOOLEAN' },
];

export const STATS_COLUMNS: ParquetColumnSpec[] = [
  { name: 'condition', type: 'STRING' },
  { name: 'gene', type: 'STRING' },
  { name: 'gene_index', type: 'INT32' },
  { name: 'n', type: 'INT32' },
  { name: 'mean', type: 'DOUBLE' },
  { name: 'm2', type: 'DOUBLE' },
  { name: 'm3', type: 'DOUBLE' },
  { name: 'm4', type: 'DOUBLE' },
  { name: 'nonzero', type: 'INT32' },
  { name: 't', type: 'DOUBLE' },
  { name: 'de_rank', type: 'INT32' },
];

export interface GeneInfo {
  gene: string;
  geneId: string;
  mean: number;
  dispersionNorm: number;
  highlyVariable: boolean;
  isPerturbed: boolean;
}

export interface ConditionInfo {
  name: string;
  genes: string[];
  nCells: number;
  isControl: boolean;
}

/**
 * Per-(condition, gene) sufficient statistics, dense row-major [C × G] in float64.
 * Row c belongs to `conditions[c]`.
 */
export interface DatasetStats {
  genes: GeneInfo[];
  conditions: ConditionInfo[];
  /** index of `ctrl` in `conditions` */
  controlIndex: number;
  mean: Float64Array;
  m2: Float64Array;
  m3: Float64Array;
  m4: Float64Array;
  nonzero: Float64Array;
  t: Float64Array;
  /** 0-based rank of gene g in condition c's |t| ranking; -1 for control */
  deRank: Int32Array;
}

/** Whether the dataset directory holds cells (cells.parquet); pseudobulk datasets do not. */
export function datasetHasCells(dir: string): boolean {
  return existsSync(join(dir, DATASET_FILES.cells));
}

export function geneNames(s: DatasetStats): string[] {
  return s.genes.map((g) => g.gene);
}

export function conditionIndex(s: DatasetStats): Map<string, number> {
  return new Map(s.conditions.map((c, i) => [c.name, i]));
}

/** Row c of a [C × G] array (a view, no copy). */
export function row(a: Float64Array, c: number, G: number): Float64Array {
  return a.subarray(c * G, (c + 1) * G);
}

export function writeDatasetStats(dir: string, s: DatasetStats): void {
  const G = s.genes.length;
  const C = s.conditions.length;
  writeParquetTable(join(dir, DATASET_FILES.genes), GENES_COLUMNS, {
    gene_index: Int32Array.from({ length: G }, (_, i) => i),
    gene: s.genes.map((g) => g.gene),
    gene_id: s.genes.map((g) => g.geneId),
    mean: Float64Array.from(s.genes, (g) => g.mean),
    dispersion_norm: Float64Array.from(s.genes, (g) => (Number.isFinite(g.dispersionNorm) ? g.dispersionNorm : 0)),
    highly_variable: s.genes.map((g) => g.highlyVariable),
    is_perturbed: s.genes.map((g) => g.isPerturbed),
  });
  writeParquetTable(join(dir, DATASET_FILES.conditions), CONDITIONS_COLUMNS, {
    condition: s.conditions.map((c) => c.name),
    genes: s.conditions.map((c) => c.genes),
    n_genes: Int32Array.from(s.conditions, (c) => c.genes.length),
    n_cells: Int32Array.from(s.conditions, (c) => c.nCells),
    is_control: s.conditions.map((c) => c.isControl),
  });
  // [C × G] rows written straight from the typed arrays (the generic writer's bytes; parquet-flat.ts)
  const N = C * G;
  const conditionCode = new Int32Array(N);
  const geneCode = new Int32Array(N);
  const nCol = new Int32Array(N);
  for (let c = 0; c < C; c++) {
    conditionCode.fill(c, c * G, (c + 1) * G);
    nCol.fill(s.conditions[c].nCells, c * G, (c + 1) * G);
    for (let g = 0; g < G; g++) geneCode[c * G + g] = g;
  }
  const columns: Record<string, FlatColumn> = {
    condition: { name: 'condition', type: 'STRING', strings: s.conditions.map((c) => c.name), codes: conditionCode },
    gene: { name: 'gene', type: 'STRING', strings: s.genes.map((g) => g.gene), codes: geneCode },
    gene_index: { name: 'gene_index', type: 'INT32', values: geneCode },
    n: { name: 'n', type: 'INT32', values: nCol },
    mean: { name: 'mean', type: 'DOUBLE', values: s.mean },
    m2: { name: 'm2', type: 'DOUBLE', values: s.m2 },
    m3: { name: 'm3', type: 'DOUBLE', values: s.m3 },
    m4: { name: 'm4', type: 'DOUBLE', values: s.m4 },
    nonzero: { name: 'nonzero', type: 'INT32', values: Int32Array.from(s.nonzero) },
    t: { name: 't', type: 'DOUBLE', values: s.t },
    de_rank: { name: 'de_rank', type: 'INT32', values: s.deRank },
  };
  writeFlatParquetTable(join(dir, DATASET_FILES.stats), STATS_COLUMNS.map((c) => columns[c.name]));
}

/** Reads the statistics an ingest run wrote; validates shapes so a stale or foreign directory fails clearly. */
export async function readDatasetStats(dir: string): Promise<DatasetStats> {
  const gt = await readParquetColumns(join(dir, DATASET_FILES.genes));
  const ct = await readParquetColumns(join(dir, DATASET_FILES.conditions));
  const genes: GeneInfo[] = (gt.gene as string[]).map((gene, i) => ({
    gene,
    geneId: String(gt.gene_id[i]),
    mean: Number(gt.mean[i]),
    dispersionNorm: Number(gt.dispersion_norm[i]),
    highlyVariable: Boolean(gt.highly_variable[i]),
    isPerturbed: Boolean(gt.is_perturbed[i]),
  }));
  const conditions: ConditionInfo[] = (ct.condition as string[]).map((name, i) => ({
    name,
    genes: Array.from((ct.genes[i] as string[]) ?? conditionGenes(name)),
    nCells: Number(ct.n_cells[i]),
    isControl: Boolean(ct.is_control[i]),
  }));
  const G = genes.length;
  const C = conditions.length;
  const controlIndex = conditions.findIndex((c) => c.name === CONTROL);
  const statsPath = join(dir, DATASET_FILES.stats);
  if (controlIndex < 0) {
    throw new GearsInputError({ file: join(dir, DATASET_FILES.conditions), field: 'condition', problem: 'has no ctrl condition', fix: 'rerun gears ingest with the right --control-label' });
  }
  const st = await readParquetColumns(statsPath, ['condition', 'gene_index', 'mean', 'm2', 'm3', 'm4', 'nonzero', 't', 'de_rank']);
  if (st.condition.length !== C * G) {
    throw new GearsInputError({ file: statsPath, field: '(rows)', problem: `has ${st.condition.length} rows, expected ${C} conditions × ${G} genes`, fix: 'rerun gears ingest --force' });
  }
  const ci = new Map(conditions.map((c, i) => [c.name, i]));
  const mk = () => new Float64Array(C * G);
  const s: DatasetStats = { genes, conditions, controlIndex, mean: mk(), m2: mk(), m3: mk(), m4: mk(), nonzero: mk(), t: mk(), deRank: new Int32Array(C * G) };
  for (let k = 0; k < st.condition.length; k++) {
    const c = ci.get(st.condition[k] as string);
    if (c === undefined) {
      throw new GearsInputError({ file: statsPath, field: 'condition', problem: `row ${k} names unknown condition ${String(st.condition[k])}`, fix: 'rerun gears ingest --force' });
    }
    const j = c * G + Number(st.gene_index[k]);
    s.mean[j] = Number(st.mean[k]);
    s.m2[j] = Number(st.m2[k]);
    s.m3[j] = Number(st.m3[k]);
    s.m4[j] = Number(st.m4[k]);
    s.nonzero[j] = Number(st.nonzero[k]);
    s.t[j] = Number(st.t[k]);
    s.deRank[j] = Number(st.de_rank[k]);
  }
  return s;
}

/** The gene lists GEARS derives from the DE ranking and means (reference §1.2), for condition c. */
export interface ConditionGeneLists {
  /** all gene indices in DE rank order (empty for control) */
  ranking: number[];
  /** genes whose mean in the condition is non-zero (sorted by position) */
  nonZero: number[];
  /** non-zero genes ∪ genes zero in both condition and control (sorted by position) */
  nonDropout: number[];
  /** first 20 of the ranking (rank order) */
  topDe20: number[];
  /** first 20 of the ranking that are non-dropouts (rank order) */
  topNonDropoutDe20: number[];
  /** first 20 of the ranking that are non-zero (rank order) */
  topNonZeroDe20: number[];
}

export function conditionGeneLists(s: DatasetStats, c: number, k = 20): ConditionGeneLists {
  const G = s.genes.length;
  const base = c * G;
  const ctrl = s.controlIndex * G;
  const nonZero: number[] = [];
  const nonDropout: number[] = [];
  const isNonZero = new Uint8Array(G);
  const isNonDropout = new Uint8Array(G);
  for (let g = 0; g < G; g++) {
    const nz = s.mean[base + g] !== 0;
    if (nz) {
      nonZero.push(g);
      isNonZero[g] = 1;
    }
    if (nz || s.mean[ctrl + g] === 0) {
      nonDropout.push(g);
      isNonDropout[g] = 1;
    }
  }
  const ranking = c === s.controlIndex ? [] : deOrder(s.deRank.subarray(base, base + G));
  const firstK = (keep: Uint8Array) => {
    const out: number[] = [];
    for (let i = 0; i < ranking.length && out.length < k; i++) if (keep[ranking[i]]) out.push(ranking[i]);
    return out;
  };
  return {
    ranking,
    nonZero,
    nonDropout,
    topDe20: ranking.slice(0, k),
    topNonDropoutDe20: firstK(isNonDropout),
    topNonZeroDe20: firstK(isNonZero),
  };
}

/**
 * Genes in DE rank order: a stable sort of the positions by rank. When the ranks are a
 * permutation of 0..G−1 (as ingest writes them) the order is read off directly.
 */
function deOrder(rank: Int32Array): number[] {
  const G = rank.length;
  const order = new Array<number>(G).fill(-1);
  let permutation = true;
  for (let g = 0; g < G && permutation; g++) {
    const r = rank[g];
    if (r >= 0 && r < G && order[r] === -1) order[r] = g;
    else permutation = false;
  }
  if (permutation) return order;
  for (let g = 0; g < G; g++) order[g] = g;
  return order.sort((a, b) => rank[a] - rank[b]);
}
