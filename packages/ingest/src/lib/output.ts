/**
 * The dataset directory is replaced as a whole: everything is written into a temporary sibling
 * directory, and only when every table and the manifest are complete is it swapped in (the old
 * directory renamed aside, the new one renamed in, the old one removed). A failed run removes
 * its temporary directory and leaves the previous good dataset untouched.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CELLS_COLUMNS, DATASET_FILES, ParquetTableWriter, parquetRowCount, sha256File, type CellChunk, type StageManifest } from '@gears-pipeline/core';

export function temporaryDir(outDir: string, tag: string): string {
  const abs = resolve(outDir);
  return join(dirname(abs), `.${basename(abs)}.${tag}-${process.pid}-${Date.now().toString(36)}`);
}

/** Row count and sha256 of each written table of a dataset directory, for its manifest. */
export async function describeOutputs(dir: string, files: readonly string[]): Promise<StageManifest['outputs']> {
  const outputs: StageManifest['outputs'] = {};
  for (const f of files) {
    const p = join(dir, f);
    outputs[f] = { rows: await parquetRowCount(p), sha256: await sha256File(p) };
  }
  return outputs;
}

/** Runs `write(tmpDir)`, then swaps the temporary directory in place of `outDir`. */
export async function replaceDirectory<T>(outDir: string, write: (tmpDir: string) => Promise<T>): Promise<T> {
  const abs = resolve(outDir);
  mkdirSync(dirname(abs), { recursive: true });
  const tmp = temporaryDir(abs, 'tmp');
  mkdirSync(tmp);
  let result: T;
  try {
    result = await write(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = existsSync(abs) ? temporaryDir(abs, 'old') : undefined;
  if (old) renameSync(abs, old);
  try {
    renameSync(tmp, abs);
  } catch (e) {
    if (old) renameSync(old, abs);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
  return result;
}

/** Streams normalised, gene-selected cells into cells.parquet (CELLS_COLUMNS). */
export class CellsWriter {
  private readonly w: ParquetTableWriter;
  constructor(dir: string) {
    // plain encoding and no min/max statistics: dictionary-encoding a million expression values per
    // chunk, and their statistics, cost more time than they save space (measured: 2× faster)
    this.w = new ParquetTableWriter(join(dir, DATASET_FILES.cells), CELLS_COLUMNS, { plain: ['gene_index'], statistics: false });
  }
  get rowCount(): number {
    return this.w.rowCount;
  }
  write(chunk: CellChunk): void {
    const n = chunk.indptr.length - 1;
    // the Parquet writer's list encoder takes plain arrays
    const idx = new Array<number[]>(n);
    const val = new Array<number[]>(n);
    for (let r = 0; r < n; r++) {
      idx[r] = Array.from(chunk.indices.subarray(chunk.indptr[r], chunk.indptr[r + 1]));
      val[r] = Array.from(chunk.values.subarray(chunk.indptr[r], chunk.indptr[r + 1]));
    }
    this.w.write({
      cell_id: chunk.cellIds,
      condition: chunk.conditions,
      library_size: chunk.librarySize ?? new Float64Array(n).fill(NaN),
      gene_index: idx,
      value: val,
    });
  }
  close(): void {
    this.w.close();
  }
  abort(): void {
    this.w.abort();
  }
}

/** The same interface as ThreadedCellsWriter, writing on the calling thread (small inputs). */
export class InlineCellsWriter {
  private readonly w: CellsWriter;
  constructor(dir: string) {
    this.w = new CellsWriter(dir);
  }
  async write(chunk: CellChunk): Promise<void> {
    this.w.write(chunk);
  }
  async close(): Promise<number> {
    this.w.close();
    return this.w.rowCount;
  }
  async abort(): Promise<void> {
    this.w.abort();
  }
}
