/**
 * A direct encoder for flat BI tables (scalar columns, dictionary-encoded strings), used by
 * ParquetTableWriter for tables written in large row groups (`rowGroupRows`). hyparquet-writer
 * takes one JS value per cell and re-derives levels, dictionaries, page boundaries and
 * statistics per value; the evaluate and predict tables hold millions of rows whose string
 * columns repeat one value per condition, so here columns are collected straight into typed
 * arrays (strings as dictionary ids, a repeated value as one fill) and each column chunk is
 * encoded in one pass. The page layout is hyparquet-writer's (PAR1, DATA_PAGE_V2, SNAPPY,
 * PLAIN dictionary page + RLE_DICTIONARY ids, chunk min/max statistics); its page-header,
 * RLE/bit-packing, snappy and footer serialisers are reused, so the thrift stays theirs.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import type { ColumnChunk, Encoding, FileMetaData, RowGroup, SchemaElement, Statistics } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';

/**
 * One value for every row of a batch (a condition, a model name…): written as one dictionary id
 * or one fill instead of `length` array cells.
 */
export interface RepeatedValue<T = unknown> {
  readonly repeated: T;
  readonly length: number;
}

/** `length` rows of `value`, as a ParquetTableWriter batch column. */
export function repeated<T>(value: T, length: number): RepeatedValue<T> {
  return { repeated: value, length };
}

export function isRepeated(v: unknown): v is RepeatedValue {
  return typeof v === 'object' && v !== null && 'repeated' in v && !ArrayBuffer.isView(v) && !Array.isArray(v);
}

/** What a direct column needs from its spec (the subset of ParquetColumnSpec used here). */
export interface DirectColumnSpec {
  name: string;
  type: string;
  nullable?: boolean;
  dictionary?: boolean;
}

/** Rows per data page (100k-row groups are one page, as hyparquet-writer's 1 MiB pages would be). */
const PAGE_ROWS = 131_072;
const utf8 = new TextEncoder();

/** Columns this encoder writes: flat numbers and booleans, dictionary strings; little-endian hosts. */
export function directSupported(columns: readonly DirectColumnSpec[], plain: ReadonlySet<string>): boolean {
  if (endianness() !== 'LE') return false;
  return columns.every((c) => ['DOUBLE', 'FLOAT', 'INT32', 'BOOLEAN'].includes(c.type) || (c.type === 'STRING' && c.dictionary === true && !plain.has(c.name)));
}

type Values = ArrayLike<unknown> | RepeatedValue;

/** The rows of one column collected for the current row group. */
abstract class ColumnBuffer {
  constructor(
    readonly spec: DirectColumnSpec,
    protected readonly file: string,
  ) {}
  /** copies rows [from, from + count) of `values` to rows [at, at + count) */
  abstract append(values: Values, from: number, count: number, at: number): void;
  protected missing(): never {
    throw new Error(`${this.file}: column ${this.spec.name} is not nullable but a row has no value`);
  }
}

/** DOUBLE / FLOAT: NaN marks NULL in a nullable column (NULL, not NaN, for BI tools). */
class NumberBuffer extends ColumnBuffer {
  readonly values: Float64Array;
  constructor(spec: DirectColumnSpec, file: string, rows: number) {
    super(spec, file);
    this.values = new Float64Array(rows);
  }
  append(values: Values, from: number, count: number, at: number): void {
    const out = this.values;
    if (isRepeated(values)) {
      const v = values.repeated;
      if (v === null || v === undefined) {
        if (!this.spec.nullable) this.missing();
        out.fill(NaN, at, at + count);
      } else out.fill(Number(v), at, at + count);
    } else if (values instanceof Float64Array || values instanceof Float32Array) {
      out.set(values.subarray(from, from + count), at);
    } else {
      for (let i = 0; i < count; i++) {
        const v = values[from + i];
        if (v === null || v === undefined) {
          if (!this.spec.nullable) this.missing();
          out[at + i] = NaN;
        } else out[at + i] = Number(v);
      }
    }
  }
}

