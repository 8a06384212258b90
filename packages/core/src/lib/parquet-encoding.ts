/**
 * Pieces of Parquet page encoding shared by the direct writers (parquet-flat.ts here,
 * cells-parquet.ts in ingest). Each reproduces what hyparquet-writer 0.17 writes for the same
 * input, byte for byte, so the direct writers' files equal the generic writer's (tested there).
 */
import { ParquetWriter } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer/src/node.js';
import { snappyCompress } from './snappy.ts';

// The library pieces the direct writers and readers build on, exported here so the Parquet
// library stays behind core (parquet.ts): page headers, a column chunk the library's way.
export { writeColumn as writeLibraryColumn } from 'hyparquet-writer/src/column.js';
export { writePageHeader } from 'hyparquet-writer/src/datapage.js';
export { parquetHeader as readPageHeader } from 'hyparquet/src/column.js';

/** hyparquet-writer's default page size in bytes (a page ends once its values reach it) */
export const PAGE_SIZE = 1_048_576;

/** PLAIN values are written as typed arrays' memory, which is Parquet's byte order only on little-endian machines. */
export const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The byte sink of hyparquet-writer's ParquetWriter (a growable buffer flushed to the file). */
export interface ByteSink {
  offset: number;
  flush?: () => unknown;
  appendBytes(b: Uint8Array): void;
}

/** A column chunk as `writeColumn` returns it: what the footer and the page indexes are built from. */
export interface ColumnChunkResult {
  chunk: { meta_data?: { total_uncompressed_size?: bigint; [field: string]: unknown }; [field: string]: unknown };
  columnIndex?: unknown;
  offsetIndex?: { page_locations: { offset: bigint; compressed_page_size: number; first_row_index: bigint }[] };
  bloomFilter?: unknown;
}

/** Internals of hyparquet-writer 0.17's ParquetWriter that the direct writers append row groups to. */
export interface ParquetWriterInternals {
  writer: ByteSink;
  codec: string;
  compressors: Record<string, unknown>;
  statisticsTruncateLength?: number;
  row_groups: { columns: unknown[]; total_byte_size: bigint; num_rows: bigint; total_compressed_size: bigint }[];
  num_rows: bigint;
  pendingIndexes: unknown[];
  finish(): void;
}

/** A ParquetWriter on `file` whose row groups the direct writers append (header written, Snappy by core's compressor). */
export function openParquetWriter(file: string, schema: Record<string, unknown>[], statistics: boolean): ParquetWriterInternals {
  if (!LITTLE_ENDIAN) throw new Error('the direct Parquet writers need a little-endian machine');
  return new ParquetWriter({ writer: fileWriter(file), schema: schema as never, kvMetadata: [], createdBy: 'gears-pipeline', statistics, compressors: { SNAPPY: snappyCompress } }) as unknown as ParquetWriterInternals;
}

/** Appends a finished row group (its column chunks) to the writer, as ParquetWriter.write does. */
export function appendRowGroup(pw: ParquetWriterInternals, results: ColumnChunkResult[], rows: number, groupStart: number): void {
  let total = 0n;
  for (const r of results) {
    total += r.chunk.meta_data?.total_uncompressed_size ?? 0n;
    pw.pendingIndexes.push(r);
  }
  pw.num_rows += BigInt(rows);
  pw.row_groups.push({ columns: results.map((r) => r.chunk), total_byte_size: total, num_rows: BigInt(rows), total_compressed_size: BigInt(pw.writer.offset - groupStart) });
  pw.writer.flush?.();
}

export function writeVarInt(out: Uint8Array, op: number, v: number): number {
  while (v > 0x7f) {
    out[op++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[op++] = v;
  return op;
}

/**
 * values[from, to) in Parquet's RLE / bit-packing hybrid with hyparquet-writer's greedy rule: a
 * run of ≥ 8 equal values is one RLE run; otherwise the next 8 values join the pending
 * bit-packed groups (padded with zeros past `to`). Returns the end position in `out`, which
 * needs ≈ (to − from) · bitWidth / 8 + 5 bytes per run of room.
 */
export function writeHybrid(v: ArrayLike<number>, from: number, to: number, bitWidth: number, out: Uint8Array, op: number): number {
  const width = (bitWidth + 7) >> 3;
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
      for (let j = 0; j < width; j++) out[op++] = (first >> (j << 3)) & 0xff;
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

function writeBitPacked(v: ArrayLike<number>, start: number, groups: number, to: number, bitWidth: number, out: Uint8Array, op: number): number {
  op = writeVarInt(out, op, (groups << 1) | 1);
  if (bitWidth === 0) return op;
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

/** A growable scratch buffer reused across pages. */
export class Scratch {
  private buf = new Uint8Array(0);
  get(n: number): Uint8Array {
    if (this.buf.length < n) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
    return this.buf;
  }
}
