/**
 * The cell lists of a cells table (CELLS_COLUMNS: gene_index and value as lists) read straight
 * from their pages into CSR blocks, the inverse of cells-parquet.ts. hyparquet's generic path
 * decodes the repetition and definition levels into JS arrays of numbers and assembles one JS
 * array per cell: for 100,000 cells × 510 values that was ≈ 60 s, most of it garbage collection
 * (node --cpu-prof). Here the levels are decoded into byte arrays and only counted per cell,
 * PLAIN values are copied as bytes, Snappy pages are inflated by core's decoder.
 *
 * Handled directly: a list of a required INT32 (gene_index) / FLOAT (value) element, DATA_PAGE_V2
 * pages with PLAIN values, Snappy or no compression — what gears and hyparquet-writer write. A row
 * group in any other form (dictionary pages, version-1 pages, other codecs, pyarrow's optional
 * elements, …) is read through hyparquet instead, with the same checks and results.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { GearsInputError, openParquetFooter, readPageHeader, snappyUncompressInto } from '@gears-pipeline/core';
import type { RawBlock } from './source.ts';

interface SchemaNode {
  element: { name: string; type?: string; repetition_type?: string };
  children: SchemaNode[];
}

/** One row group's cells: values per cell, gene indices and values. */
interface Segment {
  lengths: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Levels of the list column: the maximum definition level means "a stored value". */
interface ListShape {
  maxDefinition: number;
  leafType: 'INT32' | 'FLOAT';
}

/** The list shape of top-level column `name` when the direct path can read it (list of a required leaf). */
function listShape(root: SchemaNode, name: string, leafType: ListShape['leafType']): ListShape | undefined {
  const top = root.children.find((c) => c.element.name === name);
  const repeated = top?.children.length === 1 ? top.children[0] : undefined;
  const leaf = repeated?.children.length === 1 ? repeated.children[0] : undefined;
  if (!top || !repeated || !leaf || leaf.children.length > 0) return undefined;
  if (repeated.element.repetition_type !== 'REPEATED' || top.element.repetition_type === 'REPEATED') return undefined;
  if (leaf.element.repetition_type !== 'REQUIRED' || leaf.element.type !== leafType) return undefined;
  return { maxDefinition: top.element.repetition_type === 'OPTIONAL' ? 2 : 1, leafType };
}

/** Parquet's RLE / bit-packed hybrid into `out` (values < 2^8). Returns false on malformed input. */
function readHybrid(bytes: Uint8Array, from: number, to: number, bitWidth: number, out: Uint8Array): boolean {
  let p = from;
  let o = 0;
  const n = out.length;
  const mask = (1 << bitWidth) - 1;
  while (o < n) {
    if (p >= to) return false;
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++];
      header |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      if (p >= to || shift > 21) return false;
    }
    if (header & 1) {
      // bit-packed groups of 8 values, least significant bits first
      const count = Math.min((header >>> 1) * 8, n - o);
      let buffer = 0;
      let bits = 0;
      for (let i = 0; i < count; i++) {
        while (bits < bitWidth) {
          if (p >= to) return false;
          buffer |= bytes[p++] << bits;
          bits += 8;
        }
        out[o++] = buffer & mask;
        buffer >>>= bitWidth;
        bits -= bitWidth;
      }
      // the rest of the last group's bytes are padding
      p += Math.ceil(((header >>> 1) * 8 * bitWidth) / 8) - Math.ceil((count * bitWidth) / 8);
    } else {
      const count = header >>> 1;
      if (count > n - o) return false;
      const width = (bitWidth + 7) >> 3;
      let value = 0;
      for (let i = 0; i < width; i++) value |= bytes[p++] << (8 * i);
      out.fill(value, o, o + count);
      o += count;
    }
  }
  return true;
}

