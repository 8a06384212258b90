/**
 * cells.parquet written straight from the CSR chunks. The generic table writer shreds list
 * columns value by value (hyparquet-writer's Dremel walk over arrays of arrays); for this one
 * fixed schema (CELLS_COLUMNS: optional list of required int32 / float) every part of the two
 * list columns follows directly from the row pointer, so they are encoded here:
 *   - levels: a cell's first stored value has repetition 0, the others 1; every stored value has
 *     definition 2; a cell with no stored value is one slot with repetition 0, definition 1;
 *   - pages: hyparquet-writer's rule (4 bytes per value; a new page at the first cell start once
 *     1 MiB is reached), computed per cell instead of per value;
 *   - levels are RLE/bit-packed with the library's greedy run rule, written into one buffer;
 *   - PLAIN values are the typed array's own little-endian bytes, compressed without a copy;
 *   - Snappy by core's snappyCompressInto (the library's bytes, ≈ 2–3× faster).
 * The three scalar columns (cell_id, condition, library_size: one value per cell) still go
 * through hyparquet-writer's `writeColumn`, and page headers and the footer are the library's,
 * so the file is byte for byte what the generic path writes — tested (cells-parquet.test.ts),
 * which also guards the internals relied on here (ParquetWriter's row_groups / pendingIndexes /
 * num_rows, writePageHeader; pinned hyparquet-writer version) against upgrades. Before: the
 * library's per-value path was ≈ 80 % of the writer thread (node --cpu-prof), 8 of 11.5 CPU-s
 * for 100,000 cells × 510 values.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { snappyCompress, snappyCompressInto, snappyMaxLength, temporaryPath, type CellChunk } from '@gears-pipeline/core';

/** hyparquet-writer's default page size (bytes), as the generic path uses it */
const PAGE_SIZE = 1_048_576;
/** PLAIN values are written as the typed arrays' memory, which is Parquet's byte order only on little-endian machines */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

type Element = Record<string, unknown>;

