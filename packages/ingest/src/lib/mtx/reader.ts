/**
 * 10x Genomics MatrixMarket output as a `CellSource`: `matrix.mtx[.gz]` (genes × cells, as Cell
 * Ranger writes it; a cells × genes matrix is accepted when its dimensions say so),
 * `features.tsv[.gz]` (or v2 `genes.tsv`: id, symbol, type) and `barcodes.tsv[.gz]`, plus a
 * cell-metadata table naming each cell's perturbation.
 *
 * One scan at open checks every index and tells whether the entries are in cell order (Cell
 * Ranger's order): then the matrix is streamed once per pass; otherwise it is put in cell order
 * once, in memory under a budget or by an external sort on disk (`order.ts`).
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GearsInputError, type Logger } from '@gears-pipeline/core';
import type { CellSource, RawBlock } from '../source.ts';
import { readMetadataTable } from '../table.ts';
import { readAllLines } from '../text.ts';
import { parseMtx, type MtxHeader } from './parse.ts';
import { DEFAULT_MTX_SORT_BUDGET, MTX_BYTES_PER_ENTRY, MTX_KEPT_BYTES_PER_ENTRY, mtxEntries, scanMtx, sortToDisk, sortedFileEntries, transposeInMemory, type CsrMatrix, type EntryBatch, type MtxGeometry } from './order.ts';

/** Metadata columns tried, in order, for the barcode when no --barcode-column is given. */
export const DEFAULT_BARCODE_COLUMNS = ['barcode', 'cell_barcode', 'barcodes', 'cell_id', 'cell', 'obs_names', 'index'];
/** Cell-metadata file names looked for beside the matrix when --cell-metadata is not given. */
export const DEFAULT_METADATA_NAMES = ['cell_metadata.tsv', 'cell_metadata.csv', 'cell_metadata.parquet', 'metadata.tsv', 'metadata.csv', 'obs.tsv', 'obs.csv', 'cell_identities.csv'];

export interface MtxOptions {
  cellMetadata?: string;
  barcodeColumn?: string;
  /** 'symbol' (features.tsv column 2, default) or 'id' (column 1) as the gene name */
  geneColumn?: string;
  /**
   * bytes an unsorted matrix may take in memory while it is put in cell order
   * (`MTX_BYTES_PER_ENTRY` per entry); above it the entries are sorted on disk. A matrix already
   * in cell order is kept in memory by the open-time scan when it fits (`MTX_KEPT_BYTES_PER_ENTRY`
   * per entry), else streamed from the file on every pass. Default DEFAULT_MTX_SORT_BUDGET.
   */
  sortBudget?: number;
  /** directory for the on-disk sort's temporary files (created, removed on close); default beside the matrix */
  tempDir?: string;
}

function findFile(dir: string, names: string[]): string | undefined {
  for (const n of names) {
    for (const p of [join(dir, n), join(dir, n + '.gz')]) if (existsSync(p)) return p;
  }
  return undefined;
}

