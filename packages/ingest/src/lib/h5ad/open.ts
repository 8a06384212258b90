/**
 * Opening an .h5ad (HDF5) file with h5wasm, after checking the HDF5 signature and the end-of-file
 * address stored in the superblock: h5wasm's own failure on a foreign or truncated file is an
 * unhelpful "name not defined", so we recognise both cases ourselves and say what to do.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import h5wasm from 'h5wasm/node';
import { GearsInputError } from '@gears-pipeline/core';
import { halvesToFloat32 } from './float16.ts';

export type H5File = InstanceType<typeof h5wasm.File>;
export type H5Group = InstanceType<typeof h5wasm.Group>;
export type H5Dataset = InstanceType<typeof h5wasm.Dataset>;

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** HDF5 looks for the superblock at 0, 512, 1024, 2048, … (a user block may precede it). */
const SUPERBLOCK_OFFSETS = [0, 512, 1024, 2048, 4096, 8192];

function readUInt(buf: Buffer, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + buf[at + i];
  return v;
}

/** Checks the HDF5 signature and the stored end-of-file address; throws a GearsInputError. */
export function checkHdf5File(path: string): void {
  if (!existsSync(path)) {
    throw new GearsInputError({ file: path, field: '(file)', problem: 'does not exist', fix: 'check the --input path' });
  }
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(96);
    for (const at of SUPERBLOCK_OFFSETS) {
      if (at + 8 > size) break;
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n < 8 || !SIGNATURE.every((b, i) => buf[i] === b)) continue;
      const version = buf[8];
      let eof = -1;
      if (version === 0 || version === 1) {
        const offsets = buf[13];
        const base = 24 + (version === 1 ? 4 : 0);
        eof = base + 2 * offsets + 8 <= n ? readUInt(buf, base + 2 * offsets, offsets) : -1;
      } else if (version === 2 || version === 3) {
        const offsets = buf[9];
        eof = 12 + 3 * offsets <= n ? readUInt(buf, 12 + 2 * offsets, offsets) : -1;
      }
      if (eof > 0 && at + eof > size) {
        throw new GearsInputError({
          file: path,
          field: '(file)',
          problem: `is truncated: HDF5 says it is ${at + eof} bytes long but only ${size} bytes are on disk`,
          fix: 'copy or download the file again completely',
        });
      }
      return;
    }
  } finally {
    closeSync(fd);
  }
  throw new GearsInputError({
    file: path,
    field: '(file)',
    problem: 'is not an HDF5 / AnnData file (no HDF5 signature)',
    fix: 'pass an .h5ad written by anndata, or choose the format with --format mtx|parquet',
  });
}

let ready: Promise<unknown> | undefined;

/** Opens an HDF5 file read-only (after `checkHdf5File`). */
export async function openHdf5(path: string): Promise<H5File> {
  checkHdf5File(path);
  ready ??= h5wasm.ready;
  await ready;
  try {
    return new h5wasm.File(path, 'r');
  } catch (e) {
    throw new GearsInputError({ file: path, field: '(file)', problem: `cannot be opened as HDF5 (${(e as Error).message})`, fix: 'check that the file is a complete .h5ad' });
  }
}

/** Creates an HDF5 file for writing (tests and the synthetic generator write small h5ad files). */
export async function createHdf5(path: string): Promise<H5File> {
  ready ??= h5wasm.ready;
  await ready;
  return new h5wasm.File(path, 'w');
}

export function isGroup(x: unknown): x is H5Group {
  return x instanceof h5wasm.Group;
}

export function isDataset(x: unknown): x is H5Dataset {
  return x instanceof h5wasm.Dataset;
}

/** An attribute as a plain JS value (strings, numbers; BigInt → number). */
export function attr(obj: { attrs: Record<string, { value: unknown }> }, name: string): unknown {
  const a = obj.attrs[name];
  if (!a) return undefined;
  const v = a.value;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Array.from(v, Number);
  return v;
}

/**
 * Reads a dataset slice, turning a filter failure (LZF, Blosc, … not built into h5wasm) into a
 * clear message.
 */
export function readSlice(file: string, ds: H5Dataset, ranges: Array<[number, number] | []>): unknown {
  try {
    return ranges.length === 0 ? ds.value : ds.slice(ranges as never);
  } catch (e) {
    const filters = (ds.filters ?? []).map((f) => f.name || `filter ${f.id}`);
    const builtin = new Set(['deflate', 'shuffle', 'fletcher32', 'nbit', 'scaleoffset', 'szip']);
    const foreign = filters.filter((f) => !builtin.has(f));
    if (foreign.length > 0) {
      throw new GearsInputError({
        file,
        field: ds.path,
        problem: `is compressed with ${foreign.join(', ')}, which h5wasm cannot decode without the h5wasm-plugins package (not installed)`,
        fix: 'rewrite the file with gzip compression, e.g. in Python: adata.write_h5ad(path, compression="gzip")',
      });
    }
    if (/float16/i.test((e as Error).message)) return readFloat16(file, ds, ranges);
    throw new GearsInputError({ file, field: ds.path, problem: `cannot be read (${(e as Error).message}); the file may be damaged`, fix: 'copy the file again or rewrite it with anndata' });
  }
}

/**
 * h5wasm has no half-precision type: read the same slice as raw 16-bit patterns (the dataset seen
 * as unsigned 16-bit integers, which h5wasm returns without conversion) and decode them ourselves.
 */
function readFloat16(file: string, ds: H5Dataset, ranges: Array<[number, number] | []>): Float32Array {
  const meta = ds.metadata;
  if (meta.type !== 1 || meta.size !== 2 || meta.littleEndian === false) {
    throw new GearsInputError({ file, field: ds.path, problem: 'is stored as a half-precision type this reader does not know', fix: "rewrite it as float32, e.g. in Python: adata.X = adata.X.astype('float32'); adata.write_h5ad(path)" });
  }
  const asBits = Object.create(ds, { metadata: { get: () => ({ ...ds.metadata, type: 0, signed: false }) } }) as H5Dataset;
  const bits = ranges.length === 0 ? asBits.value : asBits.slice(ranges as never);
  if (!(bits instanceof Uint16Array)) {
    throw new GearsInputError({ file, field: ds.path, problem: 'is stored as float16 and could not be read as raw 16-bit values', fix: "rewrite it as float32, e.g. in Python: adata.X = adata.X.astype('float32'); adata.write_h5ad(path)" });
  }
  return halvesToFloat32(bits);
}

/** Reads a whole dataset, with the same error handling as `readSlice`. */
export function readAll(file: string, ds: H5Dataset): unknown {
  return readSlice(file, ds, []);
}