/** Reads a whole column chunk's bytes. */
function readChunkBytes(fd: number, start: number, length: number): Uint8Array {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Adds the stored values of page slots to the cells' lengths from the repetition levels alone
 * (every slot holds a value: the definition levels are all at their maximum). A 0 starts the
 * next cell. Returns the index of the last cell started, or −2 on malformed levels.
 */
function countFromRepetition(bytes: Uint8Array, from: number, to: number, slots: number, lengths: Int32Array, row: number): number {
  let p = from;
  let o = 0;
  const rows = lengths.length;
  while (o < slots) {
    if (p >= to) return -2;
    let header = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++];
      header |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      if (p >= to || shift > 21) return -2;
    }
    if (header & 1) {
      // bit-packed, bit width 1: 8 levels a byte
      const count = Math.min((header >>> 1) * 8, slots - o);
      const groupBytes = header >>> 1;
      if (p + Math.ceil(count / 8) > to) return -2;
      for (let i = 0; i < count; i++) {
        if (((bytes[p + (i >>> 3)] >>> (i & 7)) & 1) === 0) {
          if (++row >= rows) return -2;
        } else if (row < 0) return -2;
        lengths[row]++;
      }
      p += groupBytes;
      o += count;
    } else {
      const count = header >>> 1;
      if (count > slots - o || p >= to) return -2;
      const value = bytes[p++] & 1;
      if (value === 1) {
        if (row < 0) return -2;
        lengths[row] += count;
      } else {
        if (row + count >= rows) return -2;
        for (let i = 0; i < count; i++) lengths[++row]++;
      }
      o += count;
    }
  }
  return row;
}

/**
 * One list column of one row group: per-cell lengths and the stored values (PLAIN bytes, pages
 * inflated straight into one buffer), or undefined when its pages are not in the direct path's form.
 */
function readListChunk(fd: number, chunk: { meta_data?: Record<string, unknown> }, rows: number, shape: ListShape): { lengths: Int32Array; values: Uint8Array } | undefined {
  const md = chunk.meta_data as { codec: string; dictionary_page_offset?: bigint; data_page_offset: bigint; total_compressed_size: bigint; num_values: bigint } | undefined;
  if (!md || md.dictionary_page_offset !== undefined || (md.codec !== 'SNAPPY' && md.codec !== 'UNCOMPRESSED')) return undefined;
  const bytes = readChunkBytes(fd, Number(md.data_page_offset), Number(md.total_compressed_size));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengths = new Int32Array(rows);
  // every stored value is a slot, so the chunk's slot count bounds the values' bytes
  const values = new Uint8Array(Number(md.num_values) * 4);
  let row = -1;
  let stored = 0;
  const reader = { view, offset: 0 };
  const defWidth = 32 - Math.clz32(shape.maxDefinition);
  while (reader.offset < bytes.length && row < rows) {
    const header = readPageHeader(reader as never) as { type: string; uncompressed_page_size: number; compressed_page_size: number; data_page_header_v2?: { num_values: number; num_nulls: number; encoding: string; definition_levels_byte_length: number; repetition_levels_byte_length: number; is_compressed?: boolean } };
    const start = reader.offset;
    const end = start + header.compressed_page_size;
    reader.offset = end;
    if (end > bytes.length) return undefined;
    const h = header.data_page_header_v2;
    if (header.type !== 'DATA_PAGE_V2' || !h || h.encoding !== 'PLAIN') return undefined;
    const n = h.num_values;
    const repEnd = start + h.repetition_levels_byte_length;
    const defEnd = repEnd + h.definition_levels_byte_length;
    const before = stored;
    if (h.num_nulls === 0) {
      // no empty cell in the page: the definition levels hold nothing the repetition levels do not
      row = countFromRepetition(bytes, start, repEnd, n, lengths, row);
      if (row === -2) return undefined;
      stored += n;
    } else {
      const rep = new Uint8Array(n);
      const def = new Uint8Array(n);
      if (!readHybrid(bytes, start, repEnd, 1, rep) || !readHybrid(bytes, repEnd, defEnd, defWidth, def)) return undefined;
      for (let s = 0; s < n; s++) {
        if (rep[s] === 0) {
          if (++row >= rows) return undefined;
        } else if (row < 0) return undefined;
        if (def[s] === shape.maxDefinition) {
          lengths[row]++;
          stored++;
        }
      }
    }
    const dataBytes = header.uncompressed_page_size - h.repetition_levels_byte_length - h.definition_levels_byte_length;
    if ((stored - before) * 4 !== dataBytes || stored * 4 > values.length) return undefined;
    const data = bytes.subarray(defEnd, end);
    const target = values.subarray(before * 4, stored * 4);
    if (h.is_compressed !== false && md.codec === 'SNAPPY') snappyUncompressInto(data, target);
    else if (data.length === dataBytes) target.set(data);
    else return undefined;
  }
  if (row !== rows - 1) return undefined;
  return { lengths, values: values.subarray(0, stored * 4) };
}