/** INT32 (and BOOLEAN as 0/1); `present` only for nullable columns. */
class IntBuffer extends ColumnBuffer {
  readonly values: Int32Array;
  readonly present?: Uint8Array;
  constructor(spec: DirectColumnSpec, file: string, rows: number) {
    super(spec, file);
    this.values = new Int32Array(rows);
    if (spec.nullable) this.present = new Uint8Array(rows);
  }
  append(values: Values, from: number, count: number, at: number): void {
    const out = this.values;
    const present = this.present;
    const bool = this.spec.type === 'BOOLEAN';
    if (isRepeated(values)) {
      const v = values.repeated;
      const has = v !== null && v !== undefined;
      if (!has && !present) this.missing();
      out.fill(has ? (bool ? (v ? 1 : 0) : Number(v)) : 0, at, at + count);
      present?.fill(has ? 1 : 0, at, at + count);
      return;
    }
    if (!present && (values instanceof Int32Array || values instanceof Uint8Array)) {
      out.set(values.subarray(from, from + count), at);
      return;
    }
    for (let i = 0; i < count; i++) {
      const v = values[from + i];
      const has = v !== null && v !== undefined;
      if (!has && !present) this.missing();
      out[at + i] = has ? (bool ? (v ? 1 : 0) : Number(v)) : 0;
      if (present) present[at + i] = has ? 1 : 0;
    }
  }
}

/** STRING: dictionary ids into the file-wide list of distinct values (−1 = NULL). */
class DictionaryBuffer extends ColumnBuffer {
  readonly ids: Int32Array;
  readonly distinct: string[] = [];
  readonly bytes: Uint8Array[] = [];
  private readonly idOf = new Map<string, number>();
  constructor(spec: DirectColumnSpec, file: string, rows: number) {
    super(spec, file);
    this.ids = new Int32Array(rows);
  }
  private id(v: unknown): number {
    if (v === null || v === undefined) {
      if (!this.spec.nullable) this.missing();
      return -1;
    }
    if (typeof v !== 'string') throw new Error(`${this.file}: column ${this.spec.name} holds a ${typeof v} where text is expected`);
    let id = this.idOf.get(v);
    if (id === undefined) {
      id = this.distinct.length;
      this.distinct.push(v);
      this.bytes.push(utf8.encode(v));
      this.idOf.set(v, id);
    }
    return id;
  }
  append(values: Values, from: number, count: number, at: number): void {
    const out = this.ids;
    if (isRepeated(values)) {
      out.fill(this.id(values.repeated), at, at + count);
      return;
    }
    // consecutive equal values (a filled array) cost one lookup
    let last: unknown = Symbol();
    let lastId = 0;
    for (let i = 0; i < count; i++) {
      const v = values[from + i];
      if (v !== last) {
        lastId = this.id(v);
        last = v;
      }
      out[at + i] = lastId;
    }
  }
}

/** Unsigned byte order of UTF-8, Parquet's order for BYTE_ARRAY statistics. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function asBytes(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** RLE/bit-packed definition levels (1 = value present) of rows [start, end). */
function definitionLevels(present: Uint8Array, start: number, end: number): Uint8Array {
  const w = new ByteWriter();
  writeRleBitPackedHybrid(w, present.subarray(start, end), 1);
  return w.getBytes().slice();
}

interface EncodedPage {
  levels?: Uint8Array;
  values: Uint8Array;
  rows: number;
  nulls: number;
}

/**
 * Streams one Parquet file of flat columns: `writeRowGroup` encodes the buffers' first `rows`
 * rows as one row group; `finish` writes the footer. Bytes go straight to the file descriptor.
 */
export class DirectParquetFile {
  private readonly fd: number;
  private offset = 0;
  private readonly rowGroups: RowGroup[] = [];
  private numRows = 0;
  readonly buffers: ColumnBuffer[];

  constructor(
    private readonly path: string,
    private readonly schema: SchemaElement[],
    readonly columns: readonly DirectColumnSpec[],
    rowGroupRows: number,
    private readonly opts: { kv: { key: string; value: string }[]; statistics: boolean; createdBy: string },
  ) {
    this.buffers = columns.map((c) =>
      c.type === 'STRING' ? new DictionaryBuffer(c, path, rowGroupRows) : c.type === 'DOUBLE' || c.type === 'FLOAT' ? new NumberBuffer(c, path, rowGroupRows) : new IntBuffer(c, path, rowGroupRows),
    );
    this.fd = openSync(path, 'w');
    this.write(Uint8Array.of(0x50, 0x41, 0x52, 0x31)); // PAR1
  }

  private write(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.offset += bytes.length;
  }

  /** Writes a page (header, levels, snappy values); returns its uncompressed size with header. */
  private writePage(header: Parameters<typeof writePageHeader>[1], levels: Uint8Array | undefined, values: Uint8Array, compressed: Uint8Array): number {
    const h = new ByteWriter(64);
    writePageHeader(h, header);
    this.write(h.getBytes());
    if (levels) this.write(levels);
    this.write(compressed);
    return h.offset + (levels?.length ?? 0) + values.length;
  }

