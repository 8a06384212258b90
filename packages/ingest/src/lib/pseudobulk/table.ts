/**
 * A pseudobulk table read whole into raw columns: TSV / CSV (optionally gzip-compressed; field
 * separator `,` for .csv, else tab when the header has one) or Parquet (typed values as stored).
 * Tables are conditions × genes, small next to any cell matrix.
 */
import { GearsInputError, readParquetColumns } from '@gears-pipeline/core';
import { readTextTable } from '../table.ts';

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
  const t = await readTextTable(path, 'write a header row (condition column, then one column per gene) and one row per condition', (h) => {
    // pandas to_csv with the index: an unnamed first column holds the row names
    if (h[0] === '') h[0] = 'index';
  });
  const seen = new Set<string>();
  for (const h of t.columns) {
    if (seen.has(h)) throw new GearsInputError({ file: path, field: h || '(empty name)', problem: 'column name occurs twice in the header', fix: 'give every column a unique name' });
    seen.add(h);
  }
  return checkNonEmpty({ file: path, columns: t.columns, data: new Map(t.columns.map((h, c) => [h, t.cols[c]])), rows: t.rows, where: (r) => `line ${t.lines[r]}` });
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
