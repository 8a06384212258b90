/**
 * The one Parquet adapter of the project: every stage writes and reads tables through it, so the
 * library behind it (hyparquet + hyparquet-writer, pure JS, measured fastest in DESIGN §7) can be
 * swapped in one place. Writes are atomic: rows go to a temporary file that is renamed on close.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetReadObjects, parquetSchema, parquetScan } from 'hyparquet/src/node.js';
import { temporaryPath } from './atomic.ts';
import { GearsInputError } from './errors.ts';
import { DirectParquetFile, directSupported, isRepeated, type RepeatedValue } from './parquet-direct.ts';

export { repeated, type RepeatedValue } from './parquet-direct.ts';

export type ParquetColumnType =
  | 'STRING'
  | 'INT32'
  | 'DOUBLE'
  | 'FLOAT'
  | 'BOOLEAN'
  | 'LIST_INT32'
  | 'LIST_FLOAT'
  | 'LIST_STRING';

export interface ParquetColumnSpec {
  name: string;
  type: ParquetColumnType;
  /**
   * the column may hold NULL (Parquet OPTIONAL); for DOUBLE/FLOAT columns NaN is written as NULL,
   * so SQL and BI tools see "undefined" rather than a NaN that poisons averages
   */
  nullable?: boolean;
  /** force dictionary encoding (RLE_DICTIONARY) for a STRING column, e.g. repeated gene names */
  dictionary?: boolean;
}

/**
 * Column values for one batch of rows; lengths must agree. A column that holds one value for the
 * whole batch (the condition of a per-condition batch) can be given as `repeated(value, n)`.
 */
export type ParquetBatch = Record<string, ArrayLike<unknown> | RepeatedValue>;

type SchemaElement = Record<string, unknown>;