export async function openMtxSource(input: string, opts: MtxOptions, log: Logger): Promise<CellSource> {
  const isDir = statSync(input).isDirectory();
  const dir = isDir ? input : dirname(input);
  const matrix = isDir ? findFile(dir, ['matrix.mtx']) ?? readdirSync(dir).filter((n) => /\.mtx(\.gz)?$/.test(n)).map((n) => join(dir, n))[0] : input;
  if (!matrix) throw new GearsInputError({ file: dir, field: 'matrix.mtx', problem: 'is missing', fix: 'pass the 10x output directory (matrix.mtx[.gz], features.tsv[.gz], barcodes.tsv[.gz])' });
  const prefix = basename(matrix).replace(/matrix\.mtx(\.gz)?$/, '');
  const features = findFile(dir, [`${prefix}features.tsv`, `${prefix}genes.tsv`, 'features.tsv', 'genes.tsv']);
  const barcodesPath = findFile(dir, [`${prefix}barcodes.tsv`, 'barcodes.tsv']);
  if (!features) throw new GearsInputError({ file: dir, field: 'features.tsv', problem: 'is missing (no features.tsv[.gz] or genes.tsv beside the matrix)', fix: 'copy the features file written with the matrix' });
  if (!barcodesPath) throw new GearsInputError({ file: dir, field: 'barcodes.tsv', problem: 'is missing (no barcodes.tsv[.gz] beside the matrix)', fix: 'copy the barcodes file written with the matrix' });
  const featureRows = (await readAllLines(features)).map((l) => l.split('\t'));
  const byId = opts.geneColumn === 'id' || opts.geneColumn === 'gene_id';
  const geneIds = featureRows.map((r) => r[0]);
  const genes = featureRows.map((r) => (byId ? r[0] : r[1] ?? r[0]));
  const barcodes = (await readAllLines(barcodesPath)).map((l) => l.split('\t')[0]);

  const header = await readHeader(matrix);
  let cellsAreColumns: boolean;
  if (header.rows === genes.length && header.cols === barcodes.length) cellsAreColumns = true;
  else if (header.rows === barcodes.length && header.cols === genes.length) cellsAreColumns = false;
  else {
    throw new GearsInputError({
      file: matrix,
      field: 'size line',
      problem: `says ${header.rows} × ${header.cols}, but ${basename(features)} has ${genes.length} lines and ${basename(barcodesPath)} has ${barcodes.length}`,
      fix: 'use the features and barcodes files written together with this matrix',
    });
  }

  const metaPath = opts.cellMetadata ?? findFile(dir, DEFAULT_METADATA_NAMES);
  if (!metaPath) {
    throw new GearsInputError({ file: dir, field: '--cell-metadata', problem: 'no cell-metadata table given or found (it names each cell\'s perturbation)', fix: 'pass --cell-metadata <table.tsv|csv|parquet> with a barcode column and a perturbation column' });
  }
  const table = await readMetadataTable(metaPath);
  const bcCol = opts.barcodeColumn ?? DEFAULT_BARCODE_COLUMNS.find((c) => table.columns.includes(c)) ?? table.columns[0];
  const bcValues = table.data.get(bcCol);
  if (!bcValues) {
    throw new GearsInputError({ file: metaPath, field: bcCol, problem: `barcode column is missing; columns: ${table.columns.join(', ')}`, fix: 'name the barcode column with --barcode-column' });
  }
  const rowOf = new Map<string, number>();
  bcValues.forEach((b, i) => rowOf.set(b, i));
  const matrixRow = new Int32Array(barcodes.length);
  let unmatched = 0;
  for (let c = 0; c < barcodes.length; c++) {
    const r = rowOf.get(barcodes[c]);
    matrixRow[c] = r ?? -1;
    if (r === undefined) unmatched++;
  }
  if (unmatched === barcodes.length) {
    throw new GearsInputError({ file: metaPath, field: bcCol, problem: `none of its values matches a barcode of ${basename(barcodesPath)} (e.g. ${barcodes[0]} vs ${bcValues[0]})`, fix: 'name the barcode column with --barcode-column, and check the barcode suffixes (-1)' });
  }
  if (unmatched > 0) log.warn('ingest.cells_without_metadata', { file: metaPath, cells: unmatched, note: 'cells of the matrix missing from the cell-metadata table are skipped' });
  const geometry: MtxGeometry = { path: matrix, cellsAreColumns, nCells: barcodes.length, nGenes: genes.length };
  const order = await putInCellOrder(geometry, opts, log);
  const cache = new Map<string, string[]>();
  const metadata = (col: string): string[] | undefined => {
    if (cache.has(col)) return cache.get(col);
    const v = table.data.get(col);
    if (!v) return undefined;
    const out = Array.from(matrixRow, (r) => (r < 0 ? '' : v[r]));
    cache.set(col, out);
    return out;
  };
  const metadataColumns = table.columns.filter((c) => c !== bcCol);
  return {
    file: matrix,
    format: 'mtx',
    nCells: barcodes.length,
    genes,
    geneIds,
    cellIds: barcodes,
    metadataColumns,
    metadataFile: metaPath,
    metadata,
    numericMetadata(col) {
      const v = metadata(col);
      if (!v) return undefined;
      const out = Float64Array.from(v, Number);
      return out.every((x) => Number.isFinite(x)) ? out : undefined;
    },
    emptyCells: order.emptyCells,
    blocks: (blockCells) => order.blocks(blockCells),
    close: () => order.close(),
  };
}

async function readHeader(path: string): Promise<MtxHeader> {
  const it = parseMtx(path);
  const first = await it.next();
  await it.return(undefined);
  return first.value as MtxHeader;
}