/** The CELLS_COLUMNS schema as the generic writer builds it (core/parquet.ts schemaFor). */
const SCHEMA: Element[] = [
  { name: 'root', num_children: 5 },
  { name: 'cell_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'condition', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'library_size', type: 'DOUBLE', repetition_type: 'REQUIRED' },
  { name: 'gene_index', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'value', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
];

interface PageData {
  values: ArrayLike<unknown>;
  definitionLevels: ArrayLike<number>;
  repetitionLevels: ArrayLike<number>;
  maxDefinitionLevel: number;
}

interface Writer {
  offset: number;
  flush?: () => unknown;
  appendBytes(b: Uint8Array): void;
}

/** Internals of hyparquet-writer 0.17's ParquetWriter that a row group is appended to. */
interface WriterInternals {
  writer: Writer;
  codec: string;
  compressors: Record<string, unknown>;
  statisticsTruncateLength?: number;
  row_groups: { columns: unknown[]; total_byte_size: bigint; num_rows: bigint; total_compressed_size: bigint }[];
  num_rows: bigint;
  pendingIndexes: unknown[];
  finish(): void;
}

/** What `writeColumn` returns for a column chunk (the parts the footer and page index read). */
interface ColumnResult {
  chunk: { meta_data?: { total_uncompressed_size?: bigint } } & Record<string, unknown>;
  columnIndex?: unknown;
  offsetIndex?: { page_locations: { offset: bigint; compressed_page_size: number; first_row_index: bigint }[] };
  bloomFilter?: unknown;
}

/** Levels of a list column from a CSR row pointer (see the file comment). */
function listLevels(indptr: Int32Array): { rep: Uint8Array; def: Uint8Array; empty: number } {
  const n = indptr.length - 1;
  let empty = 0;
  for (let r = 0; r < n; r++) if (indptr[r + 1] === indptr[r]) empty++;
  const slots = indptr[n] + empty;
  const rep = new Uint8Array(slots).fill(1);
  const def = new Uint8Array(slots).fill(2);
  let s = 0;
  for (let r = 0; r < n; r++) {
    const len = indptr[r + 1] - indptr[r];
    rep[s] = 0;
    if (len === 0) def[s++] = 1;
    else s += len;
  }
  return { rep, def, empty };
}

function writeVarInt(out: Uint8Array, op: number, v: number): number {
  while (v > 0x7f) {
    out[op++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[op++] = v;
  return op;
}

/**
 * Levels [from, to) in Parquet's RLE / bit-packing hybrid, with hyparquet-writer's greedy rule:
 * a run of ≥ 8 equal values is one RLE run; otherwise the next 8 values join the pending
 * bit-packed groups (padded with zeros past `to`). bitWidth ≤ 8. Returns the end position.
 */
export function writeLevelsHybrid(v: Uint8Array, from: number, to: number, bitWidth: number, out: Uint8Array, op: number): number {
  let i = from;
  let groups = 0;
  let groupStart = 0;
  while (i < to) {
    const first = v[i];
    let run = 1;
    while (i + run < to && v[i + run] === first) run++;
    if (run >= 8) {
      if (groups > 0) {
        op = writeBitPacked(v, groupStart, groups, to, bitWidth, out, op);
        groups = 0;
      }
      op = writeVarInt(out, op, run << 1);
      out[op++] = first;
      i += run;
    } else {
      if (groups === 0) groupStart = i;
      groups++;
      i += 8;
    }
  }
  if (groups > 0) op = writeBitPacked(v, groupStart, groups, to, bitWidth, out, op);
  return op;
}

function writeBitPacked(v: Uint8Array, start: number, groups: number, to: number, bitWidth: number, out: Uint8Array, op: number): number {
  op = writeVarInt(out, op, (groups << 1) | 1);
  const mask = (1 << bitWidth) - 1;
  let buffer = 0;
  let bits = 0;
  const end = start + groups * 8;
  for (let i = start; i < end; i++) {
    buffer |= (i < to ? v[i] & mask : 0) << bits;
    bits += bitWidth;
    while (bits >= 8) {
      out[op++] = buffer & 0xff;
      buffer >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out[op++] = buffer & 0xff;
  return op;
}

/** Scratch space reused across pages and chunks (grown when a page needs more). */
class Scratch {
  private buf = new Uint8Array(0);
  get(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
    return this.buf;
  }
}

/**
 * One list column chunk (CELLS_COLUMNS gene_index or value) of a row group, as writeColumn
 * would write it with encoding PLAIN, no statistics, an offset index when there are several
 * pages. `path` is the schema path from the root to the leaf.
 */
function writeListColumn(pw: WriterInternals, path: number[], indptr: Int32Array, values: Int32Array | Float32Array, rep: Uint8Array, def: Uint8Array, levelScratch: Scratch, dataScratch: Scratch): ColumnResult {
  const schemaPath = path.map((i) => SCHEMA[i]);
  const element = schemaPath[schemaPath.length - 1];
  const writer = pw.writer;
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const n = indptr.length - 1;
  const offsetStart = writer.offset;
  let uncompressed = 0;
  // page boundaries, as cell ranges: a page ends before the first cell start at which ≥ PAGE_SIZE bytes are reached
  const pageCells: number[] = [0];
  let acc = 0;
  let slot = 0;
  let pageSlot = 0;
  for (let r = 0; r < n; r++) {
    const len = indptr[r + 1] - indptr[r];
    const first = len > 0 ? 4 : 0;
    if (acc + first >= PAGE_SIZE && slot > pageSlot) {
      pageCells.push(r);
      pageSlot = slot;
      acc = 0;
    }
    acc += 4 * len;
    slot += Math.max(1, len);
  }
  pageCells.push(n);
  const pages = pageCells.length - 1;
  const locations: { offset: bigint; compressed_page_size: number; first_row_index: bigint }[] = [];
  const dataPageOffset = writer.offset;
  let slotStart = 0;
  for (let p = 0; p < pages; p++) {
    const r0 = pageCells[p];
    const r1 = pageCells[p + 1];
    let empties = 0;
    for (let r = r0; r < r1; r++) if (indptr[r + 1] === indptr[r]) empties++;
    const v0 = indptr[r0];
    const v1 = indptr[r1];
    const slotEnd = slotStart + (v1 - v0) + empties;
    const pageOffset = writer.offset;
    // levels: repetition (bit width 1), then definition (bit width 2)
    const levels = levelScratch.get(2 * (slotEnd - slotStart) + 64);
    const repLength = writeLevelsHybrid(rep, slotStart, slotEnd, 1, levels, 0);
    const levelsLength = writeLevelsHybrid(def, slotStart, slotEnd, 2, levels, repLength);
    const plain = bytes.subarray(v0 * 4, v1 * 4);
    const data = dataScratch.get(snappyMaxLength(plain.length));
    const compressedLength = snappyCompressInto(plain, data, 0);
    const headerStart = writer.offset;
    writePageHeader(writer as never, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: levelsLength + plain.length,
      compressed_page_size: levelsLength + compressedLength,
      data_page_header_v2: {
        num_values: slotEnd - slotStart,
        num_nulls: empties,
        num_rows: r1 - r0,
        encoding: 'PLAIN',
        definition_levels_byte_length: levelsLength - repLength,
        repetition_levels_byte_length: repLength,
        is_compressed: true,
      },
    } as never);
    const headerSize = writer.offset - headerStart;
    writer.appendBytes(levels.subarray(0, levelsLength));
    writer.appendBytes(data.subarray(0, compressedLength));
    uncompressed += headerSize + levelsLength + plain.length;
    locations.push({ offset: BigInt(pageOffset), compressed_page_size: writer.offset - pageOffset, first_row_index: BigInt(r0) });
    slotStart = slotEnd;
  }
  return {
    chunk: {
      meta_data: {
        type: element.type,
        encodings: ['PLAIN'],
        path_in_schema: schemaPath.slice(1).map((s) => s.name),
        codec: pw.codec,
        num_values: BigInt(slotStart),
        total_compressed_size: BigInt(writer.offset - offsetStart),
        total_uncompressed_size: BigInt(uncompressed),
        data_page_offset: BigInt(dataPageOffset),
        dictionary_page_offset: undefined,
        statistics: undefined,
        encoding_stats: undefined,
        geospatial_statistics: undefined,
      },
      file_offset: BigInt(offsetStart),
    },
    columnIndex: undefined,
    offsetIndex: pages > 1 ? { page_locations: locations } : undefined,
    bloomFilter: undefined,
  };
}

/** Streams CellChunks into cells.parquet (CELLS_COLUMNS), one row group per chunk; atomic on close. */
export class CellsParquetWriter {
  readonly path: string;
  private readonly tmp: string;
  private readonly pw: WriterInternals;
  private rows = 0;
  private done = false;
  private readonly levelScratch = new Scratch();
  private readonly dataScratch = new Scratch();

  constructor(path: string) {
    if (!LITTLE_ENDIAN) throw new Error('cells.parquet: the direct writer needs a little-endian machine');
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = temporaryPath(path);
    // no min/max statistics, as the generic cells writer (they cost more time than they save)
    this.pw = new ParquetWriter({ writer: fileWriter(this.tmp), schema: SCHEMA as never, kvMetadata: [], createdBy: 'gears-pipeline', statistics: false, compressors: { SNAPPY: snappyCompress } }) as unknown as WriterInternals;
  }

  get rowCount(): number {
    return this.rows;
  }

  write(chunk: CellChunk): void {
    if (this.done) throw new Error(`${this.path}: write after close`);
    const n = chunk.indptr.length - 1;
    if (n === 0) return;
    const { rep, def } = listLevels(chunk.indptr);
    const flat = (values: ArrayLike<unknown>): PageData => ({ values, definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 });
    // [schema path from the root to the leaf, data, encoding]; encodings as the generic writer chooses them
    const scalars: [number[], PageData, string | undefined][] = [
      [[0, 1], flat(chunk.cellIds), undefined],
      [[0, 2], flat(chunk.conditions), undefined],
      [[0, 3], flat(chunk.librarySize ?? new Float64Array(n).fill(NaN)), 'PLAIN'],
    ];
    const pw = this.pw;
    const groupStart = pw.writer.offset;
    const chunks: ColumnResult['chunk'][] = [];
    for (const [path, pageData, encoding] of scalars) {
      const schemaPath = path.map((i) => SCHEMA[i]);
      const column = {
        columnName: schemaPath.slice(1).map((s) => s.name).join('.'),
        element: schemaPath[schemaPath.length - 1],
        schemaPath,
        codec: pw.codec,
        compressors: pw.compressors,
        stats: false,
        statisticsTruncateLength: pw.statisticsTruncateLength,
        pageSize: PAGE_SIZE,
        dictionarySize: undefined,
        columnIndex: false,
        offsetIndex: true,
        encoding,
        bloomFilter: undefined,
      };
      const result = writeColumn({ writer: pw.writer, column, pageData } as never) as ColumnResult;
      chunks.push(result.chunk);
      pw.pendingIndexes.push(result);
    }
    for (const [path, values] of [[[0, 4, 5, 6], chunk.indices], [[0, 7, 8, 9], chunk.values]] as const) {
      const result = writeListColumn(pw, path, chunk.indptr, values, rep, def, this.levelScratch, this.dataScratch);
      chunks.push(result.chunk);
      pw.pendingIndexes.push(result);
    }
    let totalByteSize = 0n;
    for (const c of chunks) totalByteSize += c.meta_data?.total_uncompressed_size ?? 0n;
    pw.num_rows += BigInt(n);
    pw.row_groups.push({ columns: chunks, total_byte_size: totalByteSize, num_rows: BigInt(n), total_compressed_size: BigInt(pw.writer.offset - groupStart) });
    pw.writer.flush?.();
    this.rows += n;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.pw.finish();
      renameSync(this.tmp, this.path);
    } catch (e) {
      rmSync(this.tmp, { force: true });
      throw e;
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    rmSync(this.tmp, { force: true });
  }
}
