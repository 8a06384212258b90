/**
 * MatrixMarket files in any entry order. Cell Ranger writes the entries sorted by cell, which
 * streams (or, when it fits the budget, is kept in memory by the scan, `MTX_KEPT_BYTES_PER_ENTRY`
 * each, so the file is inflated and parsed once); scipy's `mmwrite`, many GEO uploads and converters write them sorted by gene. One scan
 * at open (`scanMtx`) checks the indices, counts the entries of each cell and tells which case a
 * file is; an unsorted file is then put in cell order once, either
 * - in memory, when its entries fit the budget (`MTX_BYTES_PER_ENTRY` each: cell, gene, value),
 *   as a counting sort by cell using the per-cell counts of the scan, or
 * - on disk: runs of ≤ budget / 12 entries, each sorted by cell in memory and written as a binary
 *   chunk file, then one k-way merge into a single cell-ordered binary file that every later pass
 *   streams. The temporary files live in the directory given (beside the output) and are removed
 *   on close.
 * Either way each cell's entries come out sorted by gene, the order Cell Ranger writes.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GearsInputError } from '@gears-pipeline/core';
import { parseMtx, type MtxHeader, type TripletBatch } from './parse.ts';

/** bytes one entry costs when sorted in memory or on disk: int32 cell, int32 gene, float32 value */
export const MTX_BYTES_PER_ENTRY = 12;
/** default memory for putting an unsorted matrix in cell order (512 MiB ≈ 44.7 M entries) */
export const DEFAULT_MTX_SORT_BUDGET = 512 * 1024 * 1024;
/** entries per read / write buffer of the on-disk sort */
const IO_ENTRIES = 1 << 16;

export interface MtxGeometry {
  path: string;
  cellsAreColumns: boolean;
  nCells: number;
  nGenes: number;
}

/** Entries already translated to 0-based (cell, gene), in arrival order. */
export interface EntryBatch {
  cell: Int32Array;
  gene: Int32Array;
  value: Float32Array;
  n: number;
}

export interface MtxScan {
  /** entries appear in non-decreasing cell order */
  sortedByCell: boolean;
  /** stored entries per cell */
  perCell: Int32Array;
  nnz: number;
  /**
   * the matrix as CSR (cells × genes, each cell's entries in file order), when the file is in cell
   * order and `keepBytes` allowed holding it (`MTX_KEPT_BYTES_PER_ENTRY` per entry): later passes
   * then read memory instead of inflating and parsing the file again
   */
  csr?: CsrMatrix;
}

/**
 * The matrix's entries as 0-based (cell, gene) batches, with the range of every index checked
 * (the one-line error names the entry, its indices and the matrix shape).
 */
export async function* mtxEntries(g: MtxGeometry, onHeader?: (announcedEntries: number) => void): AsyncGenerator<EntryBatch> {
  let entry = 0;
  for await (const item of parseMtx(g.path)) {
    if (!('n' in item)) {
      onHeader?.((item as MtxHeader).nnz);
      continue;
    }
    const b = item as TripletBatch;
    const cs = g.cellsAreColumns ? b.j : b.i;
    const gs = g.cellsAreColumns ? b.i : b.j;
    const cell = new Int32Array(b.n);
    const gene = new Int32Array(b.n);
    for (let k = 0; k < b.n; k++) {
      entry++;
      const c = cs[k] - 1;
      const x = gs[k] - 1;
      if (c < 0 || c >= g.nCells || x < 0 || x >= g.nGenes) {
        const shape = g.cellsAreColumns ? `${g.nGenes} × ${g.nCells} (genes × cells)` : `${g.nCells} × ${g.nGenes} (cells × genes)`;
        throw new GearsInputError({ file: g.path, field: `entry ${entry}`, problem: `index (${b.i[k]}, ${b.j[k]}) lies outside the ${shape} matrix of the size line (indices are 1-based)`, fix: 'the file is damaged, or its size line or features/barcodes files do not belong to it: copy it again' });
      }
      cell[k] = c;
      gene[k] = x;
    }
    yield { cell, gene, value: b.v.subarray(0, b.n), n: b.n };
  }
}

/** bytes one entry costs when a cell-ordered matrix is kept in memory by the scan: int32 gene, float32 value */
export const MTX_KEPT_BYTES_PER_ENTRY = 8;

/**
 * One pass: index checks, entries per cell, and whether the file is in cell order. With
 * `keepBytes` ≥ 8 × the entries the size line announces, the entries are kept while they arrive in
 * cell order (dropped at the first one that does not), and a cell-ordered matrix comes back as CSR.
 */
