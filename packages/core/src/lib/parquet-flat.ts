/**
 * A table of flat, required INT32 / DOUBLE / STRING columns written straight from typed arrays:
 * the same bytes as `writeParquetTable` with the same columns (tested in parquet-flat.test.ts),
 * at a fraction of the cost. Used for condition_gene_stats.parquet (1.4 M rows at 100,000 cells
 * × 5,000 genes), where the generic path cost ≈ 5 CPU-s: a JS string per row and its UTF-8
 * copy, the library's per-value statistics and dictionary Maps, and the garbage of all that.
 *
 * A STRING column is given as a small table of distinct strings and an Int32Array of codes
 * (row k holds strings[codes[k]]), so nothing per row is a JS object. Everything the generic
 * writer decides from the data is decided here by the same rules (hyparquet-writer 0.17):
 *   - row groups of 100,000 rows (writeParquetTable's default);
 *   - DOUBLE columns PLAIN (ParquetTableWriter never dictionary-encodes floats);
 *   - INT32 and STRING columns dictionary-encoded when the library would: a 1,000-value sample
 *     whose distinct values are ≤ 90 % of its bytes, then dictionary + bit-packed indexes at most
 *     half the PLAIN bytes; dictionary in first-occurrence order;
 *   - pages cut once their estimated bytes reach 1 MiB (4 or 8 bytes a number, UTF-8 bytes a
 *     string; dictionary indexes count 4);
 *   - min / max / null / NaN statistics per column chunk (strings in UTF-8 byte order, a zero
 *     minimum written as −0, a zero maximum as +0), encoding stats, an offset index for
 *     chunks of several pages.
 * Page headers, the footer and the page indexes are serialised by hyparquet-writer itself.
 */
