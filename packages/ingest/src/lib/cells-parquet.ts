/**
 * cells.parquet written straight from the CSR chunks. The generic table writer shreds list
 * columns value by value (hyparquet-writer's Dremel walk over arrays of arrays): at 100,000 cells
 * × ~500 stored values that walk, the per-cell `Array.from` copies feeding it and their garbage
 * were ≈ 80 % of the writer thread (node --cpu-prof). For this one fixed schema (CELLS_COLUMNS:
 * optional list of required int32 / float) the repetition and definition levels follow directly
 * from the row pointer:
 *   a cell's first stored value: repetition 0, others 1; every stored value: definition 2;
 *   a cell with no stored value: one slot with repetition 0, definition 1 (an empty list).
 * The column chunks are then encoded by hyparquet-writer's own `writeColumn` (pages, encodings,
 * snappy, footer), so the bytes are the ones the generic path writes — tested byte for byte
 * (cells-parquet.test.ts), which also guards the internals relied on here (ParquetWriter's
 * row_groups / pendingIndexes / num_rows, pinned hyparquet-writer version) against upgrades.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { temporaryPath, type CellChunk } from '@gears-pipeline/core';

/** hyparquet-writer's default page size (bytes), as the generic path uses it */
const PAGE_SIZE = 1_048_576;

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

/** Internals of hyparquet-writer 0.17's ParquetWriter that a row group is appended to. */
interface WriterInternals {
  writer: { offset: number; flush?: () => unknown };
  codec: string;
  compressors: Record<string, unknown>;
  statisticsTruncateLength?: number;
  row_groups: { columns: unknown[]; total_byte_size: bigint; num_rows: bigint; total_compressed_size: bigint }[];
  num_rows: bigint;
  pendingIndexes: unknown[];
  finish(): void;
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

/** Stored values with an `undefined` slot for each empty cell, as the level arrays expect. */
function withEmptySlots<T extends Int32Array | Float32Array>(values: T, indptr: Int32Array, empty: number): ArrayLike<unknown> {
  if (empty === 0) return values;
  const out: (number | undefined)[] = [];
  for (let r = 0; r + 1 < indptr.length; r++) {
    if (indptr[r + 1] === indptr[r]) out.push(undefined);
    else for (let k = indptr[r]; k < indptr[r + 1]; k++) out.push(values[k]);
  }
  return out;
}

/** Streams CellChunks into cells.parquet (CELLS_COLUMNS), one row group per chunk; atomic on close. */
export class CellsParquetWriter {
  readonly path: string;
  private readonly tmp: string;
  private readonly pw: WriterInternals;
  private rows = 0;
  private done = false;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = temporaryPath(path);
    // no min/max statistics, as the generic cells writer (they cost more time than they save)
    this.pw = new ParquetWriter({ writer: fileWriter(this.tmp), schema: SCHEMA as never, kvMetadata: [], createdBy: 'gears-pipeline', statistics: false }) as unknown as WriterInternals;
  }

  get rowCount(): number {
    return this.rows;
  }

  write(chunk: CellChunk): void {
    if (this.done) throw new Error(`${this.path}: write after close`);
    const n = chunk.indptr.length - 1;
    if (n === 0) return;
    const { rep, def, empty } = listLevels(chunk.indptr);
    const flat = (values: ArrayLike<unknown>): PageData => ({ values, definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 });
    const list = (values: Int32Array | Float32Array): PageData => ({ values: withEmptySlots(values, chunk.indptr, empty), definitionLevels: def, repetitionLevels: rep, maxDefinitionLevel: 2 });
    // [schema path from the root to the leaf, data, encoding]; encodings as the generic writer chooses them
    const columns: [number[], PageData, string | undefined][] = [
      [[0, 1], flat(chunk.cellIds), undefined],
      [[0, 2], flat(chunk.conditions), undefined],
      [[0, 3], flat(chunk.librarySize ?? new Float64Array(n).fill(NaN)), 'PLAIN'],
      [[0, 4, 5, 6], list(chunk.indices), 'PLAIN'],
      [[0, 7, 8, 9], list(chunk.values), 'PLAIN'],
    ];
    const pw = this.pw;
    const groupStart = pw.writer.offset;
    const chunks: { meta_data?: { total_uncompressed_size?: bigint } }[] = [];
    for (const [path, pageData, encoding] of columns) {
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
      const result = writeColumn({ writer: pw.writer, column, pageData } as never) as { chunk: (typeof chunks)[number] };
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