export async function scanMtx(g: MtxGeometry, keepBytes = 0): Promise<MtxScan> {
  const perCell = new Int32Array(g.nCells);
  let last = -1;
  let sortedByCell = true;
  let nnz = 0;
  let keptGene: Int32Array | undefined;
  let keptValue: Float32Array | undefined;
  for await (const b of mtxEntries(g, (announced) => {
    if (announced * MTX_KEPT_BYTES_PER_ENTRY <= keepBytes) {
      keptGene = new Int32Array(announced);
      keptValue = new Float32Array(announced);
    }
  })) {
    for (let k = 0; k < b.n; k++) {
      const c = b.cell[k];
      if (c < last) sortedByCell = false;
      last = c;
      perCell[c]++;
    }
    if (keptGene && (!sortedByCell || nnz + b.n > keptGene.length)) keptGene = keptValue = undefined;
    if (keptGene) {
      keptGene.set(b.gene.subarray(0, b.n), nnz);
      keptValue!.set(b.value.subarray(0, b.n), nnz);
    }
    nnz += b.n;
  }
  let csr: CsrMatrix | undefined;
  if (sortedByCell && keptGene && keptValue && nnz === keptGene.length) {
    const indptr = new Float64Array(g.nCells + 1);
    for (let c = 0; c < g.nCells; c++) indptr[c + 1] = indptr[c] + perCell[c];
    csr = { indptr, indices: keptGene, values: keptValue };
  }
  return { sortedByCell, perCell, nnz, csr };
}

/** Sorts `gene` (with `value` alongside) ascending within [lo, hi): insertion sort, linear when already sorted. */
function sortByGene(gene: Int32Array, value: Float32Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const gi = gene[i];
    if (gi >= gene[i - 1]) continue;
    const vi = value[i];
    let j = i - 1;
    while (j >= lo && gene[j] > gi) {
      gene[j + 1] = gene[j];
      value[j + 1] = value[j];
      j--;
    }
    gene[j + 1] = gi;
    value[j + 1] = vi;
  }
}

/** The whole matrix in CSR (cells × genes), from an unsorted file, by a counting sort on the cell. */
export interface CsrMatrix {
  indptr: Float64Array;
  indices: Int32Array;
  values: Float32Array;
}

export async function transposeInMemory(g: MtxGeometry, scan: MtxScan): Promise<CsrMatrix> {
  const indptr = new Float64Array(g.nCells + 1);
  for (let c = 0; c < g.nCells; c++) indptr[c + 1] = indptr[c] + scan.perCell[c];
  const fill = indptr.slice(0, g.nCells);
  const indices = new Int32Array(scan.nnz);
  const values = new Float32Array(scan.nnz);
  for await (const b of mtxEntries(g)) {
    for (let k = 0; k < b.n; k++) {
      const at = fill[b.cell[k]]++;
      indices[at] = b.gene[k];
      values[at] = b.value[k];
    }
  }
  for (let c = 0; c < g.nCells; c++) sortByGene(indices, values, indptr[c], indptr[c + 1]);
  return { indptr, indices, values };
}

/** A run of entries sorted by (cell, gene), written as little-endian records of 12 bytes. */
function writeRun(file: string, cell: Int32Array, gene: Int32Array, value: Float32Array, n: number, nCells: number): void {
  const counts = new Int32Array(nCells + 1);
  for (let k = 0; k < n; k++) counts[cell[k] + 1]++;
  for (let c = 0; c < nCells; c++) counts[c + 1] += counts[c];
  const start = counts.slice();
  const sc = new Int32Array(n);
  const sg = new Int32Array(n);
  const sv = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const at = counts[cell[k]]++;
    sc[at] = cell[k];
    sg[at] = gene[k];
    sv[at] = value[k];
  }
  for (let c = 0; c < nCells; c++) if (start[c + 1] - start[c] > 1) sortByGene(sg, sv, start[c], start[c + 1]);
  const fd = openSync(file, 'w');
  try {
    const buf = Buffer.allocUnsafe(IO_ENTRIES * MTX_BYTES_PER_ENTRY);
    for (let lo = 0; lo < n; lo += IO_ENTRIES) {
      const hi = Math.min(n, lo + IO_ENTRIES);
      let o = 0;
      for (let k = lo; k < hi; k++) {
        buf.writeInt32LE(sc[k], o);
        buf.writeInt32LE(sg[k], o + 4);
        buf.writeFloatLE(sv[k], o + 8);
        o += MTX_BYTES_PER_ENTRY;
      }
      writeSync(fd, buf, 0, o);
    }
  } finally {
    closeSync(fd);
  }
}

