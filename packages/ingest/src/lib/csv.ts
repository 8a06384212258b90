/**
 * A small streaming RFC 4180 reader for the tables ingest reads (cell metadata, pseudobulk
 * tables): fields in double quotes may hold the separator, line breaks and doubled quotes (`""`);
 * records end in LF, CRLF or CR; the text comes from `readText` (gzip, BOM, UTF-16). Records are
 * yielded as they complete, so memory follows one record, not the file. Lenient where Python's
 * csv module is: text after a closing quote is kept (`"a"b` → `ab`); blank lines are skipped.
 * Why our own and not an npm parser: see the ingest README ("Tables") for the measurement.
 */
import { GearsInputError } from '@gears-pipeline/core';
import { readText } from './text.ts';

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts */
  line: number;
  /** the separator the record was split on (`auto` resolved) */
  separator: string;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Parses text chunks into records. `separator` is one character, or `auto`: a tab when the first
 * line holds one, else `,`.
 */
export async function* parseCsv(chunks: AsyncIterable<string>, file: string, separator: string | 'auto' = 'auto'): AsyncGenerator<CsvRecord> {
  let sep = separator === 'auto' ? -1 : separator.charCodeAt(0);
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // a quote was seen inside a quoted field: closing, or the first of ""
  let skipLf = false; // the previous record ended in CR
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0;
  let any = false; // the current record has content
  const endField = () => {
    fields.push(field);
    field = '';
  };
  for await (const text of chunks) {
    if (sep < 0) {
      const nl = text.indexOf('\n');
      const first = nl < 0 ? text : text.slice(0, nl);
      sep = first.includes('\t') ? 9 : 44;
    }
    let start = 0; // start of the unconsumed plain run in `text`
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (skipLf) {
        skipLf = false;
        if (c === LF) {
          start = i + 1;
          continue;
        }
      }
      if (quoted) {
        if (afterQuote) {
          afterQuote = false;
          if (c === QUOTE) {
            field += '"';
            start = i + 1;
            continue;
          }
          quoted = false; // the quote closed the field; fall through to the unquoted handling
          start = i;
        } else {
          if (c === QUOTE) {
            field += text.slice(start, i);
            afterQuote = true;
            start = i + 1;
          } else if (c === LF) line++;
          continue;
        }
      }
      if (c === sep) {
        field += text.slice(start, i);
        endField();
        any = true;
        start = i + 1;
      } else if (c === LF || c === CR) {
        field += text.slice(start, i);
        if (any || field !== '') {
          endField();
          yield { fields, line: recordLine, separator: String.fromCharCode(sep) };
        }
        fields = [];
        field = '';
        any = false;
        line++;
        recordLine = line;
        skipLf = c === CR;
        start = i + 1;
      } else if (c === QUOTE && field === '' && i === start) {
        quoted = true;
        quoteLine = line;
        any = true;
        start = i + 1;
      }
    }
    if (quoted && !afterQuote) field += text.slice(start);
    else if (!quoted) field += text.slice(start);
  }
  if (quoted && !afterQuote) {
    throw new GearsInputError({ file, field: `line ${quoteLine}`, problem: 'a quoted field is never closed (the file ends inside double quotes)', fix: 'close the quote, or double quotes inside quoted fields ("")' });
  }
  if (any || field !== '') {
    endField();
    yield { fields, line: recordLine, separator: String.fromCharCode(sep) };
  }
}

/** The records of a table file (CSV / TSV, optionally gzip, any BOM encoding). */
export function readCsv(path: string, separator: string | 'auto' = 'auto'): AsyncGenerator<CsvRecord> {
  return parseCsv(readText(path), path, separator);
}

/** The separator a table file is read with: `,` for .csv, else auto (tab when the header has one). */
export function separatorFor(path: string): string | 'auto' {
  return /\.csv(\.gz)?$/i.test(path) ? ',' : 'auto';
}

/** Shows a separator in a message. */
export function showSeparator(sep: string): string {
  return sep === '\t' ? '\\t' : sep;
}