import { renameSync, rmSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { temporaryPath } from './atomic.ts';
import { appendRowGroup, openParquetWriter, PAGE_SIZE, Scratch, writeHybrid, writePageHeader, type ByteSink, type ColumnChunkResult, type ParquetWriterInternals } from './parquet-encoding.ts';
import { schemaFor } from './parquet.ts';
import { snappyCompressInto, snappyMaxLength } from './snappy.ts';

export type FlatColumn =
  | { name: string; type: 'INT32'; values: Int32Array }
  | { name: string; type: 'DOUBLE'; values: Float64Array }
  | { name: string; type: 'STRING'; strings: readonly string[]; codes: Int32Array };

/** writeParquetTable's row group size */
const ROW_GROUP_ROWS = 100_000;
const SAMPLE_VALUES = 1000;
const SAMPLE_REJECTION_RATIO = 0.9;

interface Stats {
  min_value: unknown;
  max_value: unknown;
  null_count: bigint;
  nan_count: bigint | undefined;
}

/** A STRING column's distinct values: UTF-8 bytes, and one code per distinct string (equal strings share the first code). */
interface StringTable {
  utf8: Uint8Array[];
  canonical: Int32Array;
}

function stringTable(strings: readonly string[]): StringTable {
  const enc = new TextEncoder();
  const first = new Map<string, number>();
  const canonical = new Int32Array(strings.length);
  strings.forEach((s, i) => {
    if (!first.has(s)) first.set(s, i);
    canonical[i] = first.get(s)!;
  });
  return { utf8: strings.map((s) => enc.encode(s)), canonical };
}

/** Buffer.compare on UTF-8 bytes: code point order, the order of the library's string statistics. */
function compareUtf8(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Writes the table atomically (temporary file renamed on success). Every column has the same
 * number of rows. Returns the row count.
 */
export function writeFlatParquetTable(path: string, columns: readonly FlatColumn[]): number {
  const rows = columns.length ? (columns[0].type === 'STRING' ? columns[0].codes.length : columns[0].values.length) : 0;
  for (const c of columns) {
    const n = c.type === 'STRING' ? c.codes.length : c.values.length;
    if (n !== rows) throw new Error(`${path}: column ${c.name} has ${n} rows, expected ${rows}`);
    if (c.type === 'STRING') for (let k = 0; k < n; k++) if (!(c.codes[k] >= 0 && c.codes[k] < c.strings.length)) throw new Error(`${path}: column ${c.name} row ${k} has code ${c.codes[k]}, outside its ${c.strings.length} strings`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = temporaryPath(path);
  try {
    const schema = schemaFor(columns.map((c) => ({ name: c.name, type: c.type })));
    const pw = openParquetWriter(tmp, schema, true);
    const tables = columns.map((c) => (c.type === 'STRING' ? stringTable(c.strings) : undefined));
    const scratch = { page: new Scratch(), compressed: new Scratch() };
    for (let a = 0; a < rows; a += ROW_GROUP_ROWS) {
      const b = Math.min(rows, a + ROW_GROUP_ROWS);
      const groupStart = pw.writer.offset;
      const results = columns.map((c, j) => writeFlatColumn(pw, schema, j, c, tables[j], a, b, scratch));
      appendRowGroup(pw, results, b - a, groupStart);
    }
    pw.finish();
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return rows;
}

/** Page boundaries by the library's rule: a page ends at the value where its bytes reach PAGE_SIZE. */
function pageStarts(n: number, size: (i: number) => number): number[] {
  const starts = [0];
  let acc = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const s = size(i);
    acc += s;
    if (acc >= PAGE_SIZE && i > start) {
      starts.push(i);
      start = i;
      acc = s;
    }
  }
  starts.push(n);
  return starts;
}

/**
 * The dictionary the library would build for a column chunk, or undefined when it would write
 * PLAIN. `key(i)` identifies the value of row i (equal keys = equal values); `size(key)` is the
 * library's value size estimate; `prefix` the per-value length prefix of PLAIN (4 for strings).
 */
function chooseDictionary(n: number, key: (i: number) => number, size: (k: number) => number, prefix: number): { dictionary: number[]; indexes: Int32Array } | undefined {
  const sampleSize = Math.min(n, SAMPLE_VALUES);
  const sampled = new Set<number>();
  let sampleDictionary = 0;
  let sampleTotal = 0;
  for (let i = 0; i < sampleSize; i++) {
    const at = sampleSize === 1 ? 0 : Math.floor((i * (n - 1)) / (sampleSize - 1));
    const k = key(at);
    const s = size(k) + prefix;
    if (!sampled.has(k)) {
      sampled.add(k);
      sampleDictionary += s;
    }
    sampleTotal += s;
  }
  if (!sampleTotal || sampleDictionary / sampleTotal > SAMPLE_REJECTION_RATIO) return undefined;
  const dictionary: number[] = [];
  const indexes = new Int32Array(n);
  const index = new Map<number, number>();
  let dictSize = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const k = key(i);
    let d = index.get(k);
    const s = size(k);
    total += s;
    if (d === undefined) {
      d = dictionary.push(k) - 1;
      index.set(k, d);
      dictSize += s;
    }
    indexes[i] = d;
  }
  const bitWidth = Math.ceil(Math.log2(dictionary.length));
  const indexSize = Math.ceil((n * bitWidth) / 8);
  if (2 * (dictSize + dictionary.length * prefix + indexSize) > total + n * prefix) return undefined;
  return { dictionary, indexes };
}

function numberStats(v: Int32Array | Float64Array, float: boolean): Stats {
  let min: number | undefined;
  let max: number | undefined;
  let nan = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x !== x) {
      nan++;
      continue;
    }
    if (min === undefined || x < min) min = x;
    if (max === undefined || x > max) max = x;
  }
  if (min === 0) min = -0;
  if (max === 0) max = 0;
  return { min_value: min, max_value: max, null_count: 0n, nan_count: float ? BigInt(nan) : undefined };
}

function stringStats(codes: Int32Array, t: StringTable, strings: readonly string[]): Stats {
  const seen = new Uint8Array(strings.length);
  let min = -1;
  let max = -1;
  for (let i = 0; i < codes.length; i++) {
    const c = t.canonical[codes[i]];
    if (seen[c]) continue;
    seen[c] = 1;
    if (min < 0 || compareUtf8(t.utf8[c], t.utf8[min]) < 0) min = c;
    if (max < 0 || compareUtf8(t.utf8[c], t.utf8[max]) > 0) max = c;
  }
  return { min_value: min < 0 ? undefined : strings[min], max_value: max < 0 ? undefined : strings[max], null_count: 0n, nan_count: undefined };
}

interface ScratchSet {
  page: Scratch;
  compressed: Scratch;
}

/** Writes one page (header + Snappy body) of `plain` bytes; returns its uncompressed size including the header. */
function writePage(writer: ByteSink, header: Record<string, unknown>, plain: Uint8Array, scratch: ScratchSet): number {
  const out = scratch.compressed.get(snappyMaxLength(plain.length));
  const end = snappyCompressInto(plain, out, 0);
  const headerStart = writer.offset;
  writePageHeader(writer as never, { ...header, uncompressed_page_size: plain.length, compressed_page_size: end } as never);
  const headerSize = writer.offset - headerStart;
  writer.appendBytes(out.subarray(0, end));
  return headerSize + plain.length;
}

function dataPageHeader(rows: number, encoding: string): Record<string, unknown> {
  return {
    type: 'DATA_PAGE_V2',
    data_page_header_v2: { num_values: rows, num_nulls: 0, num_rows: rows, encoding, definition_levels_byte_length: 0, repetition_levels_byte_length: 0, is_compressed: true },
  };
}

/** PLAIN bytes of string rows [i0, i1) of a coded column. */
function plainStrings(codes: Int32Array, t: StringTable, i0: number, i1: number, scratch: Scratch): Uint8Array {
  let size = 0;
  for (let i = i0; i < i1; i++) size += 4 + t.utf8[codes[i]].length;
  const out = scratch.get(size);
  const view = new DataView(out.buffer, out.byteOffset, size);
  let p = 0;
  for (let i = i0; i < i1; i++) {
    const b = t.utf8[codes[i]];
    view.setUint32(p, b.length, true);
    out.set(b, p + 4);
    p += 4 + b.length;
  }
  return out.subarray(0, size);
}

/** PLAIN bytes of a number array: its memory, except NaNs, which go through DataView as the library writes them. */
function plainNumbers(v: Int32Array | Float64Array, scratch: Scratch): Uint8Array {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof Int32Array) return bytes;
  let hasNaN = false;
  for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) (hasNaN = true), (i = v.length);
  if (!hasNaN) return bytes;
  const out = scratch.get(v.byteLength);
  const view = new DataView(out.buffer, out.byteOffset, v.byteLength);
  for (let i = 0; i < v.length; i++) view.setFloat64(i * 8, v[i], true);
  return out.subarray(0, v.byteLength);
}