/** Sequential reader of a run / sorted file, a buffer of records at a time. */
class RecordReader {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(IO_ENTRIES * MTX_BYTES_PER_ENTRY);
  private len = 0;
  private at = 0;
  cell = 0;
  gene = 0;
  value = 0;
  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }
  /** loads the next record into cell / gene / value; false at the end */
  next(): boolean {
    if (this.at >= this.len) {
      this.len = readSync(this.fd, this.buf, 0, this.buf.length, null);
      this.len -= this.len % MTX_BYTES_PER_ENTRY;
      this.at = 0;
      if (this.len === 0) return false;
    }
    this.cell = this.buf.readInt32LE(this.at);
    this.gene = this.buf.readInt32LE(this.at + 4);
    this.value = this.buf.readFloatLE(this.at + 8);
    this.at += MTX_BYTES_PER_ENTRY;
    return true;
  }
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * External sort: the file's entries into one (cell, gene)-ordered binary file `sorted.bin` inside
 * `workDir` (created), through runs of at most `runEntries` entries and a k-way merge (binary heap
 * on cell · nGenes + gene). Returns the sorted file's path; the run files are removed.
 */
export async function sortToDisk(g: MtxGeometry, workDir: string, runEntries: number): Promise<string> {
  mkdirSync(workDir, { recursive: true });
  const cap = Math.max(1, Math.floor(runEntries));
  const cell = new Int32Array(cap);
  const gene = new Int32Array(cap);
  const value = new Float32Array(cap);
  let n = 0;
  const runs: string[] = [];
  const flush = () => {
    if (n === 0) return;
    const f = join(workDir, `run-${runs.length}.bin`);
    writeRun(f, cell, gene, value, n, g.nCells);
    runs.push(f);
    n = 0;
  };
  for await (const b of mtxEntries(g)) {
    for (let k = 0; k < b.n; k++) {
      cell[n] = b.cell[k];
      gene[n] = b.gene[k];
      value[n++] = b.value[k];
      if (n === cap) flush();
    }
  }
  flush();
  const out = join(workDir, 'sorted.bin');
  mergeRuns(runs, out, g.nGenes);
  for (const r of runs) rmSync(r, { force: true });
  return out;
}

function mergeRuns(runs: string[], out: string, nGenes: number): void {
  const readers = runs.map((r) => new RecordReader(r));
  const key = (r: RecordReader) => r.cell * nGenes + r.gene;
  // min-heap of reader indices ordered by (cell, gene), then run order (stable)
  const heap: number[] = [];
  const less = (a: number, b: number) => {
    const ka = key(readers[a]);
    const kb = key(readers[b]);
    return ka < kb || (ka === kb && a < b);
  };
  const up = (i: number) => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  readers.forEach((r, i) => {
    if (r.next()) {
      heap.push(i);
      up(heap.length - 1);
    }
  });
  const fd = openSync(out, 'w');
  try {
    const buf = Buffer.allocUnsafe(IO_ENTRIES * MTX_BYTES_PER_ENTRY);
    let o = 0;
    while (heap.length > 0) {
      const r = readers[heap[0]];
      buf.writeInt32LE(r.cell, o);
      buf.writeInt32LE(r.gene, o + 4);
      buf.writeFloatLE(r.value, o + 8);
      o += MTX_BYTES_PER_ENTRY;
      if (o === buf.length) {
        writeSync(fd, buf, 0, o);
        o = 0;
      }
      if (r.next()) down(0);
      else {
        const lastIdx = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = lastIdx;
          down(0);
        }
      }
    }
    if (o > 0) writeSync(fd, buf, 0, o);
  } finally {
    closeSync(fd);
    for (const r of readers) r.close();
  }
}

/** The entries of a sorted binary file, in batches. */
export async function* sortedFileEntries(file: string): AsyncGenerator<EntryBatch> {
  const r = new RecordReader(file);
  try {
    for (;;) {
      const cell = new Int32Array(IO_ENTRIES);
      const gene = new Int32Array(IO_ENTRIES);
      const value = new Float32Array(IO_ENTRIES);
      let n = 0;
      while (n < IO_ENTRIES && r.next()) {
        cell[n] = r.cell;
        gene[n] = r.gene;
        value[n++] = r.value;
      }
      if (n === 0) return;
      yield { cell, gene, value, n };
      if (n < IO_ENTRIES) return;
    }
  } finally {
    r.close();
  }
}
