/**
 * A cell-metadata table (TSV, CSV, optionally gzip-compressed, or Parquet) read whole into string
 * columns: one row per cell, with a barcode column and the perturbation column.
 */
import { GearsInputError, readParquetColumns } from '@gears-pipeline/core';
import { readCsv, separatorFor, showSeparator } from './csv.ts';

export interface MetadataTable {
  file: string;
  columns: string[];
  data: Map<string, string[]>;
  rows: number;
}

/** A CSV / TSV file read whole into string columns, by the RFC 4180 reader (`csv.ts`). */
export interface TextTable {
  file: string;
  columns: string[];
  /** one array of values per column */
  cols: string[][];
  rows: number;
  /** the line each data row starts on (1-based), for messages */
  lines: number[];
  separator: string;
}

/**
 * Reads a text table: header + rows, every row with the header's number of fields. `emptyFix`
 * says what a header-less file should hold.
 */
export async function readTextTable(path: string, emptyFix: string, headerName: (h: string[]) => void = () => {}): Promise<TextTable> {
  const sepOpt = separatorFor(path);
  let header: string[] | undefined;
  let cols: string[][] = [];
  const lines: number[] = [];
  let sep = sepOpt === 'auto' ? ',' : sepOpt;
  for await (const rec of readCsv(path, sepOpt)) {
    sep = rec.separator;
    if (!header) {
      header = rec.fields.map((s) => s.trim());
      headerName(header);
      cols = header.map(() => []);
      continue;
    }
    if (rec.fields.length !== header.length) {
      throw new GearsInputError({
        file: path,
        field: `line ${rec.line}`,
        problem: `has ${rec.fields.length} fields, the header has ${header.length}`,
        fix: `fix the row (separator "${showSeparator(sep)}"; a field holding the separator, a quote or a line break must be in double quotes, with "" for a quote inside)`,
      });
    }
    for (let c = 0; c < header.length; c++) cols[c].push(rec.fields[c]);
    lines.push(rec.line);
  }
  if (!header) throw new GearsInputError({ file: path, field: '(header)', problem: 'is empty', fix: emptyFix });
  return { file: path, columns: header, cols, rows: lines.length, lines, separator: sep };
}

export async function readMetadataTable(path: string): Promise<MetadataTable> {
  if (/\.(parquet|pq)$/i.test(path)) {
    const cols = await readParquetColumns(path);
    const data = new Map<string, string[]>();
    for (const [k, v] of Object.entries(cols)) data.set(k, v.map((x) => (x === null || x === undefined ? '' : String(x))));
    const columns = [...data.keys()];
    return { file: path, columns, data, rows: columns.length ? data.get(columns[0])!.length : 0 };
  }
  const t = await readTextTable(path, 'write a header row with a barcode column and a perturbation column', (h) => {
    // R / pandas write.csv: an unnamed first column holds the row names (barcodes)
    if (h[0] === '') h[0] = 'barcode';
  });
  const data = new Map<string, string[]>(t.columns.map((h, c) => [h, t.cols[c]]));
  return { file: path, columns: t.columns, data, rows: t.rows };
}
