/**
 * AnnData dataframes (`obs`, `var`) as HDF5 groups: the index dataset named by the `_index`
 * attribute, plain columns as 1-D datasets (strings or numbers), categoricals as a group with
 * `categories` + `codes` (anndata ≥ 0.8) or, in older files, integer codes whose labels live in
 * `uns/<column>_categories` or a `__categories/<column>` subgroup (code −1 = missing).
 */
import { GearsInputError } from '@gears-pipeline/core';
import { attr, isDataset, isGroup, readAll, type H5File, type H5Group } from './open.ts';

export interface H5Dataframe {
  /** where it lives (`obs`, `var`) */
  readonly name: string;
  readonly index: string[];
  readonly columns: string[];
  /** a column as strings ('' for missing); undefined when absent */
  strings(column: string): string[] | undefined;
  /** a numeric column; undefined when absent or not numeric */
  numbers(column: string): Float64Array | undefined;
}

function toStrings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => (x === null || x === undefined ? '' : String(x)));
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => String(x));
  return [String(v)];
}

function toNumbers(v: unknown): Float64Array | undefined {
  if (v instanceof Uint8Array || v instanceof Int8Array || v instanceof Int16Array || v instanceof Uint16Array || v instanceof Int32Array || v instanceof Uint32Array || v instanceof Float32Array || v instanceof Float64Array) {
    return Float64Array.from(v);
  }
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return Float64Array.from(v, Number);
  return undefined;
}

export function readDataframe(file: string, h5: H5File, name: string): H5Dataframe {
  const g = h5.get(name);
  if (!isGroup(g)) {
    throw new GearsInputError({ file, field: name, problem: 'is missing or is not an AnnData dataframe group', fix: 'write the file with anndata ≥ 0.7 (adata.write_h5ad)' });
  }
  const indexName = String(attr(g, '_index') ?? '_index');
  const order = attr(g, 'column-order');
  const keys = g.keys();
  const columns = (Array.isArray(order) ? order.map(String) : typeof order === 'string' && order ? [order] : keys.filter((k) => k !== indexName && k !== '__categories'))
    .filter((k) => keys.includes(k));
  const indexDs = g.get(indexName);
  const index = isDataset(indexDs) ? toStrings(readAll(file, indexDs)) : [];
  const legacyCats = g.get('__categories');
  const cache = new Map<string, unknown>();
  const raw = (col: string): unknown => {
    if (cache.has(col)) return cache.get(col);
    let out: unknown;
    const obj = g.get(col);
    if (isGroup(obj)) {
      const cats = obj.get('categories');
      const codes = obj.get('codes');
      if (isDataset(cats) && isDataset(codes)) out = decode(toStrings(readAll(file, cats)), readAll(file, codes));
    } else if (isDataset(obj)) {
      const v = readAll(file, obj);
      const legacy = legacyCategories(file, h5, legacyCats, name, col);
      out = legacy ? decode(legacy, v) : v;
    }
    const len = (out as { length?: number } | undefined)?.length;
    if (out !== undefined && len !== index.length) {
      throw new GearsInputError({ file, field: `${name}/${col}`, problem: `has ${len} values but ${name} has ${index.length} ${name === 'obs' ? 'cells' : 'genes'} (its index)`, fix: `the file is inconsistent: rewrite it with anndata (every ${name} column needs one value per ${name === 'obs' ? 'cell' : 'gene'})` });
    }
    cache.set(col, out);
    return out;
  };
  return {
    name,
    index,
    columns,
    strings(col) {
      if (col === indexName) return index;
      const v = raw(col);
      return v === undefined ? undefined : toStrings(v);
    },
    numbers(col) {
      const v = raw(col);
      return v === undefined || Array.isArray(v) ? undefined : toNumbers(v);
    },
  };
}

function decode(categories: string[], codes: unknown): string[] {
  const c = codes as ArrayLike<number>;
  const out = new Array<string>(c.length);
  for (let i = 0; i < c.length; i++) {
    const k = Number(c[i]);
    out[i] = k >= 0 && k < categories.length ? categories[k] : '';
  }
  return out;
}

/** anndata < 0.8 stored category labels apart from the codes. */
function legacyCategories(file: string, h5: H5File, legacy: unknown, df: string, col: string): string[] | undefined {
  if (isGroup(legacy)) {
    const d = (legacy as H5Group).get(col);
    if (isDataset(d)) return toStrings(readAll(file, d));
  }
  const u = h5.get(`uns/${col}_categories`);
  if (isDataset(u) && df === 'obs') return toStrings(readAll(file, u));
  return undefined;
}
