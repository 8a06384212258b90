/**
 * Reading AnnData's `X` a block of cells at a time, whatever its storage:
 * - CSR (`encoding-type: csr_matrix`): the cells' slice of `data` / `indices` is read directly;
 * - dense 2-D: a slab of rows is read and its zeros dropped;
 * - CSC (`csc_matrix`, genes are the compressed axis): a cell block's values are spread over
 *   every gene column, so each block costs one pass over `indices` (read in slabs of
 *   `CSC_SLAB` values, memory stays bounded), gathering as many cells per pass as hold
 *   `CSC_BLOCK_VALUES` values: ⌈non-zeros / 16M⌉ passes (e.g. 4 for 50M non-zeros). For very
 *   large CSC files converting once to CSR (`adata.X = adata.X.tocsr()`) is faster.
 */
import { GearsInputError } from '@gears-pipeline/core';
import type { RawBlock } from '../source.ts';
import { attr, isDataset, isGroup, readAll, readSlice, type H5Dataset, type H5File } from './open.ts';

/** values per read when scanning a CSC matrix */
export const CSC_SLAB = 1 << 22;
/** values gathered per pass over a CSC matrix (≈ 130 MB as typed arrays) */
export const CSC_BLOCK_VALUES = 1 << 24;

export type XLayout = 'csr' | 'csc' | 'dense';

export interface XMatrix {
  layout: XLayout;
  nCells: number;
  nGenes: number;
  /** cells with no stored value (known from indptr for CSR; undefined otherwise) */
  emptyCells?: number[];
  blocks(blockCells: number): AsyncGenerator<RawBlock>;
}

function asInt32(v: unknown): Int32Array {
  if (v instanceof Int32Array) return v;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Int32Array.from(v, Number);
  return Int32Array.from(v as ArrayLike<number>);
}

function asFloat64Index(v: unknown): Float64Array {
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, Number);
  return Float64Array.from(v as ArrayLike<number>);
}

function asFloat32(v: unknown): Float32Array {
  if (v instanceof Float32Array) return v;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float32Array.from(v, Number);
  return Float32Array.from(v as ArrayLike<number>);
}

/** Opens `X` (or another matrix path such as `layers/counts`) and reports its layout and shape. */
export interface XMatrixOptions {
  /** values per read of a CSC matrix (default CSC_SLAB) */
  cscSlab?: number;
  /** values gathered per pass over a CSC matrix (default CSC_BLOCK_VALUES) */
  cscBlockValues?: number;
}

export function openXMatrix(file: string, h5: H5File, path = 'X', opts: XMatrixOptions = {}): XMatrix {
  const x = h5.get(path);
  if (isDataset(x)) {
    const shape = x.shape ?? [];
    if (shape.length !== 2) throw new GearsInputError({ file, field: path, problem: `is a ${shape.length}-D dataset, expected cells × genes`, fix: 'store X as a 2-D matrix' });
    return denseMatrix(file, x, shape[0], shape[1]);
  }
  if (!isGroup(x)) {
    throw new GearsInputError({ file, field: path, problem: 'is missing (no expression matrix)', fix: 'write the expression matrix to X' });
  }
  const enc = String(attr(x, 'encoding-type') ?? attr(x, 'h5sparse_format') ?? '');
  const shape = (attr(x, 'shape') ?? attr(x, 'h5sparse_shape')) as number[] | undefined;
  const data = x.get('data');
  const indices = x.get('indices');
  const indptr = x.get('indptr');
  if (!shape || !isDataset(data) || !isDataset(indices) || !isDataset(indptr)) {
    throw new GearsInputError({ file, field: path, problem: 'is a group but not a sparse matrix (needs data, indices, indptr and a shape attribute)', fix: 'write X as a scipy CSR/CSC matrix or a dense array with anndata' });
  }
  const [nCells, nGenes] = shape.map(Number);
  if (enc.startsWith('csr')) return csrMatrix(file, path, data, indices, indptr, nCells, nGenes);
  if (enc.startsWith('csc')) return cscMatrix(file, path, data, indices, indptr, nCells, nGenes, opts.cscSlab ?? CSC_SLAB, opts.cscBlockValues ?? CSC_BLOCK_VALUES);
  throw new GearsInputError({ file, field: `${path} (encoding-type)`, problem: `unknown sparse encoding "${enc}"`, fix: 'store X as csr_matrix, csc_matrix or dense' });
}

