/**
 * A cell-metadata table (TSV, CSV, optionally gzip-compressed, or Parquet) read whole into string
 * columns: one row per cell, with a barcode column and the perturbation column.
 */
import { GearsInputError, readParquetColumns } from '@gears-pipeline/core';
import { readAllLines } from './text.ts';

export interface MetadataTable {
  file: string;
  columns: string[];
  data: Map<string, string[]>;
  rows: number;
}

/** Splits one CSV line, honouring double quotes ("" inside quotes is a quote). */
export function splitCsv(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep);
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export async function readMetadataTable(path: string): Promise<MetadataTable> {
  if (/\.(parquet|pq)$/i.test(path)) {
    const cols = await readParquetColumns(path);
    const data = new Map<string, string[]>();
    for (const [k, v] of Object.entries(cols)) data.set(k, v.map((x) => (x === null || x === undefined ? '' : String(x))));
    const columns = [...data.keys()];
    return { file: path, columns, data, rows: columns.length ? data.get(columns[0])!.length : 0 };
  }
  const lines = await readAllLines(path);
  if (lines.length === 0) throw new GearsInputError({ file: path, field: '(header)', problem: 'is empty', fix: 'write a header row with a barcode column and a perturbation column' });
  const sep = /\.csv(\.gz)?$/i.test(path) ? ',' : lines[0].includes('\t') ? '\t' : ',';
  const header = splitCsv(lines[0], sep).map((s) => s.trim());
  // R / pandas write.csv: an unnamed first column holds the row names (barcodes)
  if (header[0] === '') header[0] = 'barcode';
  const data = new Map<string, string[]>(header.map((h) => [h, new Array<string>(lines.length - 1)]));
  const cols = header.map((h) => data.get(h)!);
  for (let i = 1; i < lines.length; i++) {
    const parts = splitCsv(lines[i], sep);
    if (parts.length !== header.length) {
      throw new GearsInputError({ file: path, field: `line ${i + 1}`, problem: `has ${parts.length} fields, the header has ${header.length}`, fix: `fix the row (separator "${sep === '\t' ? '\\t' : sep}")` });
    }
    for (let c = 0; c < header.length; c++) cols[c][i - 1] = parts[c];
  }
  return { file: path, columns: header, data, rows: lines.length - 1 };
}