/** The generic path for one row group: hyparquet's row objects, converted with the same checks. */
async function genericSegment(file: string, footer: Awaited<ReturnType<typeof openParquetFooter>>, rowStart: number, rowEnd: number): Promise<Segment> {
  const rows = await footer.readRows(['gene_index', 'value'], rowStart, rowEnd);
  const gi = rows.map((r) => r.gene_index as ArrayLike<number> | null | undefined);
  const vv = rows.map((r) => r.value as ArrayLike<number> | null | undefined);
  for (const [name, col] of [['gene_index', gi], ['value', vv]] as const) {
    const r = col.findIndex((x) => x !== null && x !== undefined && !(Array.isArray(x) || ArrayBuffer.isView(x)));
    if (r >= 0) {
      const v = col[r] as unknown;
      throw new GearsInputError({ file, field: `${name} (row ${rowStart + r})`, problem: `holds a ${typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v} (${String(v).slice(0, 20)}), not a list: a cells table has one list of gene indices and one list of values per cell`, fix: 'write gene_index and value as list columns (one row per cell), as gears ingest writes cells.parquet' });
    }
  }
  const n = rows.length;
  const lengths = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    lengths[r] = gi[r]?.length ?? 0;
    if (gi[r] && (vv[r]?.length ?? -1) !== gi[r]!.length) throw lengthMismatch(file, rowStart + r);
  }
  let total = 0;
  for (let r = 0; r < n; r++) total += lengths[r];
  const indices = new Int32Array(total);
  const values = new Float32Array(total);
  let at = 0;
  for (let r = 0; r < n; r++) {
    if (!gi[r]) continue;
    indices.set(gi[r]!, at);
    values.set(vv[r]!, at);
    at += lengths[r];
  }
  return { lengths, indices, values };
}

function lengthMismatch(file: string, row: number): GearsInputError {
  return new GearsInputError({ file, field: `value (row ${row})`, problem: 'has a different length than gene_index', fix: 'rewrite the cells table: gene_index and value must pair up' });
}

/** Row groups read by each path (for tests and logs). */
export interface CellsReadCounts {
  direct: number;
  generic: number;
}

/**
 * The expression of a cells table as RawBlocks of `blockCells` cells (the last one shorter), in
 * row order, with every gene index checked against `nGenes`. `counts`, when given, is told which
 * path read each row group.
 */