function checkIndptr(file: string, path: string, ptr: Float64Array, expected: number, nnz: number, indicesLength: number): void {
  if (indicesLength !== nnz) {
    throw new GearsInputError({ file, field: `${path}/indices`, problem: `has ${indicesLength} values but ${path}/data has ${nnz}`, fix: 'the matrix is inconsistent: rewrite it with anndata' });
  }
  if (ptr.length !== expected + 1 || ptr[0] !== 0 || ptr[ptr.length - 1] !== nnz) {
    throw new GearsInputError({ file, field: `${path}/indptr`, problem: `has length ${ptr.length}, starts at ${ptr[0]} and ends at ${ptr[ptr.length - 1]}; expected length ${expected + 1} (shape) from 0 to ${nnz} (the number of stored values)`, fix: 'the matrix is inconsistent: rewrite it with anndata' });
  }
  for (let i = 1; i < ptr.length; i++) {
    if (ptr[i] < ptr[i - 1]) {
      throw new GearsInputError({ file, field: `${path}/indptr[${i}]`, problem: `is ${ptr[i]}, below indptr[${i - 1}] = ${ptr[i - 1]} (indptr must never decrease)`, fix: 'the matrix is inconsistent: rewrite it with anndata' });
    }
  }
}

/** Every index of a slice inside [0, bound): the one-line error names the row / column and the index. */
function checkIndices(file: string, path: string, idx: Int32Array, lo: number, bound: number, what: 'gene' | 'cell', ptr: Float64Array, firstOuter: number): void {
  for (let k = 0; k < idx.length; k++) {
    const v = idx[k];
    if (v >= 0 && v < bound) continue;
    let o = firstOuter;
    while (ptr[o + 1] <= lo + k) o++;
    throw new GearsInputError({
      file,
      field: `${path}/indices[${lo + k}]`,
      problem: `is ${v}, outside the ${bound} ${what}s of the shape (${what === 'gene' ? `cell ${o}` : `gene ${o}`}; indices are 0-based)`,
      fix: 'the matrix is inconsistent with its shape: rewrite it with anndata',
    });
  }
}

function csrMatrix(file: string, path: string, data: H5Dataset, indices: H5Dataset, indptrDs: H5Dataset, nCells: number, nGenes: number): XMatrix {
  const nnz = (data.shape ?? [0])[0];
  const ptr = asFloat64Index(readAll(file, indptrDs));
  checkIndptr(file, path, ptr, nCells, nnz, (indices.shape ?? [0])[0]);
  const emptyCells: number[] = [];
  for (let r = 0; r < nCells; r++) if (ptr[r + 1] === ptr[r]) emptyCells.push(r);
  return {
    layout: 'csr',
    emptyCells,
    nCells,
    nGenes,
    async *blocks(blockCells) {
      for (let s = 0; s < nCells; s += blockCells) {
        const e = Math.min(nCells, s + blockCells);
        const lo = ptr[s];
        const hi = ptr[e];
        const idx = hi > lo ? asInt32(readSlice(file, indices, [[lo, hi]])) : new Int32Array(0);
        checkIndices(file, path, idx, lo, nGenes, 'gene', ptr, s);
        const val = hi > lo ? asFloat32(readSlice(file, data, [[lo, hi]])) : new Float32Array(0);
        const indptr = new Int32Array(e - s + 1);
        for (let r = s; r <= e; r++) indptr[r - s] = ptr[r] - lo;
        yield { start: s, indptr, indices: idx, values: val };
      }
    },
  };
}

function denseMatrix(file: string, x: H5Dataset, nCells: number, nGenes: number): XMatrix {
  return {
    layout: 'dense',
    nCells,
    nGenes,
    async *blocks(blockCells) {
      for (let s = 0; s < nCells; s += blockCells) {
        const e = Math.min(nCells, s + blockCells);
        const slab = readSlice(file, x, [[s, e], []]) as ArrayLike<number>;
        let nnz = 0;
        for (let k = 0; k < slab.length; k++) if (slab[k] !== 0) nnz++;
        const indptr = new Int32Array(e - s + 1);
        const indices = new Int32Array(nnz);
        const values = new Float32Array(nnz);
        let p = 0;
        for (let r = 0; r < e - s; r++) {
          const base = r * nGenes;
          for (let g = 0; g < nGenes; g++) {
            const v = Number(slab[base + g]);
            if (v !== 0) {
              indices[p] = g;
              values[p++] = v;
            }
          }
          indptr[r + 1] = p;
        }
        yield { start: s, indptr, indices, values };
      }
    },
  };
}

