import { renameSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import h5wasm from 'h5wasm/node';
import { temporaryPath, type Logger, silentLogger } from '@gears-pipeline/core';
import { cellBarcode, DEFAULT_CHUNK_CELLS, simulatedCellChunks } from './cells.ts';
import type { SimulatedData } from './simulate.ts';

type H5Group = ReturnType<InstanceType<typeof h5wasm.File>['create_group']>;
type H5Dataset = ReturnType<H5Group['create_dataset']>;

export interface WriteH5adOptions {
  /** cells generated and written per step (memory follows this, not the data size) */
  chunkCells?: number;
  /** HDF5 chunk length (elements) of the growing X/data and X/indices datasets */
  hdf5ChunkElements?: number;
  /** gzip level for X (0 = none, the default: fastest to write and read) */
  gzipLevel?: number;
  log?: Logger;
}

export interface WrittenMatrixSummary {
  path: string;
  cells: number;
  genes: number;
  nonZero: number;
  seconds: number;
}

const DEFAULT_HDF5_CHUNK = 1 << 18;
/** anndata ≥ 0.8 on-disk encodings */
export const ANNDATA = { 'encoding-type': 'anndata', 'encoding-version': '0.1.0' };
export const STRING_ARRAY = { 'encoding-type': 'string-array', 'encoding-version': '0.2.0' };
export const ARRAY = { 'encoding-type': 'array', 'encoding-version': '0.2.0' };
export const DICT = { 'encoding-type': 'dict', 'encoding-version': '0.1.0' };

export function setAttrs(obj: { create_attribute: H5Group['create_attribute'] }, attrs: Record<string, string>): void {
  for (const [k, v] of Object.entries(attrs)) obj.create_attribute(k, v);
}

/** A 1-d dataset that grows as chunks arrive (chunked, unlimited max shape). */
function growingDataset(group: H5Group, name: string, dtype: string, chunk: number, gzip: number): H5Dataset {
  const empty = dtype === '<f' ? new Float32Array(0) : dtype === '<q' ? new BigInt64Array(0) : new Int32Array(0);
  return group.create_dataset({
    name,
    data: empty,
    shape: [0],
    dtype,
    maxshape: [null],
    chunks: [chunk],
    ...(gzip > 0 ? { compression: gzip } : {}),
  });
}

function append(ds: H5Dataset, data: Float32Array | Int32Array | BigInt64Array): void {
  if (data.length === 0) return;
  const n = ds.shape![0];
  ds.resize([n + data.length]);
  ds.write_slice([[n, n + data.length]], data);
}

export function writeStrings(group: H5Group, name: string, values: string[]): void {
  const ds = group.create_dataset({ name, data: values });
  setAttrs(ds, STRING_ARRAY);
}

/** A pandas categorical column as anndata stores it: categories + integer codes. */
export function writeCategorical(group: H5Group, name: string, categories: string[], codes: Uint16Array | Uint8Array): void {
  const g = group.create_group(name);
  setAttrs(g, { 'encoding-type': 'categorical', 'encoding-version': '0.2.0' });
  g.create_attribute('ordered', 0, null, '<b');
  writeStrings(g, 'categories', categories);
  const data = categories.length <= 127 ? Int8Array.from(codes) : Int16Array.from(codes);
  const ds = g.create_dataset({ name: 'codes', data: data as unknown as Int32Array });
  setAttrs(ds, ARRAY);
}

/**
 * Writes the simulated cells as an AnnData `.h5ad` (anndata ≥ 0.8 layout): `X` raw counts as a
 * CSR group (float32 data, int32 indices, int32 indptr — int64 when cells × genes could exceed
 * 2³¹), `obs` with categorical `condition` and `cell_type`, `var` with `gene_name`. Cells are
 * generated and appended chunk by chunk, so memory does not grow with the data. Atomic: written
 * under a temporary name and renamed when complete.
 */
export async function writeSimulatedH5ad(sim: SimulatedData, path: string, opts: WriteH5adOptions = {}): Promise<WrittenMatrixSummary> {
  const t0 = performance.now();
  const log = opts.log ?? silentLogger;
  await h5wasm.ready;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = temporaryPath(path);
  const G = sim.geneNames.length;
  const nCells = sim.cellCondition.length;
  const wideIndptr = nCells * G >= 2 ** 31;
  const chunk = opts.hdf5ChunkElements ?? DEFAULT_HDF5_CHUNK;
  const gzip = opts.gzipLevel ?? 0;
  const file = new h5wasm.File(tmp, 'w');
  let nnz = 0;
  try {
    setAttrs(file, ANNDATA);
    const X = file.create_group('X');
    setAttrs(X, { 'encoding-type': 'csr_matrix', 'encoding-version': '0.1.0' });
    X.create_attribute('shape', new BigInt64Array([BigInt(nCells), BigInt(G)]));
    const data = growingDataset(X, 'data', '<f', chunk, gzip);
    const indices = growingDataset(X, 'indices', '<i', chunk, gzip);
    const indptr = growingDataset(X, 'indptr', wideIndptr ? '<q' : '<i', Math.min(chunk, nCells + 1), gzip);
    append(indptr, wideIndptr ? new BigInt64Array(1) : new Int32Array(1));
    for (const c of simulatedCellChunks(sim, opts.chunkCells ?? DEFAULT_CHUNK_CELLS)) {
      append(data, c.values);
      append(indices, c.indices);
      const rows = c.indptr.length - 1;
      if (wideIndptr) {
        const p = new BigInt64Array(rows);
        for (let i = 0; i < rows; i++) p[i] = BigInt(nnz + c.indptr[i + 1]);
        append(indptr, p);
      } else {
        const p = new Int32Array(rows);
        for (let i = 0; i < rows; i++) p[i] = nnz + c.indptr[i + 1];
        append(indptr, p);
      }
      nnz += c.indices.length;
      log.progress('simulate cells', c.firstCell + rows, nCells, 'cells');
    }

    const obs = file.create_group('obs');
    setAttrs(obs, { 'encoding-type': 'dataframe', 'encoding-version': '0.2.0', _index: '_index' });
    obs.create_attribute('column-order', ['condition', 'cell_type']);
    writeStrings(obs, '_index', Array.from({ length: nCells }, (_, i) => cellBarcode(i)));
    writeCategorical(obs, 'condition', sim.conditions.map((c) => c.name), sim.cellCondition);
    writeCategorical(obs, 'cell_type', [sim.args.cellType], new Uint8Array(nCells));

    const v = file.create_group('var');
    setAttrs(v, { 'encoding-type': 'dataframe', 'encoding-version': '0.2.0', _index: '_index' });
    v.create_attribute('column-order', ['gene_name']);
    writeStrings(v, '_index', sim.geneNames);
    writeStrings(v, 'gene_name', sim.geneNames);

    for (const name of ['layers', 'obsm', 'obsp', 'uns', 'varm', 'varp']) setAttrs(file.create_group(name), DICT);
    file.close();
    renameSync(tmp, path);
  } catch (e) {
    try {
      file.close();
    } catch {
      // already closed
    }
    if (existsSync(tmp)) rmSync(tmp, { force: true });
    throw e;
  }
  return { path, cells: nCells, genes: G, nonZero: nnz, seconds: (performance.now() - t0) / 1000 };
}