function writeFlatColumn(pw: ParquetWriterInternals, schema: Record<string, unknown>[], j: number, c: FlatColumn, table: StringTable | undefined, a: number, b: number, scratch: ScratchSet): ColumnChunkResult {
  const writer = pw.writer;
  const n = b - a;
  const offsetStart = writer.offset;
  let uncompressed = 0;
  // statistics and the dictionary decision, over the original values
  let stats: Stats;
  let dict: { dictionary: number[]; indexes: Int32Array } | undefined;
  let codes: Int32Array | undefined;
  let values: Int32Array | Float64Array | undefined;
  if (c.type === 'STRING') {
    codes = c.codes.subarray(a, b);
    const t = table!;
    stats = stringStats(codes, t, c.strings);
    const cc = codes;
    dict = chooseDictionary(n, (i) => t.canonical[cc[i]], (k) => c.strings[k].length, 4);
  } else {
    values = c.values.subarray(a, b);
    stats = numberStats(values, c.type === 'DOUBLE');
    const vv = values;
    if (c.type === 'INT32') dict = chooseDictionary(n, (i) => vv[i], () => 4, 0);
  }
  let dictionaryPageOffset: bigint | undefined;
  const encodings: string[] = [];
  if (dict) {
    dictionaryPageOffset = BigInt(writer.offset);
    let plain: Uint8Array;
    if (c.type === 'STRING') plain = plainStrings(Int32Array.from(dict.dictionary), table!, 0, dict.dictionary.length, scratch.page);
    else plain = new Uint8Array(Int32Array.from(dict.dictionary).buffer);
    uncompressed += writePage(writer, { type: 'DICTIONARY_PAGE', dictionary_page_header: { num_values: dict.dictionary.length, encoding: 'PLAIN' } }, plain, scratch);
    encodings.push('PLAIN');
  }
  const encoding = dict ? 'RLE_DICTIONARY' : 'PLAIN';
  encodings.push(encoding);
  const width = c.type === 'DOUBLE' ? 8 : 4;
  const starts = !dict && c.type === 'STRING' ? pageStarts(n, (i) => table!.utf8[codes![i]].length) : pageStarts(n, () => (dict ? 4 : width));
  const pages = starts.length - 1;
  const dataPageOffset = BigInt(writer.offset);
  const locations: { offset: bigint; compressed_page_size: number; first_row_index: bigint }[] = [];
  for (let p = 0; p < pages; p++) {
    const i0 = starts[p];
    const i1 = starts[p + 1];
    const pageOffset = writer.offset;
    let plain: Uint8Array;
    if (dict) {
      let maxIndex = 0;
      for (let i = i0; i < i1; i++) if (dict.indexes[i] > maxIndex) maxIndex = dict.indexes[i];
      const bitWidth = Math.ceil(Math.log2(maxIndex + 1));
      const out = scratch.page.get(1 + Math.ceil(((i1 - i0) * Math.max(bitWidth, 8)) / 8) * 2 + 64);
      out[0] = bitWidth;
      plain = out.subarray(0, writeHybrid(dict.indexes, i0, i1, bitWidth, out, 1));
    } else if (c.type === 'STRING') {
      plain = plainStrings(codes!, table!, i0, i1, scratch.page);
    } else {
      plain = plainNumbers(values!.subarray(i0, i1), scratch.page);
    }
    uncompressed += writePage(writer, dataPageHeader(i1 - i0, encoding), plain, scratch);
    locations.push({ offset: BigInt(pageOffset), compressed_page_size: writer.offset - pageOffset, first_row_index: BigInt(i0) });
  }
  const element = schema[j + 1];
  return {
    chunk: {
      meta_data: {
        type: element.type,
        encodings,
        path_in_schema: [c.name],
        codec: pw.codec,
        num_values: BigInt(n),
        total_compressed_size: BigInt(writer.offset - offsetStart),
        total_uncompressed_size: BigInt(uncompressed),
        data_page_offset: dataPageOffset,
        dictionary_page_offset: dictionaryPageOffset,
        statistics: stats,
        encoding_stats: [...(dict ? [{ page_type: 'DICTIONARY_PAGE', encoding: 'PLAIN', count: 1 }] : []), { page_type: 'DATA_PAGE_V2', encoding, count: pages }],
        geospatial_statistics: undefined,
      },
      file_offset: BigInt(offsetStart),
    },
    columnIndex: undefined,
    offsetIndex: pages > 1 ? { page_locations: locations } : undefined,
    bloomFilter: undefined,
  };
}
