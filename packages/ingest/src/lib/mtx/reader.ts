/**
 * 10x Genomics MatrixMarket output as a `CellSource`: `matrix.mtx[.gz]` (genes × cells, as Cell
 * Ranger writes it; a cells × genes matrix is accepted when its dimensions say so),
 * `features.tsv[.gz]` (or v2 `genes.tsv`: id, symbol, type) and `barcodes.tsv[.gz]`, plus a
 * cell-metadata table naming each cell's perturbation.
 *
 * The matrix is streamed once per pass; cells must appear in order (Cell Ranger writes the
 * entries sorted by cell). An unsorted file fails with a message saying how to sort it, rather
 * than holding the whole matrix in memory.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GearsInputError, type Logger } from '@gears-pipeline/core';
import type { CellSource, RawBlock } from '../source.ts';
import { readMetadataTable } from '../table.ts';
import { readAllLines } from '../text.ts';
import { parseMtx, type MtxHeader, type TripletBatch } from './parse.ts';

/** Metadata columns tried, in order, for the barcode when no --barcode-column is given. */
export const DEFAULT_BARCODE_COLUMNS = ['barcode', 'cell_barcode', 'barcodes', 'cell_id', 'cell', 'obs_names', 'index'];
/** Cell-metadata file names looked for beside the matrix when --cell-metadata is not given. */
export const DEFAULT_METADATA_NAMES = ['cell_metadata.tsv', 'cell_metadata.csv', 'cell_metadata.parquet', 'metadata.tsv', 'metadata.csv', 'obs.tsv', 'obs.csv', 'cell_identities.csv'];

export interface MtxOptions {
  cellMetadata?: string;
  barcodeColumn?: string;
  /** 'symbol' (features.tsv column 2, default) or 'id' (column 1) as the gene name */
  geneColumn?: string;
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
    blocks: (blockCells) => mtxBlocks(matrix, cellsAreColumns, barcodes.length, genes.length, blockCells),
    close() {},
  };
}

async function readHeader(path: string): Promise<MtxHeader> {
  const it = parseMtx(path);
  const first = await it.next();
  await it.return(undefined);
  return first.value as MtxHeader;
}

async function* mtxBlocks(path: string, cellsAreColumns: boolean, nCells: number, nGenes: number, blockCells: number): AsyncGenerator<RawBlock> {
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
  let line = 0;
  let lastCell = -1;
  for await (const item of parseMtx(path)) {
    if (!('n' in item)) continue;
    const b = item as TripletBatch;
    const cs = cellsAreColumns ? b.j : b.i;
    const gs = cellsAreColumns ? b.i : b.j;
    for (let k = 0; k < b.n; k++) {
      line++;
      const c = cs[k] - 1;
      const g = gs[k] - 1;
      if (c < 0 || c >= nCells || g < 0 || g >= nGenes) {
        throw new GearsInputError({ file: path, field: `entry ${line}`, problem: `index (${b.i[k]}, ${b.j[k]}) lies outside the ${cellsAreColumns ? `${nGenes} × ${nCells}` : `${nCells} × ${nGenes}`} matrix`, fix: 'the file is damaged: copy it again' });
      }
      if (c < lastCell) {
        throw new GearsInputError({
          file: path,
          field: `entry ${line}`,
          problem: `cell ${c + 1} comes after cell ${lastCell + 1}: the entries are not sorted by cell, which streaming needs`,
          fix: `sort the entries by cell (column ${cellsAreColumns ? 2 : 1} of each entry line, keeping the header lines first), or convert the matrix to .h5ad`,
        });
      }
      lastCell = c;
      while (c >= end) {
        yield emit();
        start = end;
        end = Math.min(nCells, start + blockCells);
      }
      if (len === cap) grow();
      cell[len] = c;
      gene[len] = g;
      val[len++] = b.v[k];
    }
  }
  while (start < nCells) {
    yield emit();
    start = end;
    end = Math.min(nCells, start + blockCells);
  }
}