/** The Parquet schema of a column list (root first), as every table writer of the project builds it. */
export function schemaFor(columns: readonly ParquetColumnSpec[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) {
    if (c.type.startsWith('LIST_')) {
      const leaf = c.type.slice(5);
      out.push({ name: c.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      out.push(leafElement('element', leaf, 'REQUIRED'));
    } else {
      out.push(leafElement(c.name, c.type, c.nullable ? 'OPTIONAL' : 'REQUIRED'));
    }
  }
  return out;
}

function leafElement(name: string, type: string, repetition: string): SchemaElement {
  switch (type) {
    case 'STRING':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: repetition };
    case 'INT32':
      return { name, type: 'INT32', repetition_type: repetition };
    case 'DOUBLE':
      return { name, type: 'DOUBLE', repetition_type: repetition };
    case 'FLOAT':
      return { name, type: 'FLOAT', repetition_type: repetition };
    case 'BOOLEAN':
      return { name, type: 'BOOLEAN', repetition_type: repetition };
    default:
      throw new Error(`unsupported parquet type ${type}`);
  }
}

/**
 * Streams row batches into one Parquet file. Each `write` becomes one or more row groups, so
 * memory stays bounded by the batch size. `close()` renames the temporary file to `path`;
 * `abort()` removes it and leaves any previous file at `path` untouched.
 *
 * @example
 * const w = new ParquetTableWriter('out/genes.parquet', [{ name: 'gene', type: 'STRING' }]);
 * w.write({ gene: ['KLF1', 'CEBPA'] });
 * w.close();
 */
export class ParquetTableWriter {
  readonly path: string;
  readonly columns: readonly ParquetColumnSpec[];
  private readonly tmp: string;
  /** hyparquet-writer, for tables the direct encoder does not cover */
  private readonly writer?: ParquetWriter;
  /** the direct encoder (parquet-direct.ts), for flat tables written in large row groups */
  private readonly direct?: DirectParquetFile;
  private rows = 0;
  private done = false;

  private readonly plainColumns: ReadonlySet<string>;
  /** rows collected for the next row group (only with opts.rowGroupRows) */
  private readonly rowGroupRows: number;
  private pending: unknown[][] = [];
  private pendingRows = 0;

  /**
   * @param opts.kv footer key/value metadata
   * @param opts.plain columns to write without dictionary encoding (float columns always are)
   * @param opts.statistics write min/max statistics (default true); off saves time on large list columns
   * @param opts.rowGroupRows collect small `write` batches into row groups of this many rows (the
   *   last one smaller), so readers get few large row groups (BI tools want ≥ 100k rows each) while
   *   memory stays bounded by one row group; without it every `write` becomes its own row group
   * @param opts.encoder 'hyparquet' forces hyparquet-writer; by default tables with `rowGroupRows`
   *   whose columns are all flat (strings dictionary-encoded) use the direct encoder, which
   *   writes the same layout several times faster (README benchmark notes, evaluate)
   */
  constructor(
    path: string,
    columns: readonly ParquetColumnSpec[],
    opts: { kv?: Record<string, string>; plain?: readonly string[]; statistics?: boolean; rowGroupRows?: number; encoder?: 'direct' | 'hyparquet' } = {},
  ) {
    this.path = path;
    this.columns = columns;
    this.plainColumns = new Set(opts.plain ?? []);
    this.rowGroupRows = opts.rowGroupRows ?? 0;
    this.pending = columns.map(() => []);
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = temporaryPath(path);
    const kvMetadata = Object.entries(opts.kv ?? {}).map(([key, value]) => ({ key, value }));
    if (this.rowGroupRows > 0 && opts.encoder !== 'hyparquet' && directSupported(columns, this.plainColumns)) {
      this.direct = new DirectParquetFile(this.tmp, schemaFor(columns) as never, columns, this.rowGroupRows, {
        kv: kvMetadata,
        statistics: opts.statistics ?? true,
        createdBy: 'gears-pipeline',
      });
      return;
    }
    this.writer = new ParquetWriter({
      writer: fileWriter(this.tmp),
      schema: schemaFor(columns) as never,
      kvMetadata,
      createdBy: 'gears-pipeline',
      statistics: opts.statistics ?? true,
    });
  }

  get rowCount(): number {
    return this.rows;
  }

  write(batch: ParquetBatch, rowGroupSize = 100_000): void {
    if (this.done) throw new Error(`${this.path}: write after close`);
    const n = batch[this.columns[0].name]?.length ?? 0;
    if (n === 0) return;
    const data = this.columns.map((c) => {
      const d = batch[c.name];
      if (!d) throw new Error(`${this.path}: batch lacks column ${c.name}`);
      if (d.length !== n) throw new Error(`${this.path}: column ${c.name} has ${d.length} rows, expected ${n}`);
      return d;
    });
    this.rows += n;
    if (this.direct) {
      const buffers = this.direct.buffers;
      let from = 0;
      while (from < n) {
        const take = Math.min(n - from, this.rowGroupRows - this.pendingRows);
        data.forEach((d, j) => buffers[j].append(d, from, take, this.pendingRows));
        this.pendingRows += take;
        from += take;
        if (this.pendingRows >= this.rowGroupRows) {
          this.direct.writeRowGroup(this.pendingRows);
          this.pendingRows = 0;
        }
      }
      return;
    }
    const expanded = data.map((d) => (isRepeated(d) ? new Array(d.length).fill(d.repeated) : d));
    if (this.rowGroupRows <= 0) {
      this.writeGroup(expanded, rowGroupSize);
      return;
    }
    // collect into the pending row group; flush each time it fills
    let from = 0;
    while (from < n) {
      const take = Math.min(n - from, this.rowGroupRows - this.pendingRows);
      expanded.forEach((d, j) => {
        const dest = this.pending[j];
        for (let i = from; i < from + take; i++) dest.push(d[i]);
      });
      this.pendingRows += take;
      from += take;
      if (this.pendingRows >= this.rowGroupRows) this.flushPending();
    }
  }

  private flushPending(): void {
    if (this.pendingRows === 0) return;
    const data = this.pending;
    this.pending = this.columns.map(() => []);
    this.pendingRows = 0;
    this.writeGroup(data, this.rowGroupRows);
  }

  private writeGroup(data: readonly ArrayLike<unknown>[], rowGroupSize: number): void {
    const columnData = this.columns.map((c, j) => {
      let values = data[j];
      const float = c.type === 'DOUBLE' || c.type === 'FLOAT';
      // NULL, not NaN, where a nullable number is undefined
      if (c.nullable && float) values = Array.from(values as ArrayLike<number | null>, (v) => (v === null || v === undefined || Number.isNaN(v) ? null : v));
      else if (c.nullable) values = Array.from(values, (v) => (v === undefined ? null : v));
      // Float columns: dictionary encoding of distinct floats only costs time (DESIGN §7).
      const plain = float || c.type === 'LIST_FLOAT' || this.plainColumns.has(c.name);
      const encoding = c.dictionary && c.type === 'STRING' ? 'RLE_DICTIONARY' : plain ? 'PLAIN' : undefined;
      return {
        name: c.name,
        data: (ArrayBuffer.isView(values) || Array.isArray(values) ? values : Array.from(values)) as never,
        ...(encoding ? { encoding } : {}),
      };
    });
    void this.writer!.write({ columnData, rowGroupSize } as never);
  }

  close(): void {
    if (this.done) return;
    try {
      if (this.direct) {
        this.direct.writeRowGroup(this.pendingRows);
        this.pendingRows = 0;
        this.done = true;
        this.direct.finish();
      } else {
        this.flushPending();
        this.done = true;
        this.writer!.finish();
      }
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.done = true;
      this.direct?.abort();
      rmSync(this.tmp, { force: true });
      throw e;
    }
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.direct?.abort();
    rmSync(this.tmp, { force: true });
  }
}

/** Writes a whole table at once (atomic). */
export function writeParquetTable(
  path: string,
  columns: readonly ParquetColumnSpec[],
  data: ParquetBatch,
  opts: ConstructorParameters<typeof ParquetTableWriter>[2] = {},
): number {
  const w = new ParquetTableWriter(path, columns, opts);
  try {
    w.write(data);
    w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
  return w.rowCount;
}

async function openParquet(path: string) {
  if (!existsSync(path)) {
    throw new GearsInputError({ file: path, field: '(file)', problem: 'does not exist', fix: 'run the stage that writes it first, or check the path' });
  }
  try {
    const file = await asyncBufferFromFile(path);
    const metadata = await parquetMetadataAsync(file);
    return { file, metadata };
  } catch (e) {
    throw new GearsInputError({
      file: path,
      field: '(file)',
      problem: `is not a readable Parquet file (${(e as Error).message})`,
      fix: 'rerun the stage that wrote it (use --force), or replace the file with a complete copy',
    });
  }
}

/**
 * A Parquet file's footer (row groups, column chunks) and schema tree, and a reader of row
 * ranges as row objects: for readers that decode some columns' pages themselves
 * (ingest's cells-parquet-read.ts) and use the library for the rest.
 */
export async function openParquetFooter(path: string) {
  const { file, metadata } = await openParquet(path);
  return {
    metadata,
    schema: parquetSchema(metadata),
    readRows: (columns: string[], rowStart: number, rowEnd: number) => parquetReadObjects({ file, metadata, columns, rowStart, rowEnd }),
  };
}

/** Number of rows of a Parquet file, from its footer only. */
export async function parquetRowCount(path: string): Promise<number> {
  const { metadata } = await openParquet(path);
  return Number(metadata.num_rows);
}

/** Key/value metadata stored in the file footer. */
export async function parquetKeyValues(path: string): Promise<Record<string, string>> {
  const { metadata } = await openParquet(path);
  const out: Record<string, string> = {};
  for (const kv of metadata.key_value_metadata ?? []) out[kv.key] = kv.value ?? '';
  return out;
}

/** Top-level column names of a Parquet file, from its footer only. */
export async function parquetColumnNames(path: string): Promise<string[]> {
  const { metadata } = await openParquet(path);
  return parquetSchema(metadata).children.map((c) => c.element.name);
}

/**
 * Reads whole columns (optionally a row range) as arrays, column-major. Suited to the tables
 * the stages exchange; for cell tables use `scanParquetRows` to stream.
 */
export async function readParquetColumns(
  path: string,
  columns?: readonly string[],
  range?: { rowStart?: number; rowEnd?: number },
): Promise<Record<string, unknown[]>> {
  const { file, metadata } = await openParquet(path);
  const topLevel = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  const names = columns ?? [...topLevel];
  for (const name of names) {
    if (!topLevel.has(name)) {
      throw new GearsInputError({ file: path, field: name, problem: 'column is missing', fix: 'rerun the stage that wrote this table with the current version' });
    }
  }
  return readColumnRange(file, metadata, names, range?.rowStart ?? 0, range?.rowEnd ?? Number(metadata.num_rows));
}

/**
 * Rows [rowStart, rowEnd) of the named columns, column-major: the decoded column chunks are copied
 * straight into the column arrays, with no object per row (1.4 M rows of dataset statistics made
 * 1.4 M objects: most of the read time and of the garbage collection). Values are those of
 * hyparquet's row objects (same decoding).
 */
async function readColumnRange(
  file: Awaited<ReturnType<typeof openParquet>>['file'],
  metadata: Awaited<ReturnType<typeof openParquet>>['metadata'],
  names: readonly string[],
  rowStart: number,
  rowEnd: number,
): Promise<Record<string, unknown[]>> {
  const total = Number(metadata.num_rows);
  const start = Math.min(total, Math.max(0, rowStart));
  const end = Math.max(start, Math.min(total, rowEnd));
  const out: Record<string, unknown[]> = {};
  for (const name of names) out[name] = new Array(end - start).fill(undefined);
  if (end === start) return out;
  await parquetRead({
    file,
    metadata,
    columns: names as string[],
    rowStart: start,
    rowEnd: end,
    onChunk: ({ columnName, columnData, rowStart: chunkStart }) => {
      const col = out[columnName];
      if (!col) return;
      const from = Math.max(start, chunkStart);
      const to = Math.min(end, chunkStart + columnData.length);
      for (let r = from; r < to; r++) col[r - start] = columnData[r - chunkStart];
    },
  });
  return out;
}

/**
 * Streams a Parquet table in batches of at most `batchRows` rows, pulling the next batch only
 * when the consumer asks (async iteration), so memory stays bounded for large cell tables.
 */
export async function* scanParquetRows(
  path: string,
  columns: readonly string[],
  batchRows = 4096,
): AsyncGenerator<Record<string, unknown[]>> {
  const { file, metadata } = await openParquet(path);
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += batchRows) {
    const end = Math.min(total, start + batchRows);
    yield await readColumnRange(file, metadata, columns, start, end);
  }
}

export { parquetScan };
