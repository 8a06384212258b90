/**
 * The one Parquet adapter of the project: every stage writes and reads tables through it, so the
 * library behind it (hyparquet + hyparquet-writer, pure JS, measured fastest in DESIGN §7) can be
 * swapped in one place. Writes are atomic: rows go to a temporary file that is renamed on close.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, parquetScan } from 'hyparquet/src/node.js';
import { temporaryPath } from './atomic.ts';
import { GearsInputError } from './errors.ts';

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
}

/** Column values for one batch of rows; lengths must agree. */
export type ParquetBatch = Record<string, ArrayLike<unknown>>;

type SchemaElement = Record<string, unknown>;

function schemaFor(columns: readonly ParquetColumnSpec[]): SchemaElement[] {
  const out: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) {
    if (c.type.startsWith('LIST_')) {
      const leaf = c.type.slice(5);
      out.push({ name: c.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 });
      out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
      out.push(leafElement('element', leaf, 'REQUIRED'));
    } else {
      out.push(leafElement(c.name, c.type, 'REQUIRED'));
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
  private readonly writer: ParquetWriter;
  private rows = 0;
  private done = false;

  private readonly plainColumns: ReadonlySet<string>;

  /**
   * @param opts.kv footer key/value metadata
   * @param opts.plain columns to write without dictionary encoding (float columns always are)
   * @param opts.statistics write min/max statistics (default true); off saves time on large list columns
   */
  constructor(path: string, columns: readonly ParquetColumnSpec[], opts: { kv?: Record<string, string>; plain?: readonly string[]; statistics?: boolean } = {}) {
    this.path = path;
    this.columns = columns;
    this.plainColumns = new Set(opts.plain ?? []);
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = temporaryPath(path);
    const kvMetadata = Object.entries(opts.kv ?? {}).map(([key, value]) => ({ key, value }));
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
    const columnData = this.columns.map((c) => {
      const data = batch[c.name];
      if (!data) throw new Error(`${this.path}: batch lacks column ${c.name}`);
      if (data.length !== n) throw new Error(`${this.path}: column ${c.name} has ${data.length} rows, expected ${n}`);
      // Float columns: dictionary encoding of distinct floats only costs time (DESIGN §7).
      const plain = c.type === 'DOUBLE' || c.type === 'FLOAT' || c.type === 'LIST_FLOAT' || this.plainColumns.has(c.name);
      return {
        name: c.name,
        data: (ArrayBuffer.isView(data) || Array.isArray(data) ? data : Array.from(data)) as never,
        ...(plain ? { encoding: 'PLAIN' as const } : {}),
      };
    });
    void this.writer.write({ columnData, rowGroupSize } as never);
    this.rows += n;
  }

  close(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.writer.finish();
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

/** Writes a whole table at once (atomic). */
export function writeParquetTable(
  path: string,
  columns: readonly ParquetColumnSpec[],
  data: ParquetBatch,
  opts: { kv?: Record<string, string> } = {},
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
  const rows = await parquetReadObjects({ file, metadata, columns: names as string[], rowStart: range?.rowStart, rowEnd: range?.rowEnd });
  const out: Record<string, unknown[]> = {};
  for (const name of names) {
    const col = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) col[i] = rows[i][name];
    out[name] = col;
  }
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
    const rows = await parquetReadObjects({ file, metadata, columns: columns as string[], rowStart: start, rowEnd: end });
    const out: Record<string, unknown[]> = {};
    for (const name of columns) out[name] = rows.map((r) => r[name]);
    yield out;
  }
}

export { parquetScan };
