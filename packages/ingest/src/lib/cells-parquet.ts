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
import {
  appendRowGroup,
  openParquetWriter,
  PAGE_SIZE,
  Scratch,
  snappyCompressInto,
  snappyMaxLength,
  temporaryPath,
  writeHybrid,
  writeLibraryColumn,
  writePageHeader,
  type CellChunk,
  type ColumnChunkResult,
  type ParquetWriterInternals,
} from '@gears-pipeline/core';

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

/**
 * One list column chunk (CELLS_COLUMNS gene_index or value) of a row group, as writeColumn
 * would write it with encoding PLAIN, no statistics, an offset index when there are several
 * pages. `path` is the schema path from the root to the leaf.
 */
function writeListColumn(pw: ParquetWriterInternals, path: readonly number[], indptr: Int32Array, values: Int32Array | Float32Array, rep: Uint8Array, def: Uint8Array, levelScratch: Scratch, dataScratch: Scratch): ColumnChunkResult {
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
    const repLength = writeHybrid(rep, slotStart, slotEnd, 1, levels, 0);
    const levelsLength = writeHybrid(def, slotStart, slotEnd, 2, levels, repLength);
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
  private readonly pw: ParquetWriterInternals;
  private rows = 0;
  private done = false;
  private readonly levelScratch = new Scratch();
  private readonly dataScratch = new Scratch();

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = temporaryPath(path);
    // no min/max statistics, as the generic cells writer (they cost more time than they save)
    this.pw = openParquetWriter(this.tmp, SCHEMA, false);
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
    const results: ColumnChunkResult[] = [];
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
      results.push(writeLibraryColumn({ writer: pw.writer, column, pageData } as never) as unknown as ColumnChunkResult);
    }
    for (const [path, values] of [[[0, 4, 5, 6], chunk.indices], [[0, 7, 8, 9], chunk.values]] as const) {
      results.push(writeListColumn(pw, path, chunk.indptr, values, rep, def, this.levelScratch, this.dataScratch));
    }
    appendRowGroup(pw, results, n, groupStart);
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