  writeRowGroup(rows: number): void {
    if (rows === 0) return;
    const groupStart = this.offset;
    const chunks: ColumnChunk[] = [];
    let uncompressed = 0n;
    this.buffers.forEach((b) => {
      const chunk = this.writeChunk(b, rows);
      uncompressed += chunk.meta_data!.total_uncompressed_size;
      chunks.push(chunk);
    });
    this.rowGroups.push({ columns: chunks, total_byte_size: uncompressed, num_rows: BigInt(rows), total_compressed_size: BigInt(this.offset - groupStart) });
    this.numRows += rows;
  }

  private writeChunk(b: ColumnBuffer, rows: number): ColumnChunk {
    const spec = b.spec;
    const chunkStart = this.offset;
    let size = 0;
    let dictionaryPageOffset: bigint | undefined;
    let encoding: Encoding = 'PLAIN';
    let pages: EncodedPage[];
    let statistics: Statistics | undefined;
    const element = this.schema.find((e) => e.name === spec.name)!;

    if (b instanceof DictionaryBuffer) {
      // the chunk's dictionary: the distinct values it uses, in order of first use
      const local = new Int32Array(b.distinct.length).fill(-1);
      const used: number[] = [];
      const ids = new Int32Array(rows);
      const present = spec.nullable ? new Uint8Array(rows) : undefined;
      let n = 0;
      for (let r = 0; r < rows; r++) {
        const g = b.ids[r];
        if (g < 0) continue;
        if (present) present[r] = 1;
        if (local[g] < 0) {
          local[g] = used.length;
          used.push(g);
        }
        ids[n++] = local[g];
      }
      let dictBytes = 0;
      for (const g of used) dictBytes += 4 + b.bytes[g].length;
      const dict = new Uint8Array(dictBytes);
      const view = new DataView(dict.buffer);
      let at = 0;
      for (const g of used) {
        view.setUint32(at, b.bytes[g].length, true);
        dict.set(b.bytes[g], at + 4);
        at += 4 + b.bytes[g].length;
      }
      dictionaryPageOffset = BigInt(this.offset);
      const compressedDict = snappyCompress(dict);
      size += this.writePage(
        { type: 'DICTIONARY_PAGE', uncompressed_page_size: dict.length, compressed_page_size: compressedDict.length, dictionary_page_header: { num_values: used.length, encoding: 'PLAIN' } },
        undefined,
        dict,
        compressedDict,
      );
      encoding = 'RLE_DICTIONARY';
      const bitWidth = Math.max(0, Math.ceil(Math.log2(used.length)));
      pages = this.pagesOf(rows, present, (start, end, valueStart, valueEnd) => {
        const w = new ByteWriter(1024);
        w.appendUint8(bitWidth);
        writeRleBitPackedHybrid(w, ids.subarray(valueStart, valueEnd), bitWidth);
        return w.getBytes().slice();
      });
      if (this.opts.statistics) {
        let min: Uint8Array | undefined;
        let max: Uint8Array | undefined;
        for (const g of used) {
          const v = b.bytes[g];
          if (!min || compareBytes(v, min) < 0) min = v;
          if (!max || compareBytes(v, max) > 0) max = v;
        }
        statistics = { null_count: BigInt(rows - n), min_value: min, max_value: max };
      }
    } else if (b instanceof NumberBuffer) {
      const all = b.values.subarray(0, rows);
      let values: Float64Array = all;
      let present: Uint8Array | undefined;
      if (spec.nullable) {
        present = new Uint8Array(rows);
        values = new Float64Array(rows);
        let n = 0;
        for (let r = 0; r < rows; r++) {
          const v = all[r];
          if (v === v) {
            present[r] = 1;
            values[n++] = v;
          }
        }
        values = values.subarray(0, n);
      }
      const float = spec.type === 'FLOAT';
      pages = this.pagesOf(rows, present, (_s, _e, valueStart, valueEnd) => {
        const part = values.subarray(valueStart, valueEnd);
        return asBytes(float ? Float32Array.from(part) : part);
      });
      if (this.opts.statistics) {
        let min = Infinity;
        let max = -Infinity;
        let nan = 0;
        for (let i = 0; i < values.length; i++) {
          const v = float ? Math.fround(values[i]) : values[i];
          if (v !== v) nan++;
          else {
            if (v < min) min = v;
            if (v > max) max = v;
          }
        }
        const any = values.length - nan > 0;
        // signed zero per the Parquet spec: a zero min is −0, a zero max is +0
        // nan_count: serialised by hyparquet-writer's footer (Parquet 2.11) though its types omit it
        statistics = {
          null_count: BigInt(rows - values.length),
          nan_count: BigInt(nan),
          ...(any ? { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max } : {}),
        } as Statistics;
      }
    } else {
      const ib = b as IntBuffer;
      const all = ib.values.subarray(0, rows);
      let values: Int32Array = all;
      const present = ib.present?.subarray(0, rows);
      if (present) {
        values = new Int32Array(rows);
        let n = 0;
        for (let r = 0; r < rows; r++) if (present[r]) values[n++] = all[r];
        values = values.subarray(0, n);
      }
      const bool = spec.type === 'BOOLEAN';
      pages = this.pagesOf(rows, present, (_s, _e, valueStart, valueEnd) => {
        const part = values.subarray(valueStart, valueEnd);
        if (!bool) return asBytes(part);
        // PLAIN booleans: one bit each, least significant bit first
        const out = new Uint8Array(Math.ceil(part.length / 8));
        for (let i = 0; i < part.length; i++) if (part[i]) out[i >> 3] |= 1 << (i & 7);
        return out;
      });
      if (this.opts.statistics) {
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < values.length; i++) {
          if (values[i] < min) min = values[i];
          if (values[i] > max) max = values[i];
        }
        const any = values.length > 0;
        statistics = {
          null_count: BigInt(rows - values.length),
          ...(any ? (bool ? { min_value: min !== 0, max_value: max !== 0 } : { min_value: min, max_value: max }) : {}),
        };
      }
    }