function cscMatrix(file: string, path: string, data: H5Dataset, indices: H5Dataset, indptrDs: H5Dataset, nCells: number, nGenes: number, slab: number, blockValues: number): XMatrix {
  const nnz = (data.shape ?? [0])[0];
  const ptr = asFloat64Index(readAll(file, indptrDs));
  checkIndptr(file, path, ptr, nGenes, nnz, (indices.shape ?? [0])[0]);
  return {
    layout: 'csc',
    nCells,
    nGenes,
    async *blocks(blockCells) {
      // each pass over the matrix gathers as many cells as fit in CSC_BLOCK_VALUES values, then
      // hands them out in blocks of `blockCells`: few passes, bounded memory
      const perCell = Math.max(1, nnz / Math.max(1, nCells));
      const gather = Math.max(blockCells, Math.floor(blockValues / perCell));
      for (let s = 0; s < nCells; s += gather) {
        const big = readCscCells(s, Math.min(nCells, s + gather));
        for (let b = s; b < Math.min(nCells, s + gather); b += blockCells) {
          const e = Math.min(nCells, s + gather, b + blockCells);
          const lo = big.indptr[b - s];
          const hi = big.indptr[e - s];
          const indptr = new Int32Array(e - b + 1);
          for (let r = b; r <= e; r++) indptr[r - b] = big.indptr[r - s] - lo;
          yield { start: b, indptr, indices: big.indices.slice(lo, hi), values: big.values.slice(lo, hi) };
        }
      }
    },
  };

  function readCscCells(s: number, e: number): RawBlock {
    const n = e - s;
    // pass 1 over the slabs: count values per cell of the block; pass 2 fills them.
    const counts = new Int32Array(n + 1);
    const rows: Int32Array[] = [];
    const genes: Int32Array[] = [];
    const vals: Float32Array[] = [];
    let g = 0;
    for (let lo = 0; lo < nnz; lo += slab) {
      const hi = Math.min(nnz, lo + slab);
      const rIdx = asInt32(readSlice(file, indices, [[lo, hi]]));
      if (s === 0) checkIndices(file, path, rIdx, lo, nCells, 'cell', ptr, 0);
      let keep = 0;
      for (let k = 0; k < rIdx.length; k++) if (rIdx[k] >= s && rIdx[k] < e) keep++;
      if (keep === 0) {
        while (g < nGenes && ptr[g + 1] <= hi) g++;
        continue;
      }
      const v = asFloat32(readSlice(file, data, [[lo, hi]]));
      const r2 = new Int32Array(keep);
      const g2 = new Int32Array(keep);
      const v2 = new Float32Array(keep);
      let q = 0;
      for (let k = 0; k < rIdx.length; k++) {
        const pos = lo + k;
        while (ptr[g + 1] <= pos) g++;
        const r = rIdx[k];
        if (r >= s && r < e) {
          r2[q] = r - s;
          g2[q] = g;
          v2[q++] = v[k];
          counts[r - s + 1]++;
        }
      }
      rows.push(r2);
      genes.push(g2);
      vals.push(v2);
    }
    const indptr = new Int32Array(n + 1);
    for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r] + counts[r + 1];
    const fill = indptr.slice(0, n);
    const outIdx = new Int32Array(indptr[n]);
    const outVal = new Float32Array(indptr[n]);
    // genes arrive in increasing order, so each cell's values stay sorted by gene
    for (let b = 0; b < rows.length; b++) {
      const r2 = rows[b];
      for (let k = 0; k < r2.length; k++) {
        const at = fill[r2[k]]++;
        outIdx[at] = genes[b][k];
        outVal[at] = vals[b][k];
      }
    }
    return { start: s, indptr, indices: outIdx, values: outVal };
  }
}
