/**
 * A pseudobulk table read whole into raw columns: TSV / CSV (optionally gzip-compressed; field
 * separator `,` for .csv, else tab when the header has one) or Parquet (typed values as stored).
 * Tables are conditions × genes, small next to any cell matrix.
 */
import { GearsInputError, readParquetColumns } from '@gears-pipeline/core';
import { splitCsv } from '../table.ts';
import { readAllLines } from '../text.ts';

export interface RawTable {
  file: string;
  columns: string[];
  /** column → one value per row: strings for text files, numbers / strings / null for Parquet */
  data: Map<string, unknown[]>;
  rows: number;
  /** where data row r (0-based) is, for messages: `line N` of a text file, `row N` of a Parquet file */
  where: (r: number) => string;
}

export function isParquetPath(path: string): boolean {
  return /\.(parquet|pq)$/i.test(path);
}

export async function readRawTable(path: string): Promise<RawTable> {
  if (isParquetPath(path)) {
    const cols = await readParquetColumns(path);
    const columns = Object.keys(cols);
    const data = new Map<string, unknown[]>(columns.map((c) => [c, cols[c]]));
    return checkNonEmpty({ file: path, columns, data, rows: columns.length ? cols[columns[0]].length : 0, where: (r) => `row ${r + 1}` });
  }
  const lines = await readAllLines(path);
  if (lines.length === 0) throw new GearsInputError({ file: path, field: '(header)', problem: 'is empty', fix: 'write a header row (condition column, then one column per gene) and one row per condition' });
  const sep = /\.csv(\.gz)?$/i.test(path) ? ',' : lines[0].includes('\t') ? '\t' : ',';
  const header = splitCsv(lines[0], sep).map((s) => s.trim());
  // pandas to_csv with the index: an unnamed first column holds the row names
  if (header[0] === '') header[0] = 'index';
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new GearsInputError({ file: path, field: h || '(empty name)', problem: 'column name occurs twice in the header', fix: 'give every column a unique name' });
    seen.add(h);
  }
  const cols = header.map(() => new Array<string>(lines.length - 1));
  for (let i = 1; i < lines.length; i++) {
    const parts = splitCsv(lines[i], sep);
    if (parts.length !== header.length) {
      throw new GearsInputError({ file: path, field: `line ${i + 1}`, problem: `has ${parts.length} fields, the header has ${header.length}`, fix: `fix the row (separator "${sep === '\t' ? '\\t' : sep}")` });
    }
    for (let c = 0; c < header.length; c++) cols[c][i - 1] = parts[c];
  }
  return checkNonEmpty({ file: path, columns: header, data: new Map(header.map((h, c) => [h, cols[c]])), rows: lines.length - 1, where: (r) => `line ${r + 2}` });
}

function checkNonEmpty(t: RawTable): RawTable {
  if (t.rows === 0) throw new GearsInputError({ file: t.file, field: '(rows)', problem: 'has a header but no rows', fix: 'write one row per condition (mean expression or log fold change per gene)' });
  return t;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MISSING = /^(|nan|na|n\/a|null|none|-?inf(inity)?)$/i;

/**
 * A raw cell as a number: a finite number, `undefined` for a missing / NaN / infinite value, or
 * `null` for text that is not a number.
 */
export function parseNumber(v: unknown): number | undefined | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'boolean') return null;
  const s = String(v).trim();
  if (NUMBER.test(s)) return Number(s);
  if (MISSING.test(s)) return undefined;
  return null;
}

export function cellText(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}
