/**
 * The one cell stream every format shares: source blocks → kept cells (filter, known condition)
 * → validated → normalised (when raw counts) → selected genes → `CellChunk`s of at most
 * `chunkSize` cells, in file order.
 */
import type { Observable } from 'rxjs';
import type { CellChunk } from '@gears-pipeline/core';
import { pullObservable } from '../pull.ts';
import type { CellPlan } from '../conditions.ts';
import { normalizeCounts, validateBlock } from './normalize_old.ts';
import type { CellSource, RawBlock } from '../source.ts';

export const DEFAULT_CHUNK_SIZE = 2048;

export interface ChunkOptions {
  chunkSize?: number;
  /** 'counts': normalise to 1e4 + log1p; 'none': pass values through */
  normalize: 'counts' | 'none';
  /** old gene index → new gene index (−1 = dropped); identity when absent */
  geneMap?: Int32Array;
  /** number of genes after selection */
  nGenes?: number;
  /** library size per cell in file order when the input is already normalised (obs total counts) */
  librarySize?: Float64Array;
}

/** Streams the plan's cells as CellChunks, reading the next block only when asked. */
export async function* cellChunks(source: CellSource, plan: CellPlan, opts: ChunkOptions): AsyncGenerator<CellChunk> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const nGenes = opts.nGenes ?? source.genes.length;
  const names = plan.conditions.map((c) => c.name);
  for await (const block of source.blocks(chunkSize)) {
    const chunk = toChunk(block, source, plan, names, opts, nGenes);
    if (chunk) yield chunk;
  }
}

function toChunk(block: RawBlock, source: CellSource, plan: CellPlan, names: string[], opts: ChunkOptions, nGenes: number): CellChunk | undefined {
  const rows = block.indptr.length - 1;
  let kept = 0;
  for (let r = 0; r < rows; r++) if (plan.cellCondition[block.start + r] >= 0) kept++;
  if (kept === 0) return undefined;
  validateBlock(block, source.file, source.cellIds, source.genes, (cell) => plan.cellCondition[cell] >= 0);
  const lib = opts.normalize === 'counts' ? normalizeCounts(block) : undefined;
  const map = opts.geneMap;
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    if (plan.cellCondition[block.start + r] < 0) continue;
    if (!map) nnz += block.indptr[r + 1] - block.indptr[r];
    else for (let k = block.indptr[r]; k < block.indptr[r + 1]; k++) if (map[block.indices[k]] >= 0) nnz++;
  }
  const indptr = new Int32Array(kept + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const librarySize = new Float64Array(kept);
  const cellIds = new Array<string>(kept);
  const conditions = new Array<string>(kept);
  let out = 0;
  let p = 0;
  for (let r = 0; r < rows; r++) {
    const cell = block.start + r;
    const c = plan.cellCondition[cell];
    if (c < 0) continue;
    for (let k = block.indptr[r]; k < block.indptr[r + 1]; k++) {
      const g = map ? map[block.indices[k]] : block.indices[k];
      if (g < 0) continue;
      indices[p] = g;
      values[p++] = block.values[k];
    }
    cellIds[out] = source.cellIds[cell];
    conditions[out] = names[c];
    librarySize[out] = lib ? lib[r] : opts.librarySize ? opts.librarySize[cell] : NaN;
    indptr[++out] = p;
  }
  return { cellIds, conditions, nGenes, indptr, indices, values, librarySize };
}

/** `cellChunks` as an RxJS Observable that reads the next block only after the previous chunk was delivered. */
export function cellChunks$(source: CellSource, plan: CellPlan, opts: ChunkOptions): Observable<CellChunk> {
  return pullObservable(() => cellChunks(source, plan, opts));
}