/** Blocks of ≤ `blockCells` consecutive cells from entries arriving in cell order. */
async function* blocksFromOrderedEntries(path: string, entries: AsyncIterable<EntryBatch>, nCells: number, blockCells: number): AsyncGenerator<RawBlock> {
  let start = 0;
  let end = Math.min(nCells, blockCells);
  // the current block's entries, in growable typed arrays (no per-value objects)
  let cap = 1 << 16;
  let cell = new Int32Array(cap);
  let gene = new Int32Array(cap);
  let val = new Float32Array(cap);
  let len = 0;
  const grow = () => {
    cap *= 2;
    const c2 = new Int32Array(cap);
    const g2 = new Int32Array(cap);
    const v2 = new Float32Array(cap);
    c2.set(cell.subarray(0, len));
    g2.set(gene.subarray(0, len));
    v2.set(val.subarray(0, len));
    cell = c2;
    gene = g2;
    val = v2;
  };
  const emit = (): RawBlock => {
    const n = end - start;
    const indptr = new Int32Array(n + 1);
    for (let k = 0; k < len; k++) indptr[cell[k] - start + 1]++;
    for (let r = 0; r < n; r++) indptr[r + 1] += indptr[r];
    const fill = indptr.slice(0, n);
    const indices = new Int32Array(len);
    const values = new Float32Array(len);
    for (let k = 0; k < len; k++) {
      const at = fill[cell[k] - start]++;
      indices[at] = gene[k];
      values[at] = val[k];
    }
    len = 0;
    return { start, indptr, indices, values };
  };
  let entry = 0;
  let lastCell = -1;
  for await (const b of entries) {
    for (let k = 0; k < b.n; k++) {
      entry++;
      const c = b.cell[k];
      if (c < lastCell) {
        // the open-time scan said the file is in cell order: it changed since
        throw new GearsInputError({ file: path, field: `entry ${entry}`, problem: `cell ${c + 1} comes after cell ${lastCell + 1}, but the file was in cell order when it was opened`, fix: 'do not change the input while ingest runs; run again' });
      }
      lastCell = c;
      while (c >= end) {
        yield emit();
        start = end;
        end = Math.min(nCells, start + blockCells);
      }
      if (len === cap) grow();
      cell[len] = c;
      gene[len] = b.gene[k];
      val[len++] = b.value[k];
    }
  }
  while (start < nCells) {
    yield emit();
    start = end;
    end = Math.min(nCells, start + blockCells);
  }
}

/** Blocks sliced from a matrix held in memory as CSR. */
async function* blocksFromCsr(m: CsrMatrix, nCells: number, blockCells: number): AsyncGenerator<RawBlock> {
  for (let s = 0; s < nCells; s += blockCells) {
    const e = Math.min(nCells, s + blockCells);
    const lo = m.indptr[s];
    const indptr = new Int32Array(e - s + 1);
    for (let r = s; r <= e; r++) indptr[r - s] = m.indptr[r] - lo;
    yield { start: s, indptr, indices: m.indices.slice(lo, m.indptr[e]), values: m.values.slice(lo, m.indptr[e]) };
  }
}

interface CellOrder {
  emptyCells: number[];
  blocks(blockCells: number): AsyncGenerator<RawBlock>;
  close(): void;
}

/** Scans the matrix, and puts an unsorted one in cell order (in memory or on disk). */
async function putInCellOrder(g: MtxGeometry, opts: MtxOptions, log: Logger): Promise<CellOrder> {
  const budget = opts.sortBudget ?? DEFAULT_MTX_SORT_BUDGET;
  // a cell-ordered matrix within the budget is kept by the scan: one inflate + parse instead of one per pass
  const scan = await scanMtx(g, budget);
  const emptyCells: number[] = [];
  scan.perCell.forEach((n, c) => n === 0 && emptyCells.push(c));
  if (scan.csr) {
    log.info('ingest.mtx_order', { file: g.path, order: 'by cell', action: 'kept in memory by the scan', entries: scan.nnz, bytes: scan.nnz * MTX_KEPT_BYTES_PER_ENTRY, budget });
    const m = scan.csr;
    return { emptyCells, blocks: (n) => blocksFromCsr(m, g.nCells, n), close() {} };
  }
  if (scan.sortedByCell) return { emptyCells, blocks: (n) => blocksFromOrderedEntries(g.path, mtxEntries(g), g.nCells, n), close() {} };
  const bytes = scan.nnz * MTX_BYTES_PER_ENTRY;
  if (bytes <= budget) {
    log.info('ingest.mtx_order', { file: g.path, order: 'not by cell', action: 'put in cell order in memory', entries: scan.nnz, bytes, budget });
    const m: CsrMatrix = await transposeInMemory(g, scan);
    return { emptyCells, blocks: (n) => blocksFromCsr(m, g.nCells, n), close() {} };
  }
  const workDir = opts.tempDir ?? join(dirname(g.path), `.gears-mtx-sort-${process.pid}-${Date.now().toString(36)}`);
  log.info('ingest.mtx_order', { file: g.path, order: 'not by cell', action: 'external sort on disk', entries: scan.nnz, bytes, budget, tempDir: workDir });
  try {
    const sorted = await sortToDisk(g, workDir, Math.floor(budget / MTX_BYTES_PER_ENTRY));
    return { emptyCells, blocks: (n) => blocksFromOrderedEntries(g.path, sortedFileEntries(sorted), g.nCells, n), close: () => rmSync(workDir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(workDir, { recursive: true, force: true });
    throw e;
  }
}
