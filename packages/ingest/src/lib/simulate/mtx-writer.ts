import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { silentLogger, type Logger } from '@gears-pipeline/core';
import { cellBarcode, DEFAULT_CHUNK_CELLS, simulatedCellChunks } from './cells.ts';
import type { WrittenMatrixSummary } from './h5ad-writer.ts';
import type { SimulatedData } from './simulate.ts';

export interface WriteMtxOptions {
  chunkCells?: number;
  /** gzip level of matrix.mtx.gz (1 = fastest … 9 = smallest) */
  gzipLevel?: number;
  log?: Logger;
}

/** Files of a 10x-style matrix directory as the simulator writes them. */
export const MTX_FILES = {
  matrix: 'matrix.mtx.gz',
  features: 'features.tsv.gz',
  barcodes: 'barcodes.tsv.gz',
  /** cell metadata: barcode, condition, cell_type (with a header) */
  cells: 'cell_metadata.tsv',
} as const;

const DEFAULT_MTX_GZIP = 4;

/** Appends decimal digits of a non-negative integer to a byte buffer. */
function putInt(buf: Uint8Array, at: number, x: number): number {
  if (x < 10) {
    buf[at] = 48 + x;
    return at + 1;
  }
  let digits = 0;
  for (let y = x; y > 0; y = Math.floor(y / 10)) digits++;
  let end = at + digits;
  for (let y = x, i = end - 1; i >= at; i--, y = Math.floor(y / 10)) buf[i] = 48 + (y % 10);
  return end;
}

/**
 * Writes the simulated cells as a 10x-style MatrixMarket directory: `matrix.mtx.gz` (genes ×
 * cells, integer counts, 1-based), `features.tsv.gz` (id, name, `Gene Expression`),
 * `barcodes.tsv.gz`, and `cell_metadata.tsv` naming each cell's condition (a name that
 * `gears ingest` finds by itself). Streams chunk by chunk. The MatrixMarket header needs the
 * non-zero count before the entries, so the entries are gzipped as they come and the header is
 * prepended afterwards as a separate gzip member (a gzip file may hold several members; zcat,
 * zlib, Python's gzip and R read them as one stream). The directory appears under its final
 * name only when complete.
 */
export async function writeSimulatedMtx(sim: SimulatedData, dir: string, opts: WriteMtxOptions = {}): Promise<WrittenMatrixSummary> {
  const t0 = performance.now();
  const log = opts.log ?? silentLogger;
  const G = sim.geneNames.length;
  const nCells = sim.cellCondition.length;
  mkdirSync(dirname(dir), { recursive: true });
  const tmpDir = join(dirname(dir), `.${basename(dir)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  mkdirSync(tmpDir, { recursive: true });
  let nnz = 0;
  try {
    const bodyPath = join(tmpDir, 'entries.gz');
    const gz = createGzip({ level: opts.gzipLevel ?? DEFAULT_MTX_GZIP });
    const sink = createWriteStream(bodyPath);
    const done = pipeline(gz, sink);
    const cellLines: string[] = [];
    for (const c of simulatedCellChunks(sim, opts.chunkCells ?? DEFAULT_CHUNK_CELLS)) {
      // each entry is at most 3 numbers of ≤ 10 digits plus separators
      const buf = new Uint8Array(c.indices.length * 34 + 16);
      let at = 0;
      const rows = c.indptr.length - 1;
      for (let r = 0; r < rows; r++) {
        const col = c.firstCell + r + 1;
        for (let j = c.indptr[r]; j < c.indptr[r + 1]; j++) {
          at = putInt(buf, at, c.indices[j] + 1);
          buf[at++] = 32;
          at = putInt(buf, at, col);
          buf[at++] = 32;
          at = putInt(buf, at, c.values[j]);
          buf[at++] = 10;
        }
        cellLines.push(`${c.cellIds[r]}\t${c.conditions[r]}\t${sim.args.cellType}`);
      }
      nnz += c.indices.length;
      if (!gz.write(buf.subarray(0, at))) await once(gz, 'drain');
      log.progress('simulate cells', c.firstCell + rows, nCells, 'cells');
    }
    gz.end();
    await done;

    const header = `%%MatrixMarket matrix coordinate integer general\n%simulated by gears simulate (seed ${sim.args.seed})\n${G} ${nCells} ${nnz}\n`;
    const matrixPath = join(tmpDir, MTX_FILES.matrix);
    writeFileSync(matrixPath, gzipSync(header));
    await pipeline(createReadStream(bodyPath), createWriteStream(matrixPath, { flags: 'a' }));
    rmSync(bodyPath);

    const features = sim.geneNames.map((g) => `${g}\t${g}\tGene Expression\n`).join('');
    writeFileSync(join(tmpDir, MTX_FILES.features), gzipSync(features));
    const barcodes = Array.from({ length: nCells }, (_, i) => cellBarcode(i) + '\n').join('');
    writeFileSync(join(tmpDir, MTX_FILES.barcodes), gzipSync(barcodes));
    writeFileSync(join(tmpDir, MTX_FILES.cells), `barcode\tcondition\tcell_type\n${cellLines.join('\n')}\n`);

    // replace a previous output only now that the new one is whole
    if (existsSync(dir)) {
      const old = `${tmpDir}.old`;
      renameSync(dir, old);
      renameSync(tmpDir, dir);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmpDir, dir);
    }
  } catch (e) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw e;
  }
  return { path: dir, cells: nCells, genes: G, nonZero: nnz, seconds: (performance.now() - t0) / 1000 };
}