    const dataPageOffset = BigInt(this.offset);
    for (const p of pages) {
      const compressed = snappyCompress(p.values);
      size += this.writePage(
        {
          type: 'DATA_PAGE_V2',
          uncompressed_page_size: (p.levels?.length ?? 0) + p.values.length,
          compressed_page_size: (p.levels?.length ?? 0) + compressed.length,
          data_page_header_v2: {
            num_values: p.rows,
            num_nulls: p.nulls,
            num_rows: p.rows,
            encoding,
            definition_levels_byte_length: p.levels?.length ?? 0,
            repetition_levels_byte_length: 0,
            is_compressed: true,
          },
        },
        p.levels,
        p.values,
        compressed,
      );
    }
    return {
      file_offset: BigInt(chunkStart),
      meta_data: {
        type: element.type!,
        encodings: dictionaryPageOffset !== undefined ? ['PLAIN', encoding] : [encoding],
        path_in_schema: [spec.name],
        codec: 'SNAPPY',
        num_values: BigInt(rows),
        total_uncompressed_size: BigInt(size),
        total_compressed_size: BigInt(this.offset - chunkStart),
        data_page_offset: dataPageOffset,
        ...(dictionaryPageOffset !== undefined ? { dictionary_page_offset: dictionaryPageOffset } : {}),
        ...(statistics ? { statistics } : {}),
        ...(this.opts.statistics
          ? {
              encoding_stats: [
                ...(dictionaryPageOffset !== undefined ? [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }] : []),
                { page_type: 'DATA_PAGE_V2' as const, encoding, count: pages.length },
              ],
            }
          : {}),
      },
    };
  }

  /**
   * Splits rows [0, rows) into pages of ≤ PAGE_ROWS rows; `encode(start, end, valueStart,
   * valueEnd)` gives the value bytes of a page whose non-null values are [valueStart, valueEnd).
   */
  private pagesOf(rows: number, present: Uint8Array | undefined, encode: (start: number, end: number, valueStart: number, valueEnd: number) => Uint8Array): EncodedPage[] {
    const pages: EncodedPage[] = [];
    let valueStart = 0;
    for (let start = 0; start < rows; start += PAGE_ROWS) {
      const end = Math.min(rows, start + PAGE_ROWS);
      let n = end - start;
      if (present) {
        n = 0;
        for (let r = start; r < end; r++) n += present[r];
      }
      pages.push({ levels: present && definitionLevels(present, start, end), values: encode(start, end, valueStart, valueStart + n), rows: end - start, nulls: end - start - n });
      valueStart += n;
    }
    return pages;
  }

  /** Writes the footer and closes the file. */
  finish(): void {
    const metadata: FileMetaData = {
      version: 2,
      created_by: this.opts.createdBy,
      schema: this.schema,
      num_rows: BigInt(this.numRows),
      row_groups: this.rowGroups,
      key_value_metadata: this.opts.kv,
    } as FileMetaData;
    const w = new ByteWriter();
    writeMetadata(w, metadata);
    w.appendUint32(0x31524150); // PAR1
    this.write(w.getBytes());
    closeSync(this.fd);
  }

  /** Closes the file descriptor without a footer (the caller removes the file). */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