export async function* cellsTableBlocks(file: string, nGenes: number, blockCells: number, counts?: CellsReadCounts): AsyncGenerator<RawBlock> {
  const footer = await openParquetFooter(file);
  const metadata = footer.metadata;
  const root = footer.schema as unknown as SchemaNode;
  const geneShape = listShape(root, 'gene_index', 'INT32');
  const valueShape = listShape(root, 'value', 'FLOAT');
  const fd = openSync(file, 'r');
  try {
    const pending: Segment[] = [];
    let pendingRows = 0;
    let taken = 0; // rows of pending[0] already emitted
    let takenValues = 0; // and their stored values
    let start = 0; // first row of the next block
    let rowStart = 0;
    const emit = (rows: number): RawBlock => {
      if (taken === 0 && pending[0].lengths.length === rows) {
        // a row group of exactly one block: its arrays are the block's
        const s = pending.shift()!;
        const indptr = new Int32Array(rows + 1);
        for (let i = 0; i < rows; i++) indptr[i + 1] = indptr[i] + s.lengths[i];
        pendingRows -= rows;
        const block = { start, indptr, indices: s.indices, values: s.values };
        start += rows;
        return block;
      }
      const indptr = new Int32Array(rows + 1);
      // sizes first, then copy the rows from the pending segments
      let r = 0;
      let seg = 0;
      let from = taken;
      while (r < rows) {
        const s = pending[seg];
        const take = Math.min(rows - r, s.lengths.length - from);
        for (let i = 0; i < take; i++) indptr[r + i + 1] = indptr[r + i] + s.lengths[from + i];
        r += take;
        from += take;
        if (from === s.lengths.length) {
          seg++;
          from = 0;
        }
      }
      const indices = new Int32Array(indptr[rows]);
      const values = new Float32Array(indptr[rows]);
      let at = 0;
      r = 0;
      while (r < rows) {
        const s = pending[0];
        const take = Math.min(rows - r, s.lengths.length - taken);
        const lo = takenValues;
        let hi = lo;
        for (let i = taken; i < taken + take; i++) hi += s.lengths[i];
        takenValues = hi;
        indices.set(s.indices.subarray(lo, hi), at);
        values.set(s.values.subarray(lo, hi), at);
        at += hi - lo;
        r += take;
        taken += take;
        if (taken === s.lengths.length) {
          pending.shift();
          taken = 0;
          takenValues = 0;
        }
      }
      pendingRows -= rows;
      const block = { start, indptr, indices, values };
      start += rows;
      return block;
    };
    for (const rg of metadata.row_groups) {
      const rows = Number(rg.num_rows);
      if (rows === 0) continue;
      const find = (name: string) => rg.columns.find((c) => c.meta_data?.path_in_schema[0] === name);
      const gc = find('gene_index');
      const vc = find('value');
      let segment: Segment | undefined;
      if (geneShape && valueShape && gc && vc) {
        const g = readListChunk(fd, gc as never, rows, geneShape);
        const v = g && readListChunk(fd, vc as never, rows, valueShape);
        if (g && v) {
          for (let r = 0; r < rows; r++) if (g.lengths[r] !== v.lengths[r]) throw lengthMismatch(file, rowStart + r);
          segment = { lengths: g.lengths, indices: new Int32Array(g.values.buffer, g.values.byteOffset, g.values.length / 4), values: new Float32Array(v.values.buffer, v.values.byteOffset, v.values.length / 4) };
        }
      }
      if (counts) counts[segment ? 'direct' : 'generic']++;
      segment ??= await genericSegment(file, footer, rowStart, rowStart + rows);
      const idx = segment.indices;
      for (let k = 0; k < idx.length; k++) {
        if (!(idx[k] >= 0 && idx[k] < nGenes)) {
          let r = 0;
          for (let seen = segment.lengths[0]; seen <= k; seen += segment.lengths[++r]);
          throw new GearsInputError({ file, field: `gene_index (row ${rowStart + r})`, problem: `gene index ${idx[k]} is outside genes.parquet (${nGenes} genes)`, fix: 'use the genes.parquet written with this cells table' });
        }
      }
      rowStart += rows;
      pending.push(segment);
      pendingRows += rows;
      while (pendingRows >= blockCells) yield emit(blockCells);
    }
    if (pendingRows > 0) yield emit(pendingRows);
  } finally {
    closeSync(fd);
  }
}
